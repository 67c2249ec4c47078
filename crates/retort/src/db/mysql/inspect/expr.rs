//! Expressions as MySQL and MariaDB write them back into the catalog (generated columns,
//! expression defaults, CHECK clauses, view definitions), in one spelling.
//!
//! The server already rewrites what a user typed (`lower(email)` becomes
//! ``lcase(`email`)`` on MariaDB, `(1+2)` becomes `(1 + 2)`), but not everything the same
//! way twice: a view's text names the database it was created in (`` `db`.`t`.`a` ``,
//! which differs between the declared schema's scratch database and the live one),
//! MySQL writes the connection's character set before string literals
//! (`_utf8mb4'a'`, which depends on the client that ran the DDL), and MySQL 8 wraps
//! CHECK clauses and expression defaults in parentheses that MariaDB leaves out. So:
//! comments dropped, one canonical spacing, unquoted words (keywords and functions: the
//! server quotes every name) lowercased, a backquoted name that needs no quotes written
//! bare, the current database's qualifier and charset introducers dropped, parentheses
//! around the whole dropped; literals kept exactly.

use crate::dialect::Dialect;
use crate::sql::lex::{lex, Kind};

/// One significant token (no spaces, no comments) and its exact text.
#[derive(Debug, Clone, Copy)]
struct Tok<'a> {
    kind: Kind,
    text: &'a str,
}

impl Tok<'_> {
    fn is_open(&self) -> bool {
        self.kind == Kind::LParen
    }

    fn is_close(&self) -> bool {
        self.kind == Kind::RParen
    }

    fn is_comma(&self) -> bool {
        self.kind == Kind::Other && self.text == ","
    }

    fn is_dot(&self) -> bool {
        self.kind == Kind::Other && self.text == "."
    }

    fn is_backquoted(&self) -> bool {
        self.kind == Kind::Quoted && self.text.starts_with('`')
    }

    fn is_string(&self) -> bool {
        self.kind == Kind::Quoted && self.text.starts_with('\'')
    }

    /// The name a word or backquoted token spells.
    fn name(&self) -> Option<String> {
        if self.kind == Kind::Word {
            return Some(self.text.to_owned());
        }
        let inner = self.text.strip_prefix('`')?.strip_suffix('`')?;
        Some(inner.replace("``", "`"))
    }
}

/// `text` normalized; `database`, when given, is the qualifier dropped from names.
pub(super) fn expr(text: &str, database: Option<&str>) -> String {
    let toks = tokens(text);
    let mut kept: Vec<Tok<'_>> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let next = toks.get(i + 1);
        // `db`.`t`: the database is the one inspected, which differs between the
        // declared schema's scratch database and the live one.
        if let (Some(db), Some(n)) = (database, next) {
            if n.is_dot() && t.name().is_some_and(|name| name == db) {
                i += 2;
                continue;
            }
        }
        // A charset introducer (`_utf8mb4'a'`): the client's character set when the
        // DDL ran, not the literal's meaning. `_binary` does change the meaning: kept.
        if t.kind == Kind::Word
            && t.text.starts_with('_')
            && !t.text.eq_ignore_ascii_case("_binary")
            && next.is_some_and(Tok::is_string)
        {
            i += 1;
            continue;
        }
        kept.push(t);
        i += 1;
    }
    render(strip_parens(&kept))
}

/// The significant tokens of `sql`, lexed with MySQL's rules (backquotes, backslash
/// escapes in strings). The server wrote this text itself, so it lexes; should it not,
/// the tokens up to the first error are all there is to read.
fn tokens(sql: &str) -> Vec<Tok<'_>> {
    lex(Dialect::Mysql, sql, 0)
        .lexemes
        .into_iter()
        .filter(|l| l.kind.is_significant())
        .filter_map(|l| sql.get(l.range).map(|text| Tok { kind: l.kind, text }))
        .collect()
}

/// The index of the `)` that closes the `(` at `open`, or the end of the tokens.
fn close_of(toks: &[Tok<'_>], open: usize) -> usize {
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
fn strip_parens<'t, 'a>(mut toks: &'t [Tok<'a>]) -> &'t [Tok<'a>] {
    while toks.len() >= 2 && toks[0].is_open() && close_of(toks, 0) == toks.len() - 1 {
        toks = &toks[1..toks.len() - 1];
    }
    toks
}

fn render(toks: &[Tok<'_>]) -> String {
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
                || (t.is_open() && is_function_name(p));
            if !tight {
                out.push(' ');
            }
        }
        out.push_str(&token_text(t));
        prev = Some(t);
        prev_unary = unary;
    }
    out
}

/// A word before `(` that is a function's name (`lcase(x)`), not an operator or clause
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
        "div",
        "else",
        "except",
        "exists",
        "from",
        "having",
        "in",
        "intersect",
        "is",
        "join",
        "like",
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
    t.is_backquoted()
        || (t.kind == Kind::Word && !SPACED.iter().any(|w| t.text.eq_ignore_ascii_case(w)))
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
        Kind::Quoted if t.is_backquoted() => {
            let name = t.name().unwrap_or_default();
            if is_plain_name(&name) {
                name
            } else {
                format!("`{}`", name.replace('`', "``"))
            }
        }
        _ => t.text.to_owned(),
    }
}

/// A name that means the same without quotes: lowercase letters, digits and `_`, not
/// starting with a digit, and no keyword (sqlparser's list, wider than MySQL's, so that
/// nothing that might be a keyword loses its quotes). Lowercase only, so that the
/// normalized text normalizes to itself (bare words are lowercased).
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
