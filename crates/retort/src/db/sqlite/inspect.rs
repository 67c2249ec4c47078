//! A SQLite database's main schema as a [`Schema`], for autogenerate and `check` (issue 16).
//!
//! Six bulk queries whatever the number of tables (the catalog, then each table-valued
//! pragma joined over it), never one per table: on a 1,000-table schema a query per table
//! would cost more than everything else. What the pragmas do not say (CHECK constraints,
//! generated expressions, collations, AUTOINCREMENT, constraint names, deferrability, index
//! expressions and predicates) is read from the CREATE text SQLite keeps (`ddl`), and
//! everything is normalized (`normalize`) so that one schema always gives one model.

mod ddl;
mod normalize;
#[cfg(test)]
mod tests;
mod tokens;

use std::collections::{HashMap, HashSet};

use super::errors::err;
use crate::db::DbError;
use crate::dialect::Dialect;
use crate::schema::{
    Column, ForeignKey, Generated, Identity, Index, IndexPart, PrimaryKey, ReferentialAction,
    Schema, Table, TableOptions, Unique, Unmanaged, View,
};

/// The tables of the main schema that the pragmas are joined over: not SQLite's own, not
/// virtual tables (whose module may not even be loaded here).
const TABLES_FROM: &str = "main.sqlite_master AS m";
const TABLES_WHERE: &str = "WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     AND m.sql NOT LIKE 'CREATE VIRTUAL %'";

/// Reads the main schema of `conn`, leaving out the tables named in `exclude` (retort's own
/// version and log tables, which no declared schema holds), compared without regard to
/// ASCII case as SQLite compares names. Triggers and virtual tables are listed as
/// unmanaged; the shadow tables of a virtual table are its own and are not listed.
pub fn inspect(conn: &rusqlite::Connection, exclude: &[&str]) -> Result<Schema, DbError> {
    let mut schema = Schema::new(Dialect::Sqlite);
    let excluded = |name: &str| exclude.iter().any(|e| e.eq_ignore_ascii_case(name));

    // Shadow tables (an FTS index's storage…), and WITHOUT ROWID and STRICT tables.
    let mut shadow = HashSet::new();
    let mut without_rowid = HashSet::new();
    let mut options = HashMap::new();
    query(
        conn,
        "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'",
        |row| {
            let name: String = row.get(0)?;
            if row.get::<_, String>(1)? == "shadow" {
                shadow.insert(name.clone());
            }
            let table = TableOptions {
                without_rowid: row.get::<_, i64>(2)? != 0,
                strict: row.get::<_, i64>(3)? != 0,
            };
            if table.without_rowid {
                without_rowid.insert(name.clone());
            }
            options.insert(name, table);
            Ok(())
        },
    )?;

    let mut table_ddl = HashMap::new();
    let mut index_sql = HashMap::new();
    query(
        conn,
        "SELECT type, name, sql FROM main.sqlite_master \
         WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        |row| {
            let kind: String = row.get(0)?;
            let name: String = row.get(1)?;
            let sql: String = row.get::<_, Option<String>>(2)?.unwrap_or_default();
            match kind.as_str() {
                _ if excluded(&name) || shadow.contains(&name) => {}
                "table" if starts_with_words(&sql, "CREATE VIRTUAL TABLE") => {
                    schema.unmanaged.push(unmanaged("virtual table", name));
                }
                "table" => {
                    table_ddl.insert(name.clone(), ddl::table(&sql));
                    let mut table = Table::new(name.clone());
                    table.options = options.get(&name).copied().unwrap_or_default();
                    schema.tables.insert(name, table);
                }
                "view" => {
                    let definition = ddl::view(&sql);
                    schema.views.insert(name.clone(), View { name, definition });
                }
                "index" => {
                    index_sql.insert(name, sql);
                }
                other => schema.unmanaged.push(unmanaged(other, name)),
            }
            Ok(())
        },
    )?;

    columns(conn, &mut schema, &table_ddl, &without_rowid)?;
    indexes(conn, &mut schema, &table_ddl, &index_sql)?;
    foreign_keys(conn, &mut schema, &table_ddl)?;

    for (name, ddl) in table_ddl {
        if let Some(table) = schema.tables.get_mut(&name) {
            table.checks = ddl.checks;
            table
                .checks
                .sort_by(|a, b| (&a.expression, &a.name).cmp(&(&b.expression, &b.name)));
        }
    }
    schema.unmanaged.sort();
    Ok(schema)
}

