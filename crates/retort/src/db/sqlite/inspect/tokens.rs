//! The text SQLite keeps in `sqlite_schema.sql` as tokens, through the project's own lexer
//! (`sql::lex`, sqlparser's tokenizer with SQLite's quoting rules), so that a keyword inside
//! a string, a quoted name or a comment is never taken for syntax.

use crate::dialect::Dialect;
pub(super) use crate::sql::expr::{close_of, Tok};

/// The significant tokens of `sql`, lexed with SQLite's rules.
pub(super) fn tokens(sql: &str) -> Vec<Tok<'_>> {
    crate::sql::expr::tokens(Dialect::Sqlite, sql)
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
