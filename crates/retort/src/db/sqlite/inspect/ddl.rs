//! What SQLite's catalog pragmas do not say, read from the CREATE text it keeps in
//! `sqlite_schema.sql`: CHECK constraints, generated columns' expressions, explicit
//! collations, AUTOINCREMENT, constraint names, foreign keys' deferrability, and the
//! expressions and predicates of indexes. SQLite stores that text after having parsed it,
//! so it is valid DDL; this reads only the parts named above and skips everything else.

use super::normalize;
use super::tokens::{find_word, inside, name_list, split_commas, tokens, Tok};
use crate::schema::{Check, Deferrable};

/// What a CREATE TABLE text adds to the pragmas.
#[derive(Debug, Default)]
pub(super) struct TableDdl {
    pub(super) columns: Vec<ColumnDdl>,
    pub(super) checks: Vec<Check>,
    /// Named UNIQUE constraints: their columns, and the name.
    pub(super) unique_names: Vec<(Vec<String>, String)>,
    pub(super) foreign_keys: Vec<ForeignKeyDdl>,
}

#[derive(Debug, Default)]
pub(super) struct ColumnDdl {
    pub(super) name: String,
    pub(super) collation: Option<String>,
    /// Normalized, without its parentheses.
    pub(super) generated: Option<String>,
    pub(super) autoincrement: bool,
    /// `PRIMARY KEY DESC` on the column: by a quirk SQLite keeps for compatibility, such
    /// an `INTEGER` column is not the rowid.
    pub(super) primary_key_desc: bool,
}

#[derive(Debug)]
pub(super) struct ForeignKeyDdl {
    pub(super) name: Option<String>,
    pub(super) columns: Vec<String>,
    pub(super) deferrable: Deferrable,
}

impl TableDdl {
    pub(super) fn column(&self, name: &str) -> Option<&ColumnDdl> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// Reads `CREATE TABLE name (elements) [options]`. `CREATE TABLE … AS SELECT` has no
/// elements: its table has only columns, which the pragmas give.
pub(super) fn table(sql: &str) -> TableDdl {
    let mut out = TableDdl::default();
    // Most tables of a large schema have none of these words: lexing their text would be
    // most of the inspection's time, for nothing.
    const WORDS: &[&str] = &[
        "as",
        "autoincrement",
        "check",
        "collate",
        "constraint",
        "deferrable",
        "desc",
    ];
    if !mentions_any(sql, WORDS) {
        return out;
    }
    let toks = tokens(sql);
    let Some(open) = toks
        .iter()
        .position(|t| t.is_open() || t.is("as"))
        .filter(|&i| toks[i].is_open())
    else {
        return out;
    };
    let (body, _) = inside(&toks, open);
    for element in split_commas(body) {
        let (name, rest) = constraint_name(element);
        match rest.first() {
            Some(t) if t.is("primary") => {}
            Some(t) if t.is("unique") => {
                if let Some(name) = name {
                    let (columns, _) = name_list(rest, 1);
                    out.unique_names.push((columns, name));
                }
            }
            Some(t) if t.is("check") => out.checks.push(check(rest, name)),
            Some(t) if t.is("foreign") => {
                let (columns, next) = name_list(rest, 2);
                out.foreign_keys.push(ForeignKeyDdl {
                    name,
                    columns,
                    deferrable: deferrable(rest, next),
                });
            }
            Some(_) => column(element, &mut out),
            None => {}
        }
    }
    out
}

/// Whether one of `words` (lowercase) occurs in `sql` as a whole word, ignoring ASCII case.
/// A keyword always stands between characters that cannot be part of a name, so a text
/// this says no to has none of them; a yes (in a string, a quoted name) only costs a lexing.
pub(super) fn mentions_any(sql: &str, words: &[&str]) -> bool {
    let is_name_char = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii();
    sql.split(|c: char| !is_name_char(c))
        .any(|w| words.iter().any(|k| w.eq_ignore_ascii_case(k)))
}

/// `CONSTRAINT name …`: the name and what follows it.
fn constraint_name<'t, 'a>(toks: &'t [Tok<'a>]) -> (Option<String>, &'t [Tok<'a>]) {
    match toks {
        [c, name, rest @ ..] if c.is("constraint") => (Some(name.name()), rest),
        _ => (None, toks),
    }
}