/// Columns in order, and the primary key.
fn columns(
    conn: &rusqlite::Connection,
    schema: &mut Schema,
    table_ddl: &HashMap<String, ddl::TableDdl>,
    without_rowid: &HashSet<String>,
) -> Result<(), DbError> {
    // table → its primary key's columns: (position in the key, name, declared INTEGER).
    let mut keys: HashMap<String, Vec<(i64, String, bool)>> = HashMap::new();
    let sql = format!(
        "SELECT m.name, c.name, c.type, c.\"notnull\", c.dflt_value, c.pk, c.hidden \
         FROM {TABLES_FROM} JOIN pragma_table_xinfo(m.name, 'main') AS c {TABLES_WHERE} \
         ORDER BY m.name, c.cid",
    );
    query(conn, &sql, |row| {
        let table: String = row.get(0)?;
        let Some(t) = schema.tables.get_mut(&table) else {
            return Ok(());
        };
        let hidden: i64 = row.get(6)?;
        if hidden == 1 {
            return Ok(());
        }
        let name: String = row.get(1)?;
        let declared: String = row.get(2)?;
        let mut column = Column::new(name.clone(), normalize::data_type(&declared));
        column.nullable = row.get::<_, i64>(3)? == 0;
        column.default = row
            .get::<_, Option<String>>(4)?
            .and_then(|d| normalize::default(&d));
        let ddl = table_ddl.get(&table).and_then(|d| d.column(&name));
        column.collation = ddl.and_then(|d| d.collation.clone());
        if hidden == 2 || hidden == 3 {
            column.generated = Some(Generated {
                expression: ddl.and_then(|d| d.generated.clone()).unwrap_or_default(),
                stored: hidden == 3,
            });
        }
        let pk: i64 = row.get(5)?;
        if pk > 0 {
            let integer = declared.eq_ignore_ascii_case("integer");
            keys.entry(table).or_default().push((pk, name, integer));
        }
        t.columns.push(column);
        Ok(())
    })?;
    for (table, mut key) in keys {
        key.sort();
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        let wr = without_rowid.contains(&table);
        // Only a single column declared exactly INTEGER in a rowid table is the rowid.
        let ddl = table_ddl.get(&table).and_then(|d| d.column(&key[0].1));
        let rowid_alias = !wr
            && matches!(key.as_slice(), [(_, _, true)])
            && !ddl.is_some_and(|c| c.primary_key_desc);
        let autoincrement = rowid_alias && ddl.is_some_and(|c| c.autoincrement);
        for c in &mut t.columns {
            if key.iter().any(|(_, k, _)| *k == c.name) {
                // A rowid alias never holds NULL (NULL means "the next rowid"), and a
                // WITHOUT ROWID table refuses NULL in its key: NOT NULL is implied.
                if rowid_alias || wr {
                    c.nullable = false;
                }
                if autoincrement {
                    c.identity = Some(Identity::AutoIncrement);
                }
            }
        }
        t.primary_key = Some(PrimaryKey {
            name: None,
            columns: key.into_iter().map(|(_, c, _)| c).collect(),
        });
    }
    Ok(())
}

/// One key column of an index, by `(table, index)`, from `pragma_index_xinfo`: its `cid`
/// (-2 for an expression), the column's name, whether descending.
type KeyColumn = (i64, Option<String>, bool);

