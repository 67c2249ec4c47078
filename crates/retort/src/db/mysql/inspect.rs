//! A MySQL or MariaDB database (the session's `DATABASE()`) as a [`Schema`], for
//! autogenerate and `check` (issue 16).
//!
//! [`QUERIES`] (9) bulk `information_schema` queries whatever the number of tables
//! (`queries`), never one per table and no `SHOW CREATE TABLE`: on 1,000 tables a query per
//! table would cost more than everything else. What the servers spell differently
//! (display widths, quoted or bare literal defaults, parentheses around expressions,
//! `json` as `longtext` with a CHECK on MariaDB, automatic constraint names) is normalized
//! (`normalize`, `expr`) so that one schema always gives one model on MariaDB 10.x/11.x
//! and MySQL 8.
//!
//! How MySQL's own ways appear in the model:
//! - a unique index on whole columns in ascending order is a [`Unique`] with its name (the
//!   server makes no difference between the two); one with a prefix, a descending part,
//!   an expression or a method other than BTREE is an [`Index`] with `unique`;
//! - a prefix key part (`body(10)`) is an [`IndexPart`] with `expression` set and the key
//!   `body(10)` (the model has no prefix length); FULLTEXT, SPATIAL and HASH indexes
//!   carry `method` `fulltext`, `spatial`, `hash`; BTREE is the default, `None`;
//! - the index MySQL creates for a foreign key whose columns no index leads with is an
//!   ordinary [`Index`], as the catalog has it: it is a real index (it stays when the
//!   foreign key is dropped, and MySQL drops it by itself once another index can serve
//!   the key), and its name follows the same rule whether the key came with CREATE TABLE
//!   or ALTER TABLE (the constraint's name if given, else the first column's), so a
//!   declared schema and the same schema reached by migrations give the same index. A
//!   renderer must therefore create such an index before adding the foreign key (MySQL
//!   then uses it and makes none) and drop it after dropping the key;
//! - names the server made up, which depend on the order of past statements, are `None`:
//!   foreign keys `<table>_ibfk_<n>`, checks `CONSTRAINT_<n>` (MariaDB) or
//!   `<table>_chk_<n>` (MySQL), and MariaDB's column-level checks (named after their
//!   column); RESTRICT is NO ACTION (InnoDB checks both at once, and MariaDB reports
//!   RESTRICT for a key declared without an action). Dropping such a foreign key needs
//!   the name the server gave it, which a renderer must look up;
//! - what the model has no field for is listed in `unmanaged` rather than dropped:
//!   `ON UPDATE` of a column (kind `on update`, name `table.column = expression`),
//!   invisible columns and indexes, sequences, partitioned and system-versioned tables, with
//!   triggers, functions, procedures and events.
//!
//! On MariaDB 10.11 here, 1,000 tables (10 columns, a primary key, 2 indexes, a foreign
//! key each) are read in about 90 ms, of which the queries alone take 66 ms
//! (`tests::inspect_1000_tables`).

mod expr;
mod normalize;
mod queries;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use mysql_async::prelude::Queryable;
use mysql_async::Row as DriverRow;

use super::connection::Blocking;
use super::errors::error;
use crate::db::DbError;
use crate::dialect::mysql::numbered;
use crate::dialect::Dialect;
use crate::schema::{
    Check, Column, ForeignKey, Generated, Identity, Index, IndexPart, PrimaryKey,
    ReferentialAction, Schema, Table, Unique, Unmanaged, View,
};

/// How many queries [`inspect`] sends, whatever the number of tables (one fewer on MySQL
/// before 8.0.16, which has no CHECK constraints to read). The tests hold the server's
/// own count of statements to it.
#[cfg_attr(not(test), allow(dead_code))]
pub(super) const QUERIES: u64 = 9;

/// The server being read, as far as its catalog differs.
pub(super) struct Server {
    database: String,
    mariadb: bool,
    version: (u32, u32, u32),
}

