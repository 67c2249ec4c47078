//! A generated section as the file holds it: the statements, each ending in `;`, with the
//! rendering's notes on top and, above each change that loses data, a comment saying how
//! many rows it touches in the live database, so the reviewer sees it where it happens.

use super::Destructive;
use crate::db::Connection;
use crate::dialect::Dialect;
use crate::error::Error;
use crate::schema::{Change, Diff, Rendered};

/// Counts what each destructive change of `diff` touches: a dropped table's rows, a
/// dropped or narrowed column's non-null values.
pub(super) fn count_rows(
    conn: &mut dyn Connection,
    diff: &Diff,
) -> Result<Vec<Destructive>, Error> {
    let dialect = conn.dialect();
    let q = |name: &str| dialect.sql().quote_ident(name);
    let mut out = Vec::new();
    for change in diff.destructive() {
        let sql = match change {
            Change::DropTable(t) => Some(format!("SELECT count(*) FROM {}", q(&t.name))),
            Change::DropColumn { table, column }
            | Change::AlterColumn {
                table,
                from: column,
                ..
            } => Some(format!(
                "SELECT count({}) FROM {}",
                q(&column.name),
                q(table)
            )),
            _ => None,
        };
        let rows = match sql {
            Some(sql) => count(conn, &sql, "counting the rows a destructive change touches")?,
            None => None,
        };
        out.push(Destructive {
            change: change.clone(),
            rows,
        });
    }
    Ok(out)
}

/// A change that fails on the rows the live database holds now: a NOT NULL column added
/// without a default to a table with rows, or a column made NOT NULL while it holds NULLs.
/// The scratch self-check cannot see it (its copy has no rows), so it is counted here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedsData {
    pub change: Change,
    /// The rows that would fail.
    pub rows: u64,
}

impl std::fmt::Display for NeedsData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.change {
            Change::AddColumn { table, column } => write!(
                f,
                "{table}.{} is added NOT NULL without a default, and {table} has {} row(s): give it a default, or add it nullable, fill it, then make it NOT NULL",
                column.name, self.rows
            ),
            Change::AlterColumn { table, to, .. } => write!(
                f,
                "{table}.{} becomes NOT NULL and holds {} NULL(s): fill them first (an UPDATE above this change), or the migration fails",
                to.name, self.rows
            ),
            other => write!(f, "{other}: {} row(s) would fail", self.rows),
        }
    }
}

/// The changes of `diff` that the live rows would make fail, with how many rows.
pub(super) fn needs_data(conn: &mut dyn Connection, diff: &Diff) -> Result<Vec<NeedsData>, Error> {
    let dialect = conn.dialect();
    let q = |name: &str| dialect.sql().quote_ident(name);
    let mut out = Vec::new();
    for change in &diff.changes {
        let sql = match change {
            Change::AddColumn { table, column }
                if !column.nullable
                    && column.default.is_none()
                    && column.identity.is_none()
                    && column.generated.is_none() =>
            {
                format!("SELECT count(*) FROM {}", q(table))
            }
            Change::AlterColumn { table, from, to } if from.nullable && !to.nullable => format!(
                "SELECT count(*) FROM {} WHERE {} IS NULL",
                q(table),
                q(&from.name)
            ),
            _ => continue,
        };
        let n = count(conn, &sql, "counting the rows a change needs filled")?.unwrap_or(0);
        if n > 0 {
            out.push(NeedsData {
                change: change.clone(),
                rows: n,
            });
        }
    }
    Ok(out)
}

/// The count a `SELECT count(…)` returns.
fn count(conn: &mut dyn Connection, sql: &str, ctx: &str) -> Result<Option<u64>, Error> {
    Ok(conn
        .query_value(sql, &[])
        .map_err(Error::db(ctx.to_string()))?
        .and_then(|v| v.as_i64())
        .and_then(|n| u64::try_from(n).ok()))
}

