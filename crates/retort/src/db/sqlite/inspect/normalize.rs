//! One spelling for what SQLite lets a user write several ways, so that a schema compared
//! with itself, or the same DDL written twice differently, gives one model.
//!
//! Types: SQLite keeps the declared type's text and gives it meaning only through affinity,
//! but the text is not free to change: only `INTEGER PRIMARY KEY` (not `INT PRIMARY KEY`)
//! makes a column the rowid, and applications that read the schema back (SQLAlchemy's
//! reflection, `PRAGMA table_info` users) map `DATETIME`, `NUMERIC`, `VARCHAR(20)` and
//! `BOOLEAN` to different things although their affinity is the same. So no two type names
//! are merged: only case and spacing are normalized (`VARCHAR ( 20 )` is `varchar(20)`).
//!
//! Expressions (defaults, checks, generated columns, index expressions and predicates,
//! views): comments dropped, whitespace collapsed to one canonical spacing between tokens,
//! unquoted words (keywords and names, both case-insensitive in SQLite) lowercased, a quoted
//! name that needs no quotes written bare, literals kept exactly.

use super::tokens::{tokens, Tok};
use crate::sql::expr::{render, strip_parens};

/// A declared type: lowercase, single spaces between words, none around `(`, `)` and `,`.
pub(super) fn data_type(declared: &str) -> String {
    let lower = declared.trim().to_lowercase();
    let mut out = String::with_capacity(lower.len());
    let mut pending_space = false;
    for ch in lower.chars() {
        if ch.is_whitespace() {
            pending_space = true;
            continue;
        }
        let tight = matches!(ch, '(' | ')' | ',');
        if pending_space && !tight && !out.ends_with(['(', ',']) && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(ch);
    }
    out
}

/// A column default as `PRAGMA table_xinfo` gives it (the text as written after DEFAULT):
/// `NULL` is no default, parentheses around the whole expression are dropped, a
/// double-quoted word (which SQLite takes as a string there) is the string it means.
pub(super) fn default(text: &str) -> Option<String> {
    // A number or a bare word (most defaults) is its own normal form, lowercase: no need
    // to lex it.
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        return (!text.eq_ignore_ascii_case("null")).then(|| text.to_ascii_lowercase());
    }
    let toks = tokens(text);
    let toks = strip_parens(&toks);
    match toks {
        [] => None,
        [t] if t.is("null") => None,
        [t] if t.text.starts_with('"') => Some(format!("'{}'", t.name().replace('\'', "''"))),
        _ => Some(render(toks, '"')),
    }
}

/// An expression's tokens, normalized; parentheses around the whole are dropped.
pub(super) fn expr(toks: &[Tok<'_>]) -> String {
    render(strip_parens(toks), '"')
}

/// A collation name as set explicitly; `BINARY`, SQLite's default, is no collation.
pub(super) fn collation(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    (lower != "binary").then_some(lower)
}