impl Server {
    /// From `DATABASE()` and `VERSION()` (`10.11.6-MariaDB-0+deb12u1`, `8.0.36`).
    fn new(database: String, version: &str) -> Server {
        let mut numbers = version
            .split(|c: char| !c.is_ascii_digit())
            .map(|n| n.parse::<u32>().unwrap_or(0));
        let mut next = || numbers.next().unwrap_or(0);
        Server {
            database,
            mariadb: version.to_ascii_lowercase().contains("mariadb"),
            version: (next(), next(), next()),
        }
    }

    fn at_least(&self, major: u32, minor: u32, patch: u32) -> bool {
        self.version >= (major, minor, patch)
    }

    fn has_functional_indexes(&self) -> bool {
        !self.mariadb && self.at_least(8, 0, 13)
    }

    /// `CHECK_CONSTRAINTS.LEVEL`, added to MariaDB in 10.2.38, 10.3.29, 10.4.19, 10.5.10.
    fn has_check_level(&self) -> bool {
        let (major, minor, patch) = self.version;
        self.mariadb
            && match (major, minor) {
                (10, 2) => patch >= 38,
                (10, 3) => patch >= 29,
                (10, 4) => patch >= 19,
                (10, 5) => patch >= 10,
                _ => self.at_least(10, 6, 0),
            }
    }
}

/// Reads the session's current database, leaving out the tables named in `exclude`
/// (retort's own version and log tables, which no declared schema holds), compared
/// exactly as MySQL compares table names on Linux.
pub(super) fn inspect(conn: &mut Blocking<'_>, exclude: &[&str]) -> Result<Schema, DbError> {
    let mut server = None;
    each(conn, queries::SERVER, |row| {
        server = Some((row.opt(0).map(str::to_owned), row.owned(1)));
        Ok(())
    })?;
    let server = match server {
        Some((Some(database), version)) => Server::new(database, &version),
        _ => {
            return Err(DbError::new(
                "no database is selected on this MySQL session, so there is no schema to \
                 read: name the database in the connection URL, or select one with USE",
            ))
        }
    };

    let mut schema = Schema::new(Dialect::Mysql);
    // Each table's default collation: a column's is kept only where it differs.
    let mut collations: HashMap<String, String> = HashMap::new();
    each(conn, queries::TABLES, |row| {
        let name = row.owned(0);
        if exclude.contains(&name.as_str()) {
            return Ok(());
        }
        match row.text(1) {
            "BASE TABLE" | "SYSTEM VERSIONED" => {
                if row.text(1) == "SYSTEM VERSIONED" {
                    schema
                        .unmanaged
                        .push(unmanaged("system-versioned table", &name));
                }
                if row.text(4).to_ascii_lowercase().contains("partitioned") {
                    schema.unmanaged.push(unmanaged("partitioned table", &name));
                }
                let mut table = Table::new(name.clone());
                table.comment = row.opt(3).filter(|c| !c.is_empty()).map(str::to_owned);
                collations.insert(name.clone(), row.owned(2));
                schema.tables.insert(name, table);
            }
            "VIEW" => {
                let definition = String::new();
                schema.views.insert(name.clone(), View { name, definition });
            }
            "SEQUENCE" => schema.unmanaged.push(unmanaged("sequence", &name)),
            // Temporary tables (listed by MariaDB 11.2+) belong to a session, not the schema.
            _ => {}
        }
        Ok(())
    })?;

    each(conn, queries::VIEWS, |row| {
        if let Some(view) = schema.views.get_mut(row.text(0)) {
            view.definition = expr::expr(row.text(1), Some(&server.database));
        }
        Ok(())
    })?;

    columns(conn, &server, &mut schema, &collations)?;
    indexes(conn, &server, &mut schema)?;
    foreign_keys(conn, &server, &mut schema)?;
    checks(conn, &server, &mut schema)?;
    each(conn, queries::UNMANAGED, |row| {
        schema
            .unmanaged
            .push(unmanaged(&row.text(0).to_ascii_lowercase(), row.text(1)));
        Ok(())
    })?;
    schema.unmanaged.sort();
    Ok(schema)
}

