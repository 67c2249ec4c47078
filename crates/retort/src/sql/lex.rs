//! Lexing with `sqlparser`'s tokenizer, turned into byte-positioned lexemes.
//!
//! The tokenizer knows each dialect's quoting and comment rules, but it gives
//! tokens with unescaped values and 1-based line / character-column spans
//! only. Statements must be exact slices of the input, so every token is
//! located here as a byte range, and classified only as far as splitting
//! needs (is it whitespace, a comment, a `;`, a bare word, something whose
//! inside must never be looked into?).

use crate::dialect::Dialect;
use sqlparser::dialect::{
    Dialect as SqlparserDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect,
};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, Whitespace};
use std::any::TypeId;
use std::iter::Peekable;
use std::ops::Range;
use std::str::Chars;

/// What splitting needs to know about a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Spaces, tabs, newlines.
    Space,
    /// `--`, `#` and `/* */` comments (not MySQL executable comments).
    Comment,
    /// A top-level `;` candidate.
    Semicolon,
    /// An unquoted identifier or keyword.
    Word,
    /// `:` (for `label: BEGIN`).
    Colon,
    /// `@` (for MySQL `DEFINER = 'user'@'host'`).
    AtSign,
    /// `(`, for `DEFINER = CURRENT_USER()`.
    LParen,
    /// `)`.
    RParen,
    /// `=`.
    Eq,
    /// Anything opaque whose inside must not be searched for delimiters or
    /// keywords: string literals of every kind, dollar-quoted bodies, quoted
    /// identifiers, and MySQL executable comments (`/*! … */`, `/*M! … */`),
    /// which MySQL runs, so they count as statement text.
    Quoted,
    /// Any other token (operators, numbers, placeholders, …).
    Other,
}

impl Kind {
    /// Whether the token is part of a statement's text rather than filler
    /// between statements.
    pub(crate) fn is_significant(self) -> bool {
        !matches!(self, Kind::Space | Kind::Comment)
    }
}

/// One token: its kind and where it is in the whole input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Lexeme {
    pub(crate) kind: Kind,
    pub(crate) range: Range<usize>,
}

/// The tokens of `sql[from..]`, up to the first tokenizer error if any.
#[derive(Debug)]
pub(crate) struct Lexed {
    pub(crate) lexemes: Vec<Lexeme>,
    /// Where lexing stopped: the end of the last lexeme, or `from`.
    pub(super) end: usize,
    /// The tokenizer's complaint about the token starting at `end`, if it
    /// could not lex the rest of the input. Kept rather than returned at once
    /// because MySQL `DELIMITER` handling may re-lex from a later position,
    /// where the complaint may not apply (see `delimiter.rs`).
    pub(super) error: Option<String>,
}

/// Lexes `sql[from..]` with the tokenizer rules of `dialect`. Lexeme ranges
/// are offsets into the whole `sql`.
pub(crate) fn lex(dialect: Dialect, sql: &str, from: usize) -> Lexed {
    let rest = sql.get(from..).unwrap_or("");
    let mut tokens = Vec::new();
    let result = match dialect {
        Dialect::Sqlite => tokenize(&SQLiteDialect {}, rest, &mut tokens),
        Dialect::Postgres => tokenize(&PostgreSqlDialect {}, rest, &mut tokens),
        Dialect::Mysql => tokenize(&MySqlWithoutHints(MySqlDialect {}), rest, &mut tokens),
    };
    let mut cursor = Cursor::new(rest);
    let mut lexemes = Vec::with_capacity(tokens.len());
    for TokenWithSpan { token, span } in &tokens {
        let start = cursor.advance_to(span.start);
        let end = cursor.advance_to(span.end);
        let text = rest.get(start..end).unwrap_or("");
        lexemes.push(Lexeme {
            kind: classify(dialect, token, text),
            range: from + start..from + end,
        });
    }
    // The token that failed starts where the last good one ended: a better
    // place to point at than the tokenizer's own error location, which for
    // some errors (dollar quotes, block comments) is the end of the input.
    let end = lexemes.last().map_or(from, |l| l.range.end);
    Lexed {
        lexemes,
        end,
        error: result.err().map(|message| error_message(&message)),
    }
}

