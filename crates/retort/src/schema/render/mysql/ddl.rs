//! The text of MySQL/MariaDB definitions: a whole CREATE TABLE (keys, indexes, checks and
//! foreign keys inline), a column as `ADD COLUMN` and `MODIFY COLUMN` restate it, a key or
//! an index as `ALTER TABLE … ADD` takes it, and the statements that look up a name the
//! server made up.

use crate::dialect::Dialect;
use crate::schema::model::{
    Check, Column, ForeignKey, Identity, Index, IndexPart, ReferentialAction, Table, Unique, View,
};

pub(super) fn q(name: &str) -> String {
    Dialect::Mysql.sql().quote_ident(name)
}

/// A table name, which introspection writes `db.table` for a table of another database.
pub(super) fn q_table(name: &str) -> String {
    match name.split_once('.') {
        Some((db, table)) => format!("{}.{}", q(db), q(table)),
        None => q(name),
    }
}

fn list(names: &[String]) -> String {
    names.iter().map(|n| q(n)).collect::<Vec<_>>().join(", ")
}

/// A string literal for `COMMENT`, which takes no hex literal: quotes doubled, and a
/// backslash escaped as the default SQL mode reads it.
pub(super) fn text(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// A string literal for anything else (a hex literal where it holds a backslash, so that
/// either `NO_BACKSLASH_ESCAPES` mode reads it alike).
pub(super) fn literal(value: &str) -> String {
    Dialect::Mysql.sql().literal(value)
}

/// `CREATE TABLE name (…) COMMENT '…'` for `table` whole: columns, primary key, unique
/// keys, indexes, checks, and the foreign keys it carries (those closing a cycle are left
/// out of it by the diff and added afterwards).
pub(super) fn create_table(table: &Table) -> String {
    let mut elements: Vec<String> = table.columns.iter().map(column).collect();
    if let Some(pk) = &table.primary_key {
        elements.push(format!("PRIMARY KEY ({})", list(&pk.columns)));
    }
    for unique in &table.uniques {
        elements.push(unique_key(unique));
    }
    for index in &table.indexes {
        elements.push(index_key(table, index));
    }
    for check in &table.checks {
        elements.push(check_constraint(check));
    }
    for fk in &table.foreign_keys {
        elements.push(foreign_key(fk));
    }
    let mut out = format!(
        "CREATE TABLE {} (\n    {}\n)",
        q(&table.name),
        elements.join(",\n    ")
    );
    if let Some(comment) = &table.comment {
        out.push_str(&format!(" COMMENT {}", text(comment)));
    }
    out
}

/// A column's whole definition, as CREATE TABLE, `ADD COLUMN` and `MODIFY COLUMN` write
/// it. NULL is always said: on a server with `explicit_defaults_for_timestamp` off, a
/// `timestamp` column left unsaid would become NOT NULL with defaults of its own.
pub(super) fn column(c: &Column) -> String {
    let mut out = format!("{} {}", q(&c.name), c.data_type);
    if let Some(collation) = &c.collation {
        out.push_str(" COLLATE ");
        out.push_str(collation);
    }
    if let Some(g) = &c.generated {
        let how = if g.stored { "STORED" } else { "VIRTUAL" };
        out.push_str(&format!(" GENERATED ALWAYS AS ({}) {how}", g.expression));
        // MariaDB refuses NULL and NOT NULL on a generated column; MySQL takes both.
        if !c.nullable {
            out.push_str(" NOT NULL");
        }
    } else {
        out.push_str(if c.nullable { " NULL" } else { " NOT NULL" });
        if let Some(default) = &c.default {
            out.push_str(" DEFAULT ");
            out.push_str(&default_text(default, &c.data_type));
        }
    }
    if c.identity == Some(Identity::AutoIncrement) {
        out.push_str(" AUTO_INCREMENT");
    }
    if let Some(comment) = &c.comment {
        out.push_str(&format!(" COMMENT {}", text(comment)));
    }
    out
}

/// A default as written after `DEFAULT`: a literal bare (but in parentheses on the text,
/// blob, json and geometry types, where MySQL takes only an expression), "now" bare, any
/// other expression in parentheses.
fn default_text(default: &str, data_type: &str) -> String {
    let d = default.trim();
    let now = d.starts_with("current_timestamp")
        && d["current_timestamp".len()..]
            .chars()
            .all(|c| c.is_ascii_digit() || c == '(' || c == ')');
    if now || (is_literal(d) && !needs_expression_default(data_type)) {
        d.to_string()
    } else {
        format!("({d})")
    }
}

/// The types MySQL gives no literal default: `DEFAULT ('x')` is the only way there.
fn needs_expression_default(data_type: &str) -> bool {
    let name = data_type.split(['(', ' ']).next().unwrap_or("");
    name.ends_with("text")
        || name.ends_with("blob")
        || matches!(
            name,
            "json"
                | "geometry"
                | "point"
                | "linestring"
                | "polygon"
                | "multipoint"
                | "multilinestring"
                | "multipolygon"
                | "geometrycollection"
        )
}

/// A number, a quoted string (`'…'`, `b'…'`, `x'…'`), a hex number, NULL, TRUE or FALSE.
pub(super) fn is_literal(text: &str) -> bool {
    let d = text.trim();
    let is_number = super::super::clauses::is_number(d);
    let quoted = |s: &str| {
        s.len() >= 2
            && s.starts_with('\'')
            && s.ends_with('\'')
            && !s[1..s.len() - 1]
                .replace("\\\\", "")
                .replace("\\'", "")
                .replace("''", "")
                .contains('\'')
    };
    let prefixed = d.len() > 1 && matches!(&d[..1], "b" | "B" | "x" | "X") && quoted(&d[1..]);
    is_number
        || quoted(d)
        || prefixed
        || ["null", "true", "false"]
            .iter()
            .any(|k| d.eq_ignore_ascii_case(k))
}

/// `UNIQUE KEY name (…)`.
pub(super) fn unique_key(unique: &Unique) -> String {
    match &unique.name {
        Some(name) => format!("UNIQUE KEY {} ({})", q(name), list(&unique.columns)),
        None => format!("UNIQUE KEY ({})", list(&unique.columns)),
    }
}

/// `[UNIQUE|FULLTEXT|SPATIAL] KEY name (parts) [USING HASH]`. A part is a column (DESC
/// where descending), a prefix `col(N)` (which introspection keeps as an expression), or
/// an expression `((…))` (MySQL 8's functional key parts).
pub(super) fn index_key(table: &Table, index: &Index) -> String {
    let kind = match index.method.as_deref() {
        Some("fulltext") => "FULLTEXT ",
        Some("spatial") => "SPATIAL ",
        _ if index.unique => "UNIQUE ",
        _ => "",
    };
    let parts: Vec<String> = index.parts.iter().map(|p| index_part(table, p)).collect();
    let mut out = format!("{kind}KEY {} ({})", q(&index.name), parts.join(", "));
    if let Some(method) = index
        .method
        .as_deref()
        .filter(|m| !matches!(*m, "fulltext" | "spatial"))
    {
        out.push_str(&format!(" USING {}", method.to_ascii_uppercase()));
    }
    out
}

fn index_part(table: &Table, part: &IndexPart) -> String {
    let key = if !part.expression {
        q(&part.key)
    } else if let Some((column, length)) = prefix(table, &part.key) {
        format!("{}({length})", q(column))
    } else {
        format!("({})", part.key)
    };
    if part.descending {
        format!("{key} DESC")
    } else {
        key
    }
}

/// `col(N)`, a prefix key part on a column of `table`: the column and N.
pub(super) fn prefix<'k>(table: &Table, key: &'k str) -> Option<(&'k str, &'k str)> {
    let (column, rest) = key.strip_suffix(')')?.rsplit_once('(')?;
    let is_length = !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit());
    (is_length && table.column(column).is_some()).then_some((column, rest))
}