fn columns(
    conn: &mut Blocking<'_>,
    server: &Server,
    schema: &mut Schema,
    collations: &HashMap<String, String>,
) -> Result<(), DbError> {
    let mut more = Vec::new();
    // (table, position, column), put in order once all are read.
    let mut found: Vec<(String, u64, Column)> = Vec::new();
    each(conn, queries::COLUMNS, |row| {
        let table = row.text(0);
        if !schema.tables.contains_key(table) {
            return Ok(());
        }
        let name = row.owned(1);
        let extra = row.text(5);
        let lower_extra = extra.to_ascii_lowercase();
        let mut column = Column::new(name.clone(), normalize::data_type(row.text(2)));
        column.nullable = row.text(3) == "YES";
        if lower_extra.contains("auto_increment") {
            column.identity = Some(Identity::AutoIncrement);
        }
        let stored = lower_extra.contains("stored generated")
            || lower_extra.contains("persistent generated");
        if stored || lower_extra.contains("virtual generated") {
            column.generated = Some(Generated {
                expression: expr::expr(row.text(6), Some(&server.database)),
                stored,
            });
        } else if column.identity.is_none() {
            column.default =
                normalize::default(row.opt(4), extra, &column.data_type, server.mariadb);
        }
        if let Some(on_update) = normalize::on_update(extra) {
            more.push(unmanaged(
                "on update",
                &format!("{table}.{name} = {on_update}"),
            ));
        }
        if lower_extra.split_whitespace().any(|w| w == "invisible") {
            more.push(unmanaged("invisible column", &format!("{table}.{name}")));
        }
        column.collation = row
            .opt(7)
            .filter(|c| collations.get(table).is_none_or(|d| d != c))
            .map(str::to_owned);
        column.comment = row.opt(8).filter(|c| !c.is_empty()).map(str::to_owned);
        found.push((table.to_owned(), row.number(9), column));
        Ok(())
    })?;
    found.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    for (table, _, column) in found {
        if let Some(t) = schema.tables.get_mut(&table) {
            t.columns.push(column);
        }
    }
    schema.unmanaged.extend(more);
    Ok(())
}

/// One index as the catalog lists it, its parts in order.
struct IndexRows {
    table: String,
    name: String,
    unique: bool,
    method: Option<String>,
    /// With their position in the index.
    parts: Vec<(u64, IndexPart)>,
    /// Invisible (MySQL) or ignored (MariaDB).
    hidden: bool,
}

