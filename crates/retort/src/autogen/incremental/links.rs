//! Foreign keys from tables the incremental load keeps into tables it makes again.
//!
//! Why: in the dev loop the table edited is often one that many others reference (users,
//! orgs). Dropping it would take their foreign keys with it, and making every referencing
//! table again costs seconds per hundred tables on a server. So those keys alone are
//! dropped before and added again after: the server writes each key's definition (so
//! nothing is reparsed by us) and checks it when it is added, against the table as it is
//! now declared, as a full load would. A key that no longer fits fails to be added, and
//! the caller then loads everything, which names the declared statement at fault.

use super::Scratch;
use crate::db::Value;
use crate::dialect::mysql::numbered;
use crate::dialect::Dialect;
use crate::error::Error;

/// One foreign key of a kept table into a table made again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Link {
    table: String,
    name: String,
    /// Whether the DDL named the key. MySQL names an unnamed key's index after its first
    /// column, a named key's after the key: a key the server named is added again unnamed,
    /// so that its index keeps the name a full load gives it.
    named: bool,
    /// What follows `ADD CONSTRAINT name` to make the key again, as the server describes it.
    definition: String,
}

/// The foreign keys of the tables `from` that reference one of the tables `remade`, read
/// from the server's catalog (nothing to read when either list is empty).
pub(super) fn into(
    scratch: &mut Scratch,
    remade: &[&str],
    from: &[String],
) -> Result<Vec<Link>, Error> {
    if remade.is_empty() || from.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = scratch.dialect();
    let sql = dialect.sql();
    let list = |names: &mut dyn Iterator<Item = &str>| -> String {
        names.map(|n| sql.literal(n)).collect::<Vec<_>>().join(", ")
    };
    let into_list = list(&mut remade.iter().copied());
    let from_list = list(&mut from.iter().map(String::as_str));
    let ctx = "reading the foreign keys into tables the dev database makes again";
    let text = |row: &[Value], i: usize| -> String {
        row.get(i)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match dialect {
        Dialect::Postgres => {
            let rows = scratch
                .conn()
                .query(
                    &format!(
                        "SELECT s.relname::text, c.conname::text, pg_get_constraintdef(c.oid) \
                         FROM pg_constraint c \
                         JOIN pg_class s ON s.oid = c.conrelid \
                         JOIN pg_class d ON d.oid = c.confrelid \
                         WHERE c.contype = 'f' \
                         AND s.relnamespace = current_schema()::regnamespace \
                         AND d.relnamespace = current_schema()::regnamespace \
                         AND d.relname IN ({into_list}) AND s.relname IN ({from_list}) \
                         ORDER BY 1, 2"
                    ),
                    &[],
                )
                .map_err(Error::db(ctx))?;
            Ok(rows
                .iter()
                .map(|row| Link {
                    table: text(row, 0),
                    name: text(row, 1),
                    named: true,
                    definition: text(row, 2),
                })
                .collect())
        }
        _ => {
            let rows = scratch
                .conn()
                .query(
                    &format!(
                        "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, \
                         k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE \
                         FROM information_schema.KEY_COLUMN_USAGE k \
                         JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
                         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA \
                         AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME \
                         WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_SCHEMA = DATABASE() \
                         AND k.REFERENCED_TABLE_NAME IN ({into_list}) AND k.TABLE_NAME IN ({from_list}) \
                         ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION"
                    ),
                    &[],
                )
                .map_err(Error::db(ctx))?;
            // One row per column of a key, in order: gathered into one key each.
            let mut keys: Vec<MysqlKey> = Vec::new();
            for row in &rows {
                let (table, name) = (text(row, 0), text(row, 1));
                let same = keys
                    .last()
                    .is_some_and(|k| k.table == table && k.name == name);
                if !same {
                    keys.push(MysqlKey {
                        table,
                        name,
                        parent: text(row, 3),
                        actions: format!("ON DELETE {} ON UPDATE {}", text(row, 6), text(row, 5)),
                        ..MysqlKey::default()
                    });
                }
                if let Some(key) = keys.last_mut() {
                    key.columns.push(text(row, 2));
                    key.referenced.push(text(row, 4));
                }
            }
            Ok(keys.into_iter().map(|k| k.link()).collect())
        }
    }
}

/// A MySQL foreign key as information_schema gives it, a row per column.
#[derive(Default)]
struct MysqlKey {
    table: String,
    name: String,
    columns: Vec<String>,
    parent: String,
    referenced: Vec<String>,
    actions: String,
}

impl MysqlKey {
    fn link(self) -> Link {
        let sql = Dialect::Mysql.sql();
        let list = |names: &[String]| {
            names
                .iter()
                .map(|n| sql.quote_ident(n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Link {
            definition: format!(
                "FOREIGN KEY ({}) REFERENCES {} ({}) {}",
                list(&self.columns),
                sql.quote_ident(&self.parent),
                list(&self.referenced),
                self.actions
            ),
            named: !numbered(&self.name, &format!("{}_ibfk_", self.table)),
            table: self.table,
            name: self.name,
        }
    }
}

/// Drops the keys, so that the tables they reference can be dropped.
pub(super) fn unlink(scratch: &mut Scratch, links: &[Link]) -> Result<(), Error> {
    let dialect = scratch.dialect();
    let statements = links.iter().map(|l| {
        let (table, name) = quoted(dialect, l);
        match dialect {
            Dialect::Mysql => format!("ALTER TABLE {table} DROP FOREIGN KEY {name}"),
            _ => format!("ALTER TABLE {table} DROP CONSTRAINT {name}"),
        }
    });
    run(
        scratch,
        statements,
        "dropping foreign keys into tables made again",
    )
}

/// Adds the keys again, the server checking each against the tables as now declared.
pub(super) fn relink(scratch: &mut Scratch, links: &[Link]) -> Result<(), Error> {
    let dialect = scratch.dialect();
    let statements = links.iter().map(|l| {
        let (table, name) = quoted(dialect, l);
        if l.named {
            format!("ALTER TABLE {table} ADD CONSTRAINT {name} {}", l.definition)
        } else {
            format!("ALTER TABLE {table} ADD {}", l.definition)
        }
    });
    run(
        scratch,
        statements,
        "adding foreign keys into tables made again",
    )
}

fn quoted(dialect: Dialect, link: &Link) -> (String, String) {
    let sql = dialect.sql();
    (sql.quote_ident(&link.table), sql.quote_ident(&link.name))
}

fn run(
    scratch: &mut Scratch,
    statements: impl Iterator<Item = String>,
    ctx: &'static str,
) -> Result<(), Error> {
    for statement in statements {
        scratch.conn().run(&statement).map_err(Error::db(ctx))?;
    }
    Ok(())
}