/// UNIQUE constraints and indexes; the primary key's own index is the primary key.
fn indexes(
    conn: &rusqlite::Connection,
    schema: &mut Schema,
    table_ddl: &HashMap<String, ddl::TableDdl>,
    index_sql: &HashMap<String, String>,
) -> Result<(), DbError> {
    let mut parts: HashMap<(String, String), Vec<KeyColumn>> = HashMap::new();
    let sql = format!(
        "SELECT m.name, il.name, x.cid, x.name, x.\"desc\" \
         FROM {TABLES_FROM} JOIN pragma_index_list(m.name, 'main') AS il \
         JOIN pragma_index_xinfo(il.name, 'main') AS x {TABLES_WHERE} AND x.key = 1 \
         ORDER BY m.name, il.name, x.seqno",
    );
    query(conn, &sql, |row| {
        parts.entry((row.get(0)?, row.get(1)?)).or_default().push((
            row.get(2)?,
            row.get(3)?,
            row.get::<_, i64>(4)? != 0,
        ));
        Ok(())
    })?;
    let sql = format!(
        "SELECT m.name, il.name, il.\"unique\", il.origin, il.partial \
         FROM {TABLES_FROM} JOIN pragma_index_list(m.name, 'main') AS il {TABLES_WHERE}",
    );
    query(conn, &sql, |row| {
        let table: String = row.get(0)?;
        let name: String = row.get(1)?;
        let origin: String = row.get(3)?;
        let Some(t) = schema.tables.get_mut(&table) else {
            return Ok(());
        };
        let keys = parts
            .remove(&(table.clone(), name.clone()))
            .unwrap_or_default();
        match origin.as_str() {
            "pk" => {}
            "u" => {
                let columns: Vec<String> = keys.into_iter().filter_map(|(_, c, _)| c).collect();
                let name = table_ddl.get(&table).and_then(|d| {
                    d.unique_names
                        .iter()
                        .find(|(cols, _)| same_names(cols, &columns))
                        .map(|(_, n)| n.clone())
                });
                t.uniques.push(Unique { name, columns });
            }
            _ => {
                // The text is read only for what the pragmas lack: a predicate, or an
                // expression's text (on a large schema, most indexes have neither).
                let partial = row.get::<_, i64>(4)? != 0;
                let ddl = if partial || keys.iter().any(|(cid, _, _)| *cid < 0) {
                    ddl::index(index_sql.get(&name).map_or("", String::as_str))
                } else {
                    ddl::IndexDdl::default()
                };
                let parts = keys
                    .into_iter()
                    .enumerate()
                    .map(|(i, (cid, column, descending))| match column {
                        Some(key) if cid >= 0 => IndexPart {
                            key,
                            expression: false,
                            descending,
                            nulls_first: None,
                            opclass: None,
                            collation: None,
                        },
                        _ => IndexPart {
                            key: ddl.keys.get(i).map(|k| k.key.clone()).unwrap_or_default(),
                            expression: true,
                            descending,
                            nulls_first: None,
                            opclass: None,
                            collation: None,
                        },
                    })
                    .collect();
                t.indexes.push(Index {
                    name,
                    unique: row.get::<_, i64>(2)? != 0,
                    parts,
                    predicate: ddl.predicate,
                    method: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                });
            }
        }
        Ok(())
    })?;
    for t in schema.tables.values_mut() {
        t.uniques
            .sort_by(|a, b| (&a.columns, &a.name).cmp(&(&b.columns, &b.name)));
        t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(())
}

/// Foreign keys, with the names and deferrability only the CREATE text has.
fn foreign_keys(
    conn: &rusqlite::Connection,
    schema: &mut Schema,
    table_ddl: &HashMap<String, ddl::TableDdl>,
) -> Result<(), DbError> {
    // (table, id) → the key; the pragma gives one row per column.
    let mut keys: Vec<(String, i64, ForeignKey, Vec<Option<String>>)> = Vec::new();
    let sql = format!(
        "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete \
         FROM {TABLES_FROM} JOIN pragma_foreign_key_list(m.name, 'main') AS f {TABLES_WHERE} \
         ORDER BY m.name, f.id, f.seq",
    );
    query(conn, &sql, |row| {
        let table: String = row.get(0)?;
        let id: i64 = row.get(1)?;
        let from: String = row.get(3)?;
        let to: Option<String> = row.get(4)?;
        match keys.last_mut() {
            Some((t, i, fk, to_columns)) if *t == table && *i == id => {
                fk.columns.push(from);
                to_columns.push(to);
            }
            _ => {
                let fk = ForeignKey {
                    name: None,
                    columns: vec![from],
                    references_table: row.get(2)?,
                    references_columns: Vec::new(),
                    on_update: action(&row.get::<_, String>(5)?),
                    on_delete: action(&row.get::<_, String>(6)?),
                    deferrable: Default::default(),
                    match_full: false,
                    not_valid: false,
                };
                keys.push((table, id, fk, vec![to]));
            }
        }
        Ok(())
    })?;
    let mut used: HashSet<(String, usize)> = HashSet::new();
    // Tables by their name in lowercase: REFERENCES may spell a name in another case.
    let by_lowercase: HashMap<String, &String> = schema
        .tables
        .keys()
        .map(|k| (k.to_ascii_lowercase(), k))
        .collect();
    let mut resolved = Vec::with_capacity(keys.len());
    for (table, _, mut fk, to_columns) in keys {
        // The parent as the catalog spells it; `REFERENCES parent` without columns means
        // its primary key.
        let parent = by_lowercase
            .get(&fk.references_table.to_ascii_lowercase())
            .and_then(|k| schema.tables.get(*k));
        if let Some(p) = parent {
            fk.references_table = p.name.clone();
        }
        let parent_key = parent
            .and_then(|p| p.primary_key.as_ref())
            .map(|k| &k.columns);
        fk.references_columns = to_columns
            .into_iter()
            .enumerate()
            .map(|(i, to)| {
                let to = to.or_else(|| parent_key.and_then(|k| k.get(i).cloned()));
                let to = to.unwrap_or_default();
                parent
                    .and_then(|p| p.columns.iter().find(|c| c.name.eq_ignore_ascii_case(&to)))
                    .map_or(to, |c| c.name.clone())
            })
            .collect();
        if let Some(ddl) = table_ddl.get(&table) {
            let found = ddl.foreign_keys.iter().enumerate().find(|(i, d)| {
                !used.contains(&(table.clone(), *i)) && same_names(&d.columns, &fk.columns)
            });
            if let Some((i, d)) = found {
                used.insert((table.clone(), i));
                fk.name = d.name.clone();
                fk.deferrable = d.deferrable;
            }
        }
        resolved.push((table, fk));
    }
    for (table, fk) in resolved {
        if let Some(t) = schema.tables.get_mut(&table) {
            t.foreign_keys.push(fk);
        }
    }
    for t in schema.tables.values_mut() {
        t.sort_foreign_keys();
    }
    Ok(())
}

fn action(text: &str) -> ReferentialAction {
    match text.to_ascii_uppercase().as_str() {
        "RESTRICT" => ReferentialAction::Restrict,
        "CASCADE" => ReferentialAction::Cascade,
        "SET NULL" => ReferentialAction::SetNull,
        "SET DEFAULT" => ReferentialAction::SetDefault,
        _ => ReferentialAction::NoAction,
    }
}

/// Names equal as SQLite compares them (ASCII case ignored), one by one.
fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// Whether `sql` starts with `words` (SQLite writes the CREATE and object words of the text
/// it keeps in capitals, single-spaced).
fn starts_with_words(sql: &str, words: &str) -> bool {
    sql.get(..words.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(words))
}

fn unmanaged(kind: &str, name: String) -> Unmanaged {
    Unmanaged {
        kind: kind.to_owned(),
        name,
    }
}

/// Runs `sql` and hands each row to `each`.
fn query(
    conn: &rusqlite::Connection,
    sql: &str,
    mut each: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> Result<(), DbError> {
    let mut stmt = conn.prepare(sql).map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        each(row).map_err(err)?;
    }
    Ok(())
}
