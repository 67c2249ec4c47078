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
use crate::sql::lex::Kind;

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
        _ => Some(render(toks)),
    }
}

/// An expression's tokens, normalized; parentheses around the whole are dropped.
pub(super) fn expr(toks: &[Tok<'_>]) -> String {
    render(strip_parens(toks))
}

/// A collation name as set explicitly; `BINARY`, SQLite's default, is no collation.
pub(super) fn collation(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    (lower != "binary").then_some(lower)
}

/// `toks` without parentheses that enclose all of it (`((a + 1))` is `a + 1`).
fn strip_parens<'t, 'a>(mut toks: &'t [Tok<'a>]) -> &'t [Tok<'a>] {
    while toks.len() >= 2 && toks[0].is_open() && super::tokens::close_of(toks, 0) == toks.len() - 1
    {
        toks = &toks[1..toks.len() - 1];
    }
    toks
}

fn render(toks: &[Tok<'_>]) -> String {
    let mut out = String::new();
    let mut prev: Option<&Tok<'_>> = None;
    let mut prev_unary = false;
    for t in toks {
        let text = token_text(t);
        let unary =
            is_sign(t) && prev.is_none_or(|p| p.is_open() || p.is_comma() || is_operator(p));
        if let Some(p) = prev {
            let tight = p.is_open()
                || t.is_close()
                || t.is_comma()
                || p.text == "."
                || t.text == "."
                || prev_unary
                || (t.is_open() && is_function_name(p));
            if !tight {
                out.push(' ');
            }
        }
        out.push_str(&text);
        prev = Some(t);
        prev_unary = unary;
    }
    out
}

/// A word before `(` that is a function's name (`lower(x)`), not an operator or clause
/// keyword (`x in (1, 2)`, `where (a or b)`), which keeps its space.
fn is_function_name(t: &Tok<'_>) -> bool {
    const SPACED: &[&str] = &[
        "all",
        "and",
        "as",
        "between",
        "by",
        "case",
        "distinct",
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
        "not",
        "on",
        "or",
        "over",
        "regexp",
        "match",
        "select",
        "set",
        "then",
        "union",
        "using",
        "values",
        "when",
        "where",
        "with",
    ];
    t.is_quoted_name() || (t.kind == Kind::Word && !SPACED.iter().any(|w| t.is(w)))
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

fn token_text(t: &Tok<'_>) -> String {
    match t.kind {
        Kind::Word => t.text.to_lowercase(),
        Kind::Quoted if t.is_quoted_name() => {
            let name = t.name();
            if is_plain_name(&name) {
                name
            } else {
                format!("\"{}\"", name.replace('"', "\"\""))
            }
        }
        _ => t.text.to_owned(),
    }
}

/// A name that means the same without quotes: lowercase letters, digits and `_`, not
/// starting with a digit, and no keyword (sqlparser's list, wider than SQLite's, so that
/// nothing that might be a keyword loses its quotes). Lowercase only, because SQLite reads
/// a double-quoted word that names no column as a string, whose case matters.
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