/// `CHECK (expr)` at `toks[0]`.
fn check(toks: &[Tok<'_>], name: Option<String>) -> Check {
    let (expr, _) = inside(toks, 1);
    Check {
        name,
        expression: normalize::expr(expr),
        not_valid: false,
    }
}

/// A column definition: its name, then its type and constraints in any order.
fn column(element: &[Tok<'_>], out: &mut TableDdl) {
    let Some(first) = element.first() else {
        return;
    };
    let mut col = ColumnDdl {
        name: first.name(),
        ..ColumnDdl::default()
    };
    let mut name: Option<String> = None;
    let mut i = 1;
    while let Some(t) = element.get(i) {
        if t.is_open() {
            // A type's arguments, a default's expression: nothing to read inside.
            i = inside(element, i).1;
            continue;
        }
        if t.is("constraint") {
            name = element.get(i + 1).map(Tok::name);
            i += 2;
            continue;
        }
        if t.is("check") {
            out.checks.push(check(&element[i..], name.take()));
            i = inside(element, i + 1).1;
        } else if t.is("collate") {
            col.collation = element
                .get(i + 1)
                .and_then(|c| normalize::collation(&c.name()));
            i += 2;
        } else if t.is("as") {
            let (expr, next) = inside(element, i + 1);
            col.generated = Some(normalize::expr(expr));
            i = next;
        } else if t.is("autoincrement") {
            col.autoincrement = true;
            i += 1;
        } else if t.is("references") {
            let end = references_end(element, i + 1);
            out.foreign_keys.push(ForeignKeyDdl {
                name: name.take(),
                columns: vec![col.name.clone()],
                deferrable: deferrable(element.get(..end).unwrap_or(element), i),
            });
            i = end;
        } else {
            if t.is("primary") && element.get(i + 2).is_some_and(|d| d.is("desc")) {
                col.primary_key_desc = true;
            }
            if t.is("primary") || t.is("unique") || t.is("not") || t.is("default") {
                name = None;
            }
            i += 1;
        }
    }
    out.columns.push(col);
}

/// Where a column's `REFERENCES …` clause ends: at the next column constraint.
fn references_end(toks: &[Tok<'_>], mut i: usize) -> usize {
    while let Some(t) = toks.get(i) {
        if t.is_open() {
            i = inside(toks, i).1;
        } else if t.is("on") {
            // ON DELETE SET DEFAULT: DEFAULT here is an action, not a constraint.
            let two_words = toks.get(i + 2).is_some_and(|a| a.is("set") || a.is("no"));
            i += if two_words { 4 } else { 3 };
        } else if t.is("match")
            || (t.is("not") && toks.get(i + 1).is_some_and(|n| n.is("deferrable")))
        {
            i += 2;
        } else if [
            "constraint",
            "primary",
            "unique",
            "check",
            "default",
            "collate",
            "references",
            "generated",
            "as",
            "not",
            "null",
        ]
        .iter()
        .any(|w| t.is(w))
        {
            return i;
        } else {
            i += 1;
        }
    }
    toks.len()
}

/// A foreign key clause's deferrability, from `toks[from..]`. SQLite has two behaviours:
/// only `DEFERRABLE INITIALLY DEFERRED` defers the check to the commit; every other form
/// (`DEFERRABLE`, `DEFERRABLE INITIALLY IMMEDIATE`, `NOT DEFERRABLE …`) checks at once,
/// and SQLite has no `SET CONSTRAINTS` to tell them apart, so they are one value.
fn deferrable(toks: &[Tok<'_>], from: usize) -> Deferrable {
    let rest = toks.get(from..).unwrap_or(&[]);
    let deferred = rest
        .windows(3)
        .any(|w| w[0].is("deferrable") && w[1].is("initially") && w[2].is("deferred"))
        && !rest
            .windows(2)
            .any(|w| w[0].is("not") && w[1].is("deferrable"));
    if deferred {
        Deferrable::InitiallyDeferred
    } else {
        Deferrable::NotDeferrable
    }
}

/// One key of a CREATE INDEX's list: its normalized text (a column's name, or an
/// expression), without `COLLATE` and `ASC`/`DESC`, which the pragma gives.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct IndexKeyDdl {
    pub(super) key: String,
}

/// What a CREATE INDEX text adds to the pragmas: each key's text, and the `WHERE`.
#[derive(Debug, Default)]
pub(super) struct IndexDdl {
    pub(super) keys: Vec<IndexKeyDdl>,
    pub(super) predicate: Option<String>,
}

/// Reads `CREATE [UNIQUE] INDEX name ON table (keys) [WHERE expr]`.
pub(super) fn index(sql: &str) -> IndexDdl {
    let toks = tokens(sql);
    let mut out = IndexDdl::default();
    let Some(on) = find_word(&toks, 0, "on") else {
        return out;
    };
    let Some(open) = toks.iter().skip(on).position(Tok::is_open).map(|p| p + on) else {
        return out;
    };
    let (list, next) = inside(&toks, open);
    for part in split_commas(list) {
        let mut end = part.len();
        if end > 0 && (part[end - 1].is("asc") || part[end - 1].is("desc")) {
            end -= 1;
        }
        if end >= 2 && part[end - 2].is("collate") {
            end -= 2;
        }
        let key = match part.get(..end).unwrap_or(&[]) {
            [one] if !one.is_open() => one.name(),
            expr => normalize::expr(expr),
        };
        out.keys.push(IndexKeyDdl { key });
    }
    if toks.get(next).is_some_and(|t| t.is("where")) {
        out.predicate = Some(normalize::expr(toks.get(next + 1..).unwrap_or(&[])));
    }
    out
}

/// A view's query, normalized: what follows the `AS` of `CREATE VIEW name [(columns)] AS`.
pub(super) fn view(sql: &str) -> String {
    let toks = tokens(sql);
    match find_word(&toks, 0, "as") {
        Some(i) => normalize::expr(toks.get(i + 1..).unwrap_or(&[])),
        None => normalize::expr(&toks),
    }
}
