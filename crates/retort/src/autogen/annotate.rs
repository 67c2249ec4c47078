//! A generated section as the file holds it: the statements, each ending in `;`, with the
//! rendering's notes on top and, above each change that loses data, a comment saying how
//! many rows it touches in the live database, so the reviewer sees it where it happens.

use super::Destructive;
use crate::db::{Connection, Value};
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
            Some(sql) => {
                let rows = conn
                    .query(&sql, &[])
                    .map_err(Error::db("counting the rows a destructive change touches"))?;
                rows.first()
                    .and_then(|r| r.first())
                    .and_then(Value::as_i64)
                    .and_then(|n| u64::try_from(n).ok())
            }
            None => None,
        };
        out.push(Destructive {
            change: change.clone(),
            rows,
        });
    }
    Ok(out)
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
