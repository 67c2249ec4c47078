//! Expressions as a database writes them back into its catalog (defaults, CHECK clauses,
//! generated columns, index keys, view definitions), as tokens and in one canonical
//! spelling, so that one schema always reads as one model whoever wrote its DDL: comments
//! dropped, one spacing, unquoted words lowercased, a quoted name that needs no quotes
//! written bare, parentheses around the whole dropped; literals kept exactly. Shared by
//! the drivers' introspection (SQLite's and MySQL's; PostgreSQL prints its own canonical
//! text), each adding what only its server does.

use crate::dialect::Dialect;
use crate::sql::lex::{lex, Kind};

/// One significant token (no spaces, no comments) and its exact text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok<'a> {
    pub(crate) kind: Kind,
    pub(crate) text: &'a str,
}

impl Tok<'_> {
    /// An unquoted word equal to `word`, ignoring ASCII case (keywords).
    pub(crate) fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    pub(crate) fn is_open(&self) -> bool {
        self.kind == Kind::LParen
    }

    pub(crate) fn is_close(&self) -> bool {
        self.kind == Kind::RParen
    }

    pub(crate) fn is_comma(&self) -> bool {
        self.kind == Kind::Other && self.text == ","
    }

    pub(crate) fn is_dot(&self) -> bool {
        self.kind == Kind::Other && self.text == "."
    }

    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`), not a string or blob literal.
    pub(crate) fn is_quoted_name(&self) -> bool {
        self.kind == Kind::Quoted
            && (self.text.starts_with('"')
                || self.text.starts_with('`')
                || self.text.starts_with('['))
    }

    /// The name this token spells: unquoted words as written, quoted ones without their
    /// quotes (SQLite also accepts a string literal as a name in DDL).
    pub(crate) fn name(&self) -> String {
        let t = self.text;
        let unquote = |open: char, close: char| -> Option<String> {
            let inner = t.strip_prefix(open)?.strip_suffix(close)?;
            let doubled: String = [close, close].iter().collect();
            Some(if open == close {
                inner.replace(&doubled, &close.to_string())
            } else {
                inner.to_owned()
            })
        };
        unquote('"', '"')
            .or_else(|| unquote('`', '`'))
            .or_else(|| unquote('[', ']'))
            .or_else(|| unquote('\'', '\''))
            .unwrap_or_else(|| t.to_owned())
    }
}

/// The significant tokens of `sql`, lexed with `dialect`'s rules. The server wrote this
/// text itself, so it lexes; should it not, the tokens up to the first error are all
/// there is to read.
pub(crate) fn tokens(dialect: Dialect, sql: &str) -> Vec<Tok<'_>> {
    lex(dialect, sql, 0)
        .lexemes
        .into_iter()
        .filter(|l| l.kind.is_significant())
        .filter_map(|l| sql.get(l.range).map(|text| Tok { kind: l.kind, text }))
        .collect()
}

/// The index of the `)` that closes the `(` at `open`, or the end of the tokens.
pub(crate) fn close_of(toks: &[Tok<'_>], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if t.is_open() {
            depth += 1;
        } else if t.is_close() {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i;
            }
        }
    }
    toks.len()
}

/// `toks` without parentheses that enclose all of it (`((a + 1))` is `a + 1`).
pub(crate) fn strip_parens<'t, 'a>(mut toks: &'t [Tok<'a>]) -> &'t [Tok<'a>] {
    while toks.len() >= 2 && toks[0].is_open() && close_of(toks, 0) == toks.len() - 1 {
        toks = &toks[1..toks.len() - 1];
    }
    toks
}

/// The tokens as one canonical text; a name that needs quotes is written with `quote`
/// (the dialect's own: `"` or `` ` ``).
pub(crate) fn render(toks: &[Tok<'_>], quote: char) -> String {
    let mut out = String::new();
    let mut prev: Option<&Tok<'_>> = None;
    let mut prev_unary = false;
    for t in toks {
        let unary =
            is_sign(t) && prev.is_none_or(|p| p.is_open() || p.is_comma() || is_operator(p));
        if let Some(p) = prev {
            let tight = p.is_open()
                || t.is_close()
                || t.is_comma()
                || p.is_dot()
                || t.is_dot()
                || prev_unary
                || (t.is_open() && is_function_name(p, quote));
            if !tight {
                out.push(' ');
            }
        }
        out.push_str(&token_text(t, quote));
        prev = Some(t);
        prev_unary = unary;
    }
    out
}

/// A word before `(` that is a function's name (`lower(x)`), not an operator or clause
/// keyword (`x in (1, 2)`, `where (a or b)`), which keeps its space. One list for every
/// dialect: each side of a comparison is normalized by the same one.
fn is_function_name(t: &Tok<'_>, quote: char) -> bool {
    const SPACED: &[&str] = &[
        "all",
        "and",
        "as",
        "between",
        "by",
        "case",
        "distinct",
        "div",
        "else",
        "except",
        "exists",
        "from",
        "glob",
        "having",
        "in",
        "intersect",
        "is",
        "join",
        "like",
        "match",
        "mod",
        "not",
        "on",
        "or",
        "over",
        "regexp",
        "rlike",
        "select",
        "set",
        "then",
        "union",
        "using",
        "values",
        "when",
        "where",
        "with",
        "xor",
    ];
    is_name(t, quote) || (t.kind == Kind::Word && !SPACED.iter().any(|w| t.is(w)))
}

/// A quoted name in a dialect whose names are quoted with `quote`: SQLite (`"`) also takes
/// `` `x` `` and `[x]`; to MySQL (`` ` ``) a double-quoted token is a string.
fn is_name(t: &Tok<'_>, quote: char) -> bool {
    t.is_quoted_name() && (quote == '"' || t.text.starts_with(quote))
}

fn is_sign(t: &Tok<'_>) -> bool {
    t.kind == Kind::Other && (t.text == "-" || t.text == "+")
}

/// An operator or punctuation token, after which a sign is unary.
fn is_operator(t: &Tok<'_>) -> bool {
    t.kind == Kind::Other
        && !t.is_comma()
        && !t.text.starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

fn token_text(t: &Tok<'_>, quote: char) -> String {
    match t.kind {
        Kind::Word => t.text.to_lowercase(),
        Kind::Quoted if is_name(t, quote) => {
            let name = t.name();
            if is_plain_name(&name) {
                name
            } else {
                let doubled: String = [quote, quote].iter().collect();
                format!("{quote}{}{quote}", name.replace(quote, &doubled))
            }
        }
        _ => t.text.to_owned(),
    }
}

/// A name that means the same without quotes: lowercase letters, digits and `_`, not
/// starting with a digit, and no keyword (sqlparser's list, wider than any one
/// database's, so that nothing that might be a keyword loses its quotes). Lowercase only,
/// so that the normalized text normalizes to itself (bare words are lowercased), and
/// because SQLite reads a double-quoted word that names no column as a string, whose case
/// matters.
fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && sqlparser::keywords::ALL_KEYWORDS
            .binary_search(&name.to_ascii_uppercase().as_str())
            .is_err()
}
