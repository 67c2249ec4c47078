//! `foreign_keys: off` on SQLite: a migration that rebuilds a table others reference runs
//! with enforcement off, which SQLite only lets a connection change outside a transaction,
//! and commits only when `PRAGMA foreign_key_check` finds no row pointing at nothing, since
//! nothing else checks the rows a rebuild copied.

use std::collections::BTreeMap;

use super::{Migrator, Step};
use crate::db::{DbError, Value};
use crate::dialect::Dialect;
use crate::error::{Error, MigrationFailure};
use crate::script::Direction;

/// The statement whose rows are the violations.
const CHECK: &str = "PRAGMA foreign_key_check";

impl Migrator<'_> {
    /// Whether `step` must run with enforcement off here (only SQLite has the switch).
    pub(super) fn needs_foreign_keys_off(&self, step: &Step<'_>) -> bool {
        step.script.foreign_keys_off && self.conn.dialect() == Dialect::Sqlite
    }

    /// Turns enforcement off outside any transaction (ending the one the lock opened: the
    /// step's own transaction then reads the version table again, as every later step
    /// does). Returns the setting to restore afterwards.
    pub(super) fn foreign_keys_off(&mut self) -> Result<bool, Error> {
        if std::mem::take(&mut self.held) {
            self.conn.commit().map_err(Error::db("committing"))?;
        }
        let ctx = "turning foreign-key enforcement off";
        let was_on = self
            .conn
            .query_value("PRAGMA foreign_keys", &[])
            .map_err(Error::db(ctx))?
            .and_then(|v| v.as_i64())
            .is_some_and(|v| v != 0);
        self.conn
            .run("PRAGMA foreign_keys = OFF")
            .map_err(Error::db(ctx))?;
        Ok(was_on)
    }

    /// Puts enforcement back as it was, after the transaction ended either way.
    pub(super) fn restore_foreign_keys(&mut self, was_on: bool) -> Result<(), Error> {
        let sql = if was_on {
            "PRAGMA foreign_keys = ON"
        } else {
            "PRAGMA foreign_keys = OFF"
        };
        self.conn
            .run(sql)
            .map_err(Error::db("turning foreign-key enforcement back on"))
    }

    /// Inside the step's transaction, before it commits: every row must reference a row
    /// that exists. A violation fails the migration (rolled back), naming the tables.
    pub(super) fn check_foreign_keys(
        &mut self,
        direction: Direction,
        step: &Step<'_>,
        completed: &[String],
    ) -> Result<(), Error> {
        let rows = self.conn.query(CHECK, &[]).map_err(|error| {
            Error::MigrationFailed(Box::new(failure(direction, step, completed, error)))
        })?;
        if rows.is_empty() {
            return Ok(());
        }
        // (table, referenced table) → rows.
        let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
        for row in &rows {
            let text = |i: usize| {
                row.get(i)
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string()
            };
            *counts.entry((text(0), text(2))).or_default() += 1;
        }
        let listed: Vec<String> = counts
            .iter()
            .map(|((table, parent), n)| {
                format!("{n} row(s) of {table} reference rows of {parent} that do not exist")
            })
            .collect();
        let error = DbError::new(format!(
            "the foreign-key check before commit failed: {}",
            listed.join("; ")
        ));
        Err(Error::MigrationFailed(Box::new(failure(
            direction, step, completed, error,
        ))))
    }
}

fn failure(
    direction: Direction,
    step: &Step<'_>,
    completed: &[String],
    error: DbError,
) -> MigrationFailure {
    MigrationFailure {
        revision: step.script.revision.clone(),
        path: step.script.path.clone(),
        direction,
        statement: CHECK.to_string(),
        // After the section's last statement: the check is not one of its lines.
        line: step
            .section
            .statements
            .last()
            .map(|s| step.section.first_line + s.line - 1)
            .unwrap_or(step.section.first_line),
        error,
        completed: completed.to_vec(),
        rolled_back: true,
        whole_run: false,
        committed: 0,
        last_committed: None,
    }
}