/// The primary key, unique constraints and the other indexes.
fn indexes(conn: &mut Blocking<'_>, server: &Server, schema: &mut Schema) -> Result<(), DbError> {
    // By (table, index), in the order first seen.
    let mut found: Vec<IndexRows> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    each(conn, &queries::statistics(server), |row| {
        let key = (row.owned(0), row.owned(1));
        if !schema.tables.contains_key(&key.0) {
            return Ok(());
        }
        let i = *at.entry(key.clone()).or_insert_with(|| {
            let method = row.text(6).to_ascii_lowercase();
            found.push(IndexRows {
                table: key.0.clone(),
                name: key.1.clone(),
                unique: row.text(2) == "0",
                method: (method != "btree" && !method.is_empty()).then_some(method),
                parts: Vec::new(),
                hidden: row.text(8) == "1",
            });
            found.len() - 1
        });
        let descending = row.text(5) == "D";
        let part = match (row.opt(3), row.opt(4), row.opt(7)) {
            (Some(column), None, _) => IndexPart {
                key: column.to_owned(),
                expression: false,
                descending,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
            (Some(column), Some(length), _) => IndexPart {
                key: format!("{column}({length})"),
                expression: true,
                descending,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
            (None, _, expression) => IndexPart {
                key: expr::expr(expression.unwrap_or(""), Some(&server.database)),
                expression: true,
                descending,
                nulls_first: None,
                opclass: None,
                collation: None,
            },
        };
        found[i].parts.push((row.number(9), part));
        Ok(())
    })?;
    for mut index in found {
        index.parts.sort_unstable_by_key(|(seq, _)| *seq);
        let parts: Vec<IndexPart> = index.parts.into_iter().map(|(_, p)| p).collect();
        let plain = parts.iter().all(|p| !p.expression && !p.descending);
        if index.hidden {
            schema.unmanaged.push(unmanaged(
                "invisible index",
                &format!("{}.{}", index.table, index.name),
            ));
        }
        let Some(t) = schema.tables.get_mut(&index.table) else {
            continue;
        };
        let columns = || parts.iter().map(|p| p.key.clone()).collect();
        if index.name == "PRIMARY" {
            t.primary_key = Some(PrimaryKey {
                name: None,
                columns: columns(),
            });
        } else if index.unique && plain && index.method.is_none() {
            t.uniques.push(Unique {
                name: Some(index.name.clone()),
                columns: columns(),
            });
        } else {
            t.indexes.push(Index {
                name: index.name,
                unique: index.unique,
                parts,
                predicate: None,
                method: index.method,
                include: Vec::new(),
                nulls_not_distinct: false,
            });
        }
    }
    for t in schema.tables.values_mut() {
        t.uniques
            .sort_by(|a, b| (&a.columns, &a.name).cmp(&(&b.columns, &b.name)));
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(())
}

fn foreign_keys(
    conn: &mut Blocking<'_>,
    server: &Server,
    schema: &mut Schema,
) -> Result<(), DbError> {
    // (table, constraint) → (ON UPDATE, ON DELETE).
    let mut actions: HashMap<(String, String), (ReferentialAction, ReferentialAction)> =
        HashMap::new();
    each(conn, queries::REFERENTIAL_CONSTRAINTS, |row| {
        actions.insert(
            (row.owned(0), row.owned(1)),
            (action(row.text(2)), action(row.text(3))),
        );
        Ok(())
    })?;
    // By (table, constraint), in the order first seen; columns with their position.
    type Columns = Vec<(u64, String, String)>;
    let mut found: Vec<(String, ForeignKey, Columns)> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    each(conn, queries::FOREIGN_KEY_COLUMNS, |row| {
        let key = (row.owned(0), row.owned(1));
        if !schema.tables.contains_key(&key.0) {
            return Ok(());
        }
        let i = *at.entry(key.clone()).or_insert_with(|| {
            let (on_update, on_delete) = actions.get(&key).copied().unwrap_or_default();
            let (table, name) = key;
            // A table of another database keeps its database's name.
            let references_table = match row.opt(3) {
                Some(db) if db != server.database => format!("{db}.{}", row.text(4)),
                _ => row.owned(4),
            };
            let name = (!numbered(&name, &format!("{table}_ibfk_"))).then_some(name);
            let fk = ForeignKey {
                name,
                columns: Vec::new(),
                references_table,
                references_columns: Vec::new(),
                on_update,
                on_delete,
                deferrable: Default::default(),
                match_full: false,
                not_valid: false,
            };
            found.push((table, fk, Vec::new()));
            found.len() - 1
        });
        found[i].2.push((row.number(6), row.owned(2), row.owned(5)));
        Ok(())
    })?;
    for (table, mut fk, mut columns) in found {
        columns.sort_unstable_by_key(|(position, _, _)| *position);
        (fk.columns, fk.references_columns) = columns.into_iter().map(|(_, c, r)| (c, r)).unzip();
        if let Some(t) = schema.tables.get_mut(&table) {
            t.foreign_keys.push(fk);
        }
    }
    for t in schema.tables.values_mut() {
        t.sort_foreign_keys();
    }
    Ok(())
}

/// CHECK constraints, and MariaDB's `json` columns: `longtext` with a column-level
/// `json_valid` check, which is the type's own and not listed.
fn checks(conn: &mut Blocking<'_>, server: &Server, schema: &mut Schema) -> Result<(), DbError> {
    let Some(sql) = queries::checks(server) else {
        return Ok(());
    };
    each(conn, &sql, |row| {
        let table = row.text(0);
        let Some(t) = schema.tables.get_mut(table) else {
            return Ok(());
        };
        let name = row.text(1);
        let expression = expr::expr(row.text(2), Some(&server.database));
        let on_column = server.mariadb
            && match row.opt(3) {
                Some(level) => level.eq_ignore_ascii_case("column"),
                // Before LEVEL: a check named after a column was written on it.
                None => t.column(name).is_some(),
            };
        if on_column {
            let json_valid =
                expr::expr(&format!("json_valid(`{}`)", name.replace('`', "``")), None);
            if expression == json_valid {
                if let Some(c) = t.columns.iter_mut().find(|c| c.name == name) {
                    if c.data_type == "longtext" {
                        c.data_type = "json".to_owned();
                        c.collation = None;
                        return Ok(());
                    }
                }
            }
        }
        let made_up = on_column
            || if server.mariadb {
                numbered(name, "CONSTRAINT_")
            } else {
                numbered(name, &format!("{table}_chk_"))
            };
        t.checks.push(Check {
            name: (!made_up).then(|| name.to_owned()),
            expression,
            not_valid: false,
        });
        Ok(())
    })?;
    for t in schema.tables.values_mut() {
        t.checks
            .sort_by(|a, b| (&a.expression, &a.name).cmp(&(&b.expression, &b.name)));
    }
    Ok(())
}

/// InnoDB checks RESTRICT and NO ACTION alike, at once: one action.
fn action(rule: &str) -> ReferentialAction {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

fn unmanaged(kind: &str, name: &str) -> Unmanaged {
    Unmanaged {
        kind: kind.to_owned(),
        name: name.to_owned(),
    }
}

/// A catalog row, every value as text (the text protocol sends them so).
struct Row(Vec<Option<String>>);

impl Row {
    fn opt(&self, i: usize) -> Option<&str> {
        self.0.get(i).and_then(|v| v.as_deref())
    }

    /// The value, or `""` for NULL.
    fn text(&self, i: usize) -> &str {
        self.opt(i).unwrap_or("")
    }

    fn owned(&self, i: usize) -> String {
        self.text(i).to_owned()
    }

    /// A position (`ORDINAL_POSITION`, `SEQ_IN_INDEX`); 0 if the server sent none.
    fn number(&self, i: usize) -> u64 {
        self.text(i).parse().unwrap_or(0)
    }
}

/// Runs `sql` (text protocol) and hands each row to `f`.
fn each(
    conn: &mut Blocking<'_>,
    sql: &str,
    mut f: impl FnMut(Row) -> Result<(), DbError>,
) -> Result<(), DbError> {
    let session = &mut *conn.conn;
    let rows: Vec<DriverRow> = conn.runtime.block_on(async {
        let mut result = session.query_iter(sql).await.map_err(error)?;
        let rows = result.collect().await.map_err(error)?;
        result.drop_result().await.map_err(error)?;
        Ok::<_, DbError>(rows)
    })?;
    for row in rows {
        f(Row(row.unwrap().into_iter().map(text).collect()))?;
    }
    Ok(())
}

fn text(value: mysql_async::Value) -> Option<String> {
    match value {
        mysql_async::Value::NULL => None,
        mysql_async::Value::Bytes(bytes) => Some(
            String::from_utf8(bytes)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        ),
        mysql_async::Value::Int(i) => Some(i.to_string()),
        mysql_async::Value::UInt(u) => Some(u.to_string()),
        other => Some(other.as_sql(true)),
    }
}