/// `[CONSTRAINT name] CHECK (…)`.
pub(super) fn check_constraint(check: &Check) -> String {
    format!(
        "{}CHECK ({})",
        constraint_name(&check.name),
        check.expression
    )
}

/// `[CONSTRAINT name] FOREIGN KEY (…) REFERENCES t (…) [ON DELETE …] [ON UPDATE …]`.
/// Without a name the server makes one up (`<table>_ibfk_<n>`), which introspection reads
/// back as no name: the same model.
pub(super) fn foreign_key(fk: &ForeignKey) -> String {
    let mut out = format!(
        "{}FOREIGN KEY ({}) REFERENCES {} ({})",
        constraint_name(&fk.name),
        list(&fk.columns),
        q_table(&fk.references_table),
        list(&fk.references_columns)
    );
    out.push_str(&super::super::clauses::key_actions(fk, false));
    out
}

fn constraint_name(name: &Option<String>) -> String {
    name.as_ref()
        .map(|n| format!("CONSTRAINT {} ", q(n)))
        .unwrap_or_default()
}

pub(super) fn create_view(view: &View, replace: bool) -> String {
    let or_replace = if replace { "OR REPLACE " } else { "" };
    format!(
        "CREATE {or_replace}VIEW {} AS {}",
        q(&view.name),
        view.definition
    )
}

/// The user variable and prepared statement the look-ups use.
const LOOKED_UP: &str = "@retort_ddl";
const PREPARED: &str = "retort_ddl";

/// Runs the statement that `select` (a scalar subquery) builds: `SET`, `PREPARE`,
/// `EXECUTE`, `DEALLOCATE`. Where nothing is found, the statement run is a `SIGNAL` saying
/// `missing`, so the migration stops there rather than going on without the drop.
fn dynamic(why: &str, select: &str, missing: &str) -> Vec<String> {
    let missing = literal(missing).replace('\'', "''");
    vec![
        format!(
            "-- {why}\nSET {LOOKED_UP} = COALESCE(({select}), 'SIGNAL SQLSTATE ''45000'' SET MESSAGE_TEXT = {missing}')"
        ),
        format!("PREPARE {PREPARED} FROM {LOOKED_UP}"),
        format!("EXECUTE {PREPARED}"),
        format!("DEALLOCATE PREPARE {PREPARED}"),
    ]
}