/// What the comment above a destructive change says.
pub fn describe(d: &Destructive) -> String {
    let what = match (&d.change, d.rows) {
        (Change::DropTable(_), Some(n)) => format!(": {n} row(s)"),
        (_, Some(n)) => format!(": {n} non-null value(s)"),
        (_, None) => String::new(),
    };
    format!("{}{what}", d.change)
}

pub(super) fn section(
    rendered: &Rendered,
    destructive: &[Destructive],
    needs_data: &[NeedsData],
    dialect: Dialect,
) -> String {
    let q = |name: &str| dialect.sql().quote_ident(name);
    let mut above: Vec<Vec<String>> = vec![Vec::new(); rendered.statements.len()];
    let mut top = Vec::new();
    for note in &rendered.notes {
        top.push(format!("-- note: {note}"));
    }
    for table in &rendered.rebuilt {
        top.push(format!(
            "-- rebuilds table {table}: every row is copied into a new table"
        ));
    }
    for n in needs_data {
        top.push(format!("-- WARNING: {n}"));
    }
    for d in destructive {
        let comment = format!("-- DESTRUCTIVE: {}", describe(d));
        let at = match &d.change {
            Change::DropTable(t) => {
                let stmt = format!("DROP TABLE {}", q(&t.name));
                rendered.statements.iter().position(|s| s.trim() == stmt)
            }
            Change::DropColumn { table, column } => {
                let drop = format!("DROP COLUMN {}", q(&column.name));
                rendered
                    .statements
                    .iter()
                    .position(|s| s.contains(&drop) && s.contains(&q(table)))
            }
            // PostgreSQL's `ALTER COLUMN "c" TYPE`, MySQL's `MODIFY COLUMN `c``.
            Change::AlterColumn { table, to, .. } => {
                let forms = [
                    format!("ALTER COLUMN {} TYPE", q(&to.name)),
                    format!("MODIFY COLUMN {}", q(&to.name)),
                ];
                rendered.statements.iter().position(|s| {
                    s.contains(&format!("ALTER TABLE {}", q(table)))
                        && forms.iter().any(|f| s.contains(f.as_str()))
                })
            }
            // PostgreSQL's rebuild starts by renaming the type aside.
            Change::RebuildEnum { from, .. } => {
                let start = format!("ALTER TYPE {} RENAME TO", q(&from.name));
                rendered
                    .statements
                    .iter()
                    .position(|s| s.starts_with(&start))
            }
            _ => None,
        };
        // A change made by a rebuild has no statement of its own: the top says it.
        match at {
            Some(i) => above[i].push(comment),
            None => top.push(comment),
        }
    }
    let mut out = String::new();
    for line in &top {
        out.push_str(line);
        out.push('\n');
    }
    for (stmt, comments) in rendered.statements.iter().zip(&above) {
        for c in comments {
            out.push_str(c);
            out.push('\n');
        }
        out.push_str(stmt.trim_end());
        out.push_str(";\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::EnumType;

    #[test]
    fn an_enum_rebuild_is_marked_destructive_above_the_statement_that_starts_it() {
        let mood = |values: &[&str]| EnumType {
            name: "mood".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        };
        let rendered = Rendered {
            statements: vec![
                "CREATE TABLE \"t\" (\"id\" integer)".into(),
                "ALTER TYPE \"mood\" RENAME TO \"mood_retort_old\"".into(),
                "CREATE TYPE \"mood\" AS ENUM ('ok')".into(),
            ],
            ..Rendered::default()
        };
        let destructive = [Destructive {
            change: Change::RebuildEnum {
                from: mood(&["sad", "ok"]),
                to: mood(&["ok"]),
            },
            rows: None,
        }];
        let text = section(&rendered, &destructive, &[], Dialect::Postgres);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "CREATE TABLE \"t\" (\"id\" integer);", "{text}");
        assert!(lines[1].starts_with("-- DESTRUCTIVE: change the values of enum type mood"));
        assert!(lines[2].starts_with("ALTER TYPE \"mood\" RENAME TO"));
    }
}
