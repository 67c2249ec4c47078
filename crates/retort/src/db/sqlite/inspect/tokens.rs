//! The text SQLite keeps in `sqlite_schema.sql` as tokens, through the project's own lexer
//! (`sql::lex`, sqlparser's tokenizer with SQLite's quoting rules), so that a keyword inside
//! a string, a quoted name or a comment is never taken for syntax.

use crate::dialect::Dialect;
use crate::sql::lex::{lex, Kind};

/// One significant token (no spaces, no comments) and its exact text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Tok<'a> {
    pub(super) kind: Kind,
    pub(super) text: &'a str,
}

impl Tok<'_> {
    /// An unquoted word equal to `word`, ignoring ASCII case (keywords).
    pub(super) fn is(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    pub(super) fn is_open(&self) -> bool {
        self.kind == Kind::LParen
    }

    pub(super) fn is_close(&self) -> bool {
        self.kind == Kind::RParen
    }

    pub(super) fn is_comma(&self) -> bool {
        self.kind == Kind::Other && self.text == ","
    }

    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`), not a string or blob literal.
    pub(super) fn is_quoted_name(&self) -> bool {
        self.kind == Kind::Quoted
            && (self.text.starts_with('"')
                || self.text.starts_with('`')
                || self.text.starts_with('['))
    }

    /// The name this token spells: unquoted words as written, quoted ones without their
    /// quotes (SQLite also accepts a string literal as a name in DDL).
    pub(super) fn name(&self) -> String {
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

/// The significant tokens of `sql`. SQLite wrote this text itself after parsing it, so it
/// lexes; should it not, the tokens up to the first error are all there is to read.
pub(super) fn tokens(sql: &str) -> Vec<Tok<'_>> {
    lex(Dialect::Sqlite, sql, 0)
        .lexemes
        .into_iter()
        .filter(|l| l.kind.is_significant())
        .filter_map(|l| sql.get(l.range).map(|text| Tok { kind: l.kind, text }))
        .collect()
}

/// The index of the `)` that closes the `(` at `open`, or the end of the tokens.
pub(super) fn close_of(toks: &[Tok<'_>], open: usize) -> usize {
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

/// The tokens inside the parentheses opening at `open` (empty if `open` is not a `(`), and
/// the index after the closing one.
pub(super) fn inside<'t, 'a>(toks: &'t [Tok<'a>], open: usize) -> (&'t [Tok<'a>], usize) {
    if !toks.get(open).is_some_and(Tok::is_open) {
        return (&[], open);
    }
    let close = close_of(toks, open);
    (toks.get(open + 1..close).unwrap_or(&[]), close + 1)
}

/// `toks` cut at the commas outside parentheses.
pub(super) fn split_commas<'t, 'a>(toks: &'t [Tok<'a>]) -> Vec<&'t [Tok<'a>]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in toks.iter().enumerate() {
        if t.is_open() {
            depth += 1;
        } else if t.is_close() {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && t.is_comma() {
            out.push(&toks[start..i]);
            start = i + 1;
        }
    }
    if start < toks.len() {
        out.push(&toks[start..]);
    }
    out
}

/// The index of the first token at parenthesis depth 0 from `from` on that is the word
/// `word`.
pub(super) fn find_word(toks: &[Tok<'_>], from: usize, word: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(from) {
        if t.is_open() {
            depth += 1;
        } else if t.is_close() {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && t.is(word) {
            return Some(i);
        }
    }
    None
}

/// The names in a parenthesized list of columns starting at `open` (each element's first
/// token: `a COLLATE x DESC` is `a`), and the index after it.
pub(super) fn name_list(toks: &[Tok<'_>], open: usize) -> (Vec<String>, usize) {
    let (list, next) = inside(toks, open);
    let names = split_commas(list)
        .into_iter()
        .filter_map(|part| part.first().map(Tok::name))
        .collect();
    (names, next)
}
