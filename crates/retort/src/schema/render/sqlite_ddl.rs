//! The text of SQLite definitions: a whole CREATE TABLE (every constraint inline, since
//! SQLite cannot add one later), a column, an index, a view.

use crate::dialect::Dialect;
use crate::schema::model::{Column, ForeignKey, Identity, Index, Table, View};

pub(super) fn q(name: &str) -> String {
    Dialect::Sqlite.sql().quote_ident(name)
}

fn list(names: &[String]) -> String {
    names.iter().map(|n| q(n)).collect::<Vec<_>>().join(", ")
}

/// `CREATE TABLE name (…)` for `table`'s whole definition, under `name`.
pub(super) fn create_table(name: &str, table: &Table) -> String {
    let autoincrement = autoincrement_column(table);
    let mut elements: Vec<String> = table
        .columns
        .iter()
        .map(|c| column(c, autoincrement.is_some_and(|a| a.name == c.name)))
        .collect();
    if let Some(pk) = table
        .primary_key
        .as_ref()
        .filter(|_| autoincrement.is_none())
    {
        elements.push(format!(
            "{}PRIMARY KEY ({})",
            constraint_name(pk.name.as_deref()),
            list(&pk.columns)
        ));
    }
    for unique in &table.uniques {
        elements.push(format!(
            "{}UNIQUE ({})",
            constraint_name(unique.name.as_deref()),
            list(&unique.columns)
        ));
    }
    for check in &table.checks {
        elements.push(format!(
            "{}CHECK ({})",
            constraint_name(check.name.as_deref()),
            check.expression
        ));
    }
    for fk in &table.foreign_keys {
        elements.push(foreign_key(fk));
    }
    let mut options = Vec::new();
    if table.options.strict {
        options.push("STRICT");
    }
    if table.options.without_rowid {
        options.push("WITHOUT ROWID");
    }
    format!(
        "CREATE TABLE {} (\n    {}\n){}{}",
        q(name),
        elements.join(",\n    "),
        if options.is_empty() { "" } else { " " },
        options.join(", ")
    )
}

/// The column that is `INTEGER PRIMARY KEY AUTOINCREMENT`, which SQLite accepts only on
/// the column itself, with the key.
fn autoincrement_column(table: &Table) -> Option<&Column> {
    let pk = table.primary_key.as_ref()?;
    match pk.columns.as_slice() {
        [only] => table
            .column(only)
            .filter(|c| c.identity == Some(Identity::AutoIncrement)),
        _ => None,
    }
}

fn constraint_name(name: Option<&str>) -> String {
    name.map(|n| format!("CONSTRAINT {} ", q(n)))
        .unwrap_or_default()
}

/// A column's definition; `autoincrement` makes it the table's key.
pub(super) fn column(c: &Column, autoincrement: bool) -> String {
    let mut out = q(&c.name);
    if !c.data_type.is_empty() {
        out.push(' ');
        out.push_str(&c.data_type);
    }
    if autoincrement {
        out.push_str(" PRIMARY KEY AUTOINCREMENT");
    }
    if let Some(collation) = &c.collation {
        out.push_str(" COLLATE ");
        out.push_str(collation);
    }
    if !c.nullable {
        out.push_str(" NOT NULL");
    }
    if let Some(default) = &c.default {
        out.push_str(" DEFAULT ");
        if is_literal(default) {
            out.push_str(default);
        } else {
            out.push_str(&format!("({default})"));
        }
    }
    if let Some(g) = &c.generated {
        let how = if g.stored { "STORED" } else { "VIRTUAL" };
        out.push_str(&format!(" GENERATED ALWAYS AS ({}) {how}", g.expression));
    }
    out
}

/// A default SQLite takes without parentheses: a number, a string or blob literal, NULL,
/// TRUE/FALSE or CURRENT_TIME/DATE/TIMESTAMP.
pub(super) fn is_literal(default: &str) -> bool {
    is_constant(default)
        || ["current_time", "current_date", "current_timestamp"]
            .iter()
            .any(|k| default.eq_ignore_ascii_case(k))
}

/// A default that `ALTER TABLE … ADD COLUMN` accepts: a literal that is the same for every
/// row (SQLite refuses CURRENT_TIMESTAMP and any expression there).
pub(super) fn is_constant(default: &str) -> bool {
    let d = default.trim();
    let is_number = super::clauses::is_number(d);
    let quoted = |s: &str| {
        s.len() >= 2
            && s.starts_with('\'')
            && s.ends_with('\'')
            && !s[1..s.len() - 1].replace("''", "").contains('\'')
    };
    let blob = d.len() > 1 && d[..1].eq_ignore_ascii_case("x") && quoted(&d[1..]);
    is_number
        || quoted(d)
        || blob
        || ["null", "true", "false"]
            .iter()
            .any(|k| d.eq_ignore_ascii_case(k))
}

fn foreign_key(fk: &ForeignKey) -> String {
    format!(
        "{}FOREIGN KEY ({}) {}",
        constraint_name(fk.name.as_deref()),
        list(&fk.columns),
        references(fk)
    )
}

/// A one-column foreign key written on its column, as `ALTER TABLE … ADD COLUMN` takes it.
pub(super) fn column_reference(fk: &ForeignKey) -> String {
    format!("{}{}", constraint_name(fk.name.as_deref()), references(fk))
}

/// `REFERENCES t (c)` with the key's actions and deferrability.
fn references(fk: &ForeignKey) -> String {
    let mut out = format!(
        "REFERENCES {} ({})",
        q(&fk.references_table),
        list(&fk.references_columns)
    );
    out.push_str(&super::clauses::key_actions(fk, true));
    out
}

/// See [`super::clauses::create_index`].
pub(super) fn create_index(table: &str, index: &Index) -> String {
    super::clauses::create_index(Dialect::Sqlite, table, index)
}

pub(super) fn create_view(view: &View) -> String {
    super::clauses::create_view(Dialect::Sqlite, view)
}

pub(super) fn drop_view(name: &str) -> String {
    super::clauses::drop_view(Dialect::Sqlite, name)
}