fn tokenize(
    dialect: &dyn SqlparserDialect,
    sql: &str,
    tokens: &mut Vec<TokenWithSpan>,
) -> Result<(), String> {
    // `with_unescape(false)` only spares the tokenizer work: values are never
    // used, statement texts are sliced from the input.
    Tokenizer::new(dialect, sql)
        .with_unescape(false)
        .tokenize_with_location_into_buf(tokens)
        .map_err(|e| e.message)
}

/// The tokenizer's messages, reworded for users where they are known. The
/// position is not part of the message: [`super::SplitError`] carries it.
fn error_message(message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    if lower.contains("multi-line comment") {
        "unterminated block comment".to_owned()
    } else if lower.contains("dollar-quoted") {
        "unterminated dollar-quoted string".to_owned()
    } else if lower.contains("unterminated string") {
        "unterminated string literal".to_owned()
    } else if let Some(quote) = message
        .strip_prefix("Expected close delimiter '")
        .and_then(|rest| rest.chars().next())
    {
        format!("unterminated quoted identifier (no closing {quote})")
    } else {
        let mut chars = message.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => "the SQL text could not be tokenized".to_owned(),
        }
    }
}

fn classify(dialect: Dialect, token: &Token, text: &str) -> Kind {
    match token {
        Token::Whitespace(Whitespace::SingleLineComment { .. }) => Kind::Comment,
        Token::Whitespace(Whitespace::MultiLineComment(comment)) => {
            // MySQL runs the contents of `/*! … */` (and MariaDB of
            // `/*M! … */`): mysqldump output is full of them, as whole
            // statements (`/*!40101 SET NAMES utf8 */;`).
            if dialect == Dialect::Mysql && (comment.starts_with('!') || comment.starts_with("M!"))
            {
                Kind::Quoted
            } else {
                Kind::Comment
            }
        }
        Token::Whitespace(_) | Token::EOF => Kind::Space,
        Token::SemiColon => Kind::Semicolon,
        Token::Word(word) if word.quote_style.is_none() => {
            // Defensive: a word token is its own text when unquoted.
            if text.is_empty() {
                Kind::Other
            } else {
                Kind::Word
            }
        }
        Token::Word(_) => Kind::Quoted,
        Token::Colon => Kind::Colon,
        Token::AtSign => Kind::AtSign,
        Token::LParen => Kind::LParen,
        Token::RParen => Kind::RParen,
        Token::Eq => Kind::Eq,
        Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::TripleSingleQuotedString(_)
        | Token::TripleDoubleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::TripleSingleQuotedByteStringLiteral(_)
        | Token::TripleDoubleQuotedByteStringLiteral(_)
        | Token::SingleQuotedRawStringLiteral(_)
        | Token::DoubleQuotedRawStringLiteral(_)
        | Token::TripleSingleQuotedRawStringLiteral(_)
        | Token::TripleDoubleQuotedRawStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::QuoteDelimitedStringLiteral(_)
        | Token::NationalQuoteDelimitedStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_) => Kind::Quoted,
        _ => Kind::Other,
    }
}

/// Walks the text as the tokenizer counts positions (1-based line, column in
/// characters, a new line only after `\n`) to find byte offsets. Token spans
/// come in increasing order, so the walk over the whole input is linear.
struct Cursor<'a> {
    chars: Peekable<std::str::CharIndices<'a>>,
    len: usize,
    line: u64,
    column: u64,
    byte: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            chars: text.char_indices().peekable(),
            len: text.len(),
            line: 1,
            column: 1,
            byte: 0,
        }
    }

    /// Byte offset of `target`. A target behind the cursor (never seen from
    /// the tokenizer) yields the cursor's offset rather than going back, and
    /// one past the end yields the end: wrong positions, but never a panic.
    fn advance_to(&mut self, target: Location) -> usize {
        while (self.line, self.column) < (target.line, target.column) {
            let Some((_, ch)) = self.chars.next() else {
                self.byte = self.len;
                return self.byte;
            };
            if ch == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
            self.byte = self.chars.peek().map_or(self.len, |&(i, _)| i);
        }
        self.byte
    }
}

