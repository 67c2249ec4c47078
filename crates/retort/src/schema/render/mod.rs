//! A [`Diff`] as SQL text, per dialect (issue 16: autogenerate writes what this returns).
//! Pure: no I/O. Each change is written the way its dialect can make it; where a dialect
//! cannot alter an object in place (SQLite and most table changes), the object is rebuilt,
//! and the caller is told what that needs around the statements.

mod clauses;
mod mysql;
mod postgres;
mod postgres_ddl;
mod sqlite;
mod sqlite_ddl;

#[cfg(all(test, feature = "postgres"))]
mod postgres_proptests;
#[cfg(all(test, feature = "postgres"))]
mod postgres_tests;
#[cfg(all(test, any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
mod scenarios;

#[cfg(all(test, feature = "sqlite"))]
mod proptests;
#[cfg(all(test, feature = "sqlite"))]
mod tests;

use std::fmt;

use super::change::Diff;
use super::model::Schema;
use crate::dialect::Dialect;

/// The statements that make a diff, in order, and what must surround them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// One SQL statement each, without the terminating `;`.
    pub statements: Vec<String>,
    /// SQLite table rebuilds drop and recreate tables that others reference: foreign-key
    /// enforcement must be off around the migration's transaction (SQLite ignores
    /// `PRAGMA foreign_keys` inside one), and `PRAGMA foreign_key_check` must find nothing
    /// before it commits, since nothing else checks the copied rows.
    pub foreign_keys_off: bool,
    /// Tables rebuilt (created anew under a scratch name, rows copied, swapped in), by
    /// name: a rebuild copies every row, which the user should know before running it.
    /// (What loses data is the diff's to say: [`Diff::destructive`].)
    pub rebuilt: Vec<String>,
    /// What the statements lose or cannot keep, for the command to list.
    pub notes: Vec<String>,
    /// The statements must run outside a transaction (the migration's `transaction:
    /// false`). Set on PostgreSQL when a value added to an enum type (`ALTER TYPE … ADD
    /// VALUE`) is used by a later statement of the same migration (a default, a check, an
    /// index predicate, a view naming it): PostgreSQL refuses a new value in the
    /// transaction that added it. Not set for an added value alone, which PostgreSQL 12
    /// and later accept in a transaction (a note says so).
    pub outside_transaction: bool,
}

/// Why a diff cannot be written for a dialect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RenderError {
    /// The diff holds an object the dialect does not have (an enum type on SQLite…).
    Unsupported { dialect: Dialect, what: String },
    /// The diff does not replay on `from`: a bug in the diff, never the user's input.
    Inconsistent(String),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::Unsupported { dialect, what } => {
                write!(f, "{dialect} has no {what}")
            }
            RenderError::Inconsistent(reason) => {
                write!(f, "the schema changes do not apply in order: {reason}")
            }
        }
    }
}

impl std::error::Error for RenderError {}

/// The SQL of `diff`, which takes `from` to `to` (both of `dialect`): `from` says what
/// exists before each change, `to` gives whole definitions where a table is written out
/// anew (created, or rebuilt).
pub fn render(
    diff: &Diff,
    from: &Schema,
    to: &Schema,
    dialect: Dialect,
) -> Result<Rendered, RenderError> {
    match dialect {
        Dialect::Sqlite => sqlite::render(diff, from, to),
        Dialect::Postgres => postgres::render(diff, from, to),
        Dialect::Mysql => mysql::render(diff, from, to),
    }
}