/// A literal for text compared with `information_schema`, escaped for `LIKE`-free use.
fn names_in(names: &[&str]) -> String {
    if names.is_empty() {
        return "''".to_string();
    }
    names
        .iter()
        .map(|n| literal(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `ALTER TABLE t DROP FOREIGN KEY <the server's name>` for a foreign key whose name the
/// server made up (the model has none: it depends on the order of past statements, and a
/// declared schema and a migrated one differ there). The key is found by its definition:
/// its columns in order, the referenced table and columns, its actions; `named` are the
/// names of the table's other keys, which are not it.
pub(super) fn drop_unnamed_foreign_key(
    table: &str,
    fk: &ForeignKey,
    named: &[&str],
) -> Vec<String> {
    let quoted_list =
        |columns: &[String]| literal(&columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(","));
    let rule = |action: ReferentialAction| match action {
        ReferentialAction::NoAction | ReferentialAction::Restrict => {
            "('NO ACTION', 'RESTRICT')".to_string()
        }
        other => format!("('{}')", super::super::clauses::referential(other)),
    };
    let (ref_schema, ref_table) = match fk.references_table.split_once('.') {
        Some((db, t)) => (literal(db), literal(t)),
        None => ("DATABASE()".to_string(), literal(&fk.references_table)),
    };
    let select = format!(
        "SELECT CONCAT('ALTER TABLE {} DROP FOREIGN KEY `', REPLACE(k.CONSTRAINT_NAME, '`', '``'), '`') \
         FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME \
         AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = {} \
         AND k.REFERENCED_TABLE_SCHEMA = {ref_schema} AND k.REFERENCED_TABLE_NAME = {ref_table} \
         AND r.DELETE_RULE IN {} AND r.UPDATE_RULE IN {} AND k.CONSTRAINT_NAME NOT IN ({}) \
         GROUP BY k.CONSTRAINT_NAME \
         HAVING GROUP_CONCAT(CONCAT('`', REPLACE(k.COLUMN_NAME, '`', '``'), '`') ORDER BY k.ORDINAL_POSITION SEPARATOR ',') = {} \
         AND GROUP_CONCAT(CONCAT('`', REPLACE(k.REFERENCED_COLUMN_NAME, '`', '``'), '`') ORDER BY k.ORDINAL_POSITION SEPARATOR ',') = {} \
         ORDER BY k.CONSTRAINT_NAME LIMIT 1",
        q(table).replace('\'', "''"),
        literal(table),
        rule(fk.on_delete),
        rule(fk.on_update),
        names_in(named),
        quoted_list(&fk.columns),
        quoted_list(&fk.references_columns),
    );
    dynamic(
        &format!(
            "the server named this foreign key of {table}: its name is looked up by definition"
        ),
        &select,
        &format!("retort: no foreign key of {table} matches the one to drop"),
    )
}

/// `ALTER TABLE t DROP CONSTRAINT <the server's name>` for a CHECK whose name the server
/// made up (`CONSTRAINT_<n>` on MariaDB, `<table>_chk_<n>` on MySQL). Found by its clause
/// as the server prints it, without backquotes and outer parentheses, ignoring case; or,
/// when the clause reads otherwise, as the table's only unnamed check. `named` are the
/// table's other checks' names. A check written on a column (MariaDB) is not a table's
/// constraint and is not found: the migration stops there with a message.
pub(super) fn drop_unnamed_check(table: &str, check: &Check, named: &[&str]) -> Vec<String> {
    let expression = check.expression.replace('`', "").to_lowercase();
    let clause = "LOWER(REPLACE(c.CHECK_CLAUSE, '`', ''))";
    let matches = format!(
        "{clause} IN ({}, {})",
        literal(&expression),
        literal(&format!("({expression})"))
    );
    let candidates = format!(
        "FROM information_schema.TABLE_CONSTRAINTS t \
         JOIN information_schema.CHECK_CONSTRAINTS c \
         ON c.CONSTRAINT_SCHEMA = t.CONSTRAINT_SCHEMA AND c.CONSTRAINT_NAME = t.CONSTRAINT_NAME \
         WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME = {} AND t.CONSTRAINT_TYPE = 'CHECK' \
         AND t.CONSTRAINT_NAME NOT IN ({})",
        literal(table),
        names_in(named)
    );
    let select = format!(
        "SELECT CONCAT('ALTER TABLE {} DROP CONSTRAINT `', REPLACE(t.CONSTRAINT_NAME, '`', '``'), '`') \
         {candidates} AND ({matches} OR (SELECT COUNT(DISTINCT t.CONSTRAINT_NAME) {candidates}) = 1) \
         ORDER BY {matches} DESC, t.CONSTRAINT_NAME LIMIT 1",
        q(table).replace('\'', "''"),
    );
    dynamic(
        &format!("the server named this check of {table}: its name is looked up by its clause"),
        &select,
        &format!(
            "retort: no check of {table} matches CHECK ({})",
            check.expression
        ),
    )
}