/// `MySqlDialect` with executable-comment expansion turned off.
///
/// With it on, the tokenizer replaces `/*!40101 SET x=1 */` by the tokens of
/// its contents, with spans that start at the `/*` (so every position on the
/// comment's first line is off by the length of `/*!40101`), and the `*/`
/// leaves no token at all: statements could not be sliced from the input.
/// As one opaque comment token it is exact, and MySQL gets it verbatim.
///
/// Everything else is delegated: the methods below are all the ones the
/// 0.63 tokenizer asks of a dialect, and `dialect()` makes its
/// MySQL-specific branches (`dialect_of!`) apply. A test checks that this
/// dialect and `MySqlDialect` tokenize alike where there are no such comments.
#[derive(Debug)]
struct MySqlWithoutHints(MySqlDialect);

impl SqlparserDialect for MySqlWithoutHints {
    fn dialect(&self) -> TypeId {
        self.0.dialect()
    }
    fn supports_multiline_comment_hints(&self) -> bool {
        false
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        self.0.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        self.0.is_identifier_part(ch)
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        self.0.is_delimited_identifier_start(ch)
    }
    fn is_nested_delimited_identifier_start(&self, ch: char) -> bool {
        self.0.is_nested_delimited_identifier_start(ch)
    }
    fn peek_nested_delimited_identifier_quotes(
        &self,
        chars: Peekable<Chars<'_>>,
    ) -> Option<(char, Option<char>)> {
        self.0.peek_nested_delimited_identifier_quotes(chars)
    }
    fn is_custom_operator_part(&self, ch: char) -> bool {
        self.0.is_custom_operator_part(ch)
    }
    fn ignores_wildcard_escapes(&self) -> bool {
        self.0.ignores_wildcard_escapes()
    }
    fn requires_single_line_comment_whitespace(&self) -> bool {
        self.0.requires_single_line_comment_whitespace()
    }
    fn supports_dollar_as_money_prefix(&self) -> bool {
        self.0.supports_dollar_as_money_prefix()
    }
    fn supports_dollar_placeholder(&self) -> bool {
        self.0.supports_dollar_placeholder()
    }
    fn supports_geometric_types(&self) -> bool {
        self.0.supports_geometric_types()
    }
    fn supports_nested_comments(&self) -> bool {
        self.0.supports_nested_comments()
    }
    fn supports_numeric_literal_underscores(&self) -> bool {
        self.0.supports_numeric_literal_underscores()
    }
    fn supports_numeric_prefix(&self) -> bool {
        self.0.supports_numeric_prefix()
    }
    fn supports_pipe_operator(&self) -> bool {
        self.0.supports_pipe_operator()
    }
    fn supports_quote_delimited_string(&self) -> bool {
        self.0.supports_quote_delimited_string()
    }
    fn supports_string_escape_constant(&self) -> bool {
        self.0.supports_string_escape_constant()
    }
    fn supports_string_literal_backslash_escape(&self) -> bool {
        self.0.supports_string_literal_backslash_escape()
    }
    fn supports_triple_quoted_string(&self) -> bool {
        self.0.supports_triple_quoted_string()
    }
    fn supports_unicode_string_literal(&self) -> bool {
        self.0.supports_unicode_string_literal()
    }
}

#[cfg(test)]
pub(super) fn tokenize_mysql_both_ways(
    sql: &str,
) -> (Result<Vec<Token>, String>, Result<Vec<Token>, String>) {
    let plain = Tokenizer::new(&MySqlDialect {}, sql)
        .tokenize()
        .map_err(|e| e.to_string());
    let wrapped = Tokenizer::new(&MySqlWithoutHints(MySqlDialect {}), sql)
        .tokenize()
        .map_err(|e| e.to_string());
    (plain, wrapped)
}
