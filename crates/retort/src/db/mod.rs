//! Talking to a database: one small [`Connection`] trait, one folder per driver (options,
//! connect, errors, the connection itself, and its live-server tests).
//!
//! The trait holds only what differs between drivers (running SQL, transactions, the lock).
//! Everything a migration tool decides — what to run, checksums, the re-read after the
//! lock, the audit log — lives in `migrator` and `history`, written once for all drivers.

#[cfg(feature = "mysql")]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
mod spec;
#[cfg(feature = "sqlite")]
mod sqlite;
/// The certificate checks of PostgreSQL's `sslmode`; kept apart from the driver, so MySQL
/// TLS can use it too.
#[cfg(feature = "postgres")]
mod tls;
mod url;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::dialect::Dialect;

#[cfg(all(test, feature = "mysql"))]
pub(crate) use mysql::MysqlTestDb;
#[cfg(feature = "mysql")]
pub use mysql::{MysqlConnection, MysqlOptions};
#[cfg(all(test, feature = "postgres"))]
pub(crate) use postgres::TestDb as PgTestDb;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresConnection, PostgresOptions};
pub use spec::{ConnectSpec, DriverOptions};
#[cfg(feature = "sqlite")]
pub use sqlite::{inspect as inspect_sqlite, SqliteConnection, SqliteLocation, SqliteOptions};
pub use url::{mask, DatabaseUrl, UrlError};

/// A parameter or a column value. Version-table columns are text or integers, so that is
/// all retort itself reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Text(s) => s.parse().ok(),
            Value::Null => None,
        }
    }
}

/// A column value as a driver hands it over, borrowed from its own row where it can be:
/// reading 10,000 version rows at start-up then copies their text once, into the
/// history's own buffer, instead of making a string per field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueRef<'a> {
    Null,
    Int(i64),
    Text(std::borrow::Cow<'a, str>),
}

impl ValueRef<'_> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ValueRef::Text(s) => Some(s),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Int(n) => Value::Int(*n),
            ValueRef::Text(s) => Value::Text(s.to_string()),
        }
    }
}

impl Value {
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Int(*n),
            Value::Text(s) => ValueRef::Text(std::borrow::Cow::Borrowed(s)),
        }
    }
}

/// An error reported by the database or its driver, with the server's own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    pub message: String,
    /// 1-based character position in the statement, when the server gives one
    /// (PostgreSQL does).
    pub position: Option<usize>,
    /// `true` when the lock could not be taken in time.
    pub lock_timeout: bool,
}

impl DbError {
    pub fn new(message: impl Into<String>) -> DbError {
        DbError {
            message: message.into(),
            position: None,
            lock_timeout: false,
        }
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(p) = self.position {
            write!(f, " (at character {p})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DbError {}

/// Which part of [`Connection::run_batch_then`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BatchError {
    /// One of retort's own statements (or the exchange before any answer came back): the
    /// migration's statement did not run, unless the connection was lost after the server
    /// had the whole query (then whatever `ours` recorded says what may have happened).
    Ours(DbError),
    /// The migration's statement, after all of retort's had succeeded.
    Statement(DbError),
}

/// The longest wait retort accepts for the migration lock or a connection, in seconds: a
/// day. A longer one is a typo, and not far beyond it the drivers' own limits overflow
/// (SQLite's busy timeout is an `i32` of milliseconds, 24.8 days).
pub const MAX_WAIT_SECS: u64 = 86_400;

/// `secs` as a wait, or why not: the message names the allowed range.
pub fn wait_from_secs(secs: f64) -> Result<Duration, String> {
    if secs.is_finite() && (0.0..=MAX_WAIT_SECS as f64).contains(&secs) {
        Ok(Duration::from_secs_f64(secs))
    } else {
        Err(format!(
            "must be a number of seconds from 0 to {MAX_WAIT_SECS} (a day)"
        ))
    }
}

/// How to connect, beyond the URL.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// How long to wait for another retort (or any writer) holding the lock.
    pub lock_timeout: Duration,
    /// How long to wait for the server to answer at all.
    pub connect_timeout: Duration,
    /// PostgreSQL: the schema to migrate (`[database] schema`); it becomes the
    /// `search_path`, and `ensure_schema` creates it when a command writes.
    pub schema: Option<String>,
    /// Names the migration lock: projects with different version tables in one database
    /// do not block each other.
    pub lock_name: String,
    /// `false` for commands that only read: a SQLite file that does not exist is then
    /// seen as an empty database instead of being created (a typo in a path must not
    /// leave a new empty file behind).
    pub create: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            lock_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            schema: None,
            lock_name: "retort:retort_version".into(),
            create: true,
        }
    }
}

/// What the migrator needs from a database. Implemented once per driver.
pub trait Connection: Send {
    fn dialect(&self) -> Dialect;

    /// Runs one statement that may return rows; rows are discarded. For migration SQL.
    fn run(&mut self, sql: &str) -> Result<(), DbError>;

    /// Runs several statements of retort's own (literal values, no parameters) as one
    /// round trip where the driver can: recording a migration is then one exchange with
    /// the server instead of four. The default runs them one by one.
    fn run_batch(&mut self, statements: &[String]) -> Result<(), DbError> {
        for sql in statements {
            self.run(sql)?;
        }
        Ok(())
    }

    /// Runs retort's own statements (`ours`: literal values, one result each, as for
    /// [`Connection::run_batch`]) and then one statement of a migration, in that order, as
    /// one round trip where the driver can. The migration's statement runs only if all of
    /// retort's succeeded (a server stops a multi-statement query at its first error), so
    /// what `ours` records — a `running` mark, how far a migration got — is committed
    /// before the statement starts, exactly as with two separate calls. The default makes
    /// those two calls.
    fn run_batch_then(&mut self, ours: &[String], statement: &str) -> Result<(), BatchError> {
        self.run_batch(ours).map_err(BatchError::Ours)?;
        self.run(statement).map_err(BatchError::Statement)
    }

    /// Runs one statement with parameters (placeholders as [`crate::dialect::SqlDialect::placeholder`]
    /// renders them) and returns the number of rows changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;

    /// Runs one query and returns all its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError>;

    /// The first column of the first row of a query (a count, a setting, a name), `None`
    /// when it returns no row.
    fn query_value(&mut self, sql: &str, params: &[Value]) -> Result<Option<Value>, DbError> {
        let rows = self.query(sql, params)?;
        Ok(rows.into_iter().next().and_then(|r| r.into_iter().next()))
    }

    /// Runs one query and hands each row to `row` in turn, its values borrowed from the
    /// driver where it can (copy out what is kept). Reading 10,000 version rows at start-up
    /// this way makes no vector and no string per row on SQLite. The default goes through
    /// [`Connection::query`].
    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        row: &mut dyn FnMut(&[ValueRef<'_>]),
    ) -> Result<(), DbError> {
        for values in self.query(sql, params)? {
            let values: Vec<ValueRef<'_>> = values.iter().map(Value::as_ref).collect();
            row(&values);
        }
        Ok(())
    }

    /// Starts a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so two processes serialise at the start of a migration rather than deadlock later.
    fn begin(&mut self) -> Result<(), DbError> {
        self.run(self.dialect().sql().begin_statement())
    }

    fn commit(&mut self) -> Result<(), DbError> {
        self.run("COMMIT")
    }

    /// Outside a transaction: a no-op on MySQL and MariaDB, a warning on PostgreSQL; the
    /// SQLite driver checks first, since there it is an error.
    fn rollback(&mut self) -> Result<(), DbError> {
        self.run("ROLLBACK")
    }

    /// Whether a table of the current schema exists; read-only commands ask before they
    /// read the version table, so they never create it.
    fn table_exists(&mut self, name: &str) -> Result<bool, DbError>;

    /// Takes the migration lock, waiting up to the configured timeout and calling
    /// `waiting` once if it has to wait. Where the lock is the write transaction itself
    /// (SQLite, see [`Connection::lock_is_per_transaction`]), it returns with that
    /// transaction open: the version table is read and the plan made inside it, and the
    /// first unit of work commits it.
    fn lock(&mut self, waiting: &mut dyn FnMut()) -> Result<(), DbError>;
    /// Releases the session lock; where the lock is a transaction, rolls back one still open.
    fn unlock(&mut self) -> Result<(), DbError>;

    /// `true` when the lock is only held inside a transaction: between two migrations
    /// another process may commit, so the migrator checks [`Connection::commit_counter`]
    /// inside each migration's transaction and reads the version table again if it moved.
    fn lock_is_per_transaction(&self) -> bool;

    /// A number that changes whenever another connection commits to the database (SQLite's
    /// `PRAGMA data_version`), so that version rows read earlier can be known to be still
    /// current without reading them again. `None` where a session lock makes it needless.
    fn commit_counter(&mut self) -> Result<Option<i64>, DbError> {
        Ok(None)
    }

    /// `true` when DDL is transactional, so a failed migration leaves nothing behind.
    fn transactional_ddl(&self) -> bool;

    /// Creates the configured schema if it is missing (PostgreSQL); called before the
    /// version tables are created, never by read-only commands.
    fn ensure_schema(&mut self) -> Result<(), DbError> {
        Ok(())
    }

    /// The schema (PostgreSQL) or database (MySQL) that retort's own tables live in, as
    /// the session had it before any migration ran: the migrator names its tables with it,
    /// so a migration that changes the search path (as dump files do) or the current
    /// database cannot send retort's bookkeeping elsewhere. `None` where names need no
    /// qualifier (SQLite) or there is none to use (an empty search path).
    fn home_schema(&mut self) -> Result<Option<String>, DbError> {
        Ok(None)
    }

    /// The current schema as the model `check` and autogenerate compare (issue 16), without
    /// the tables named in `exclude` (retort's own version and log tables). Each driver
    /// reads it in its own `inspect` module with a fixed number of catalog queries.
    fn inspect(&mut self, exclude: &[&str]) -> Result<crate::schema::Schema, DbError> {
        let _ = exclude;
        Err(DbError::new(format!(
            "reading the schema of a {} database is not supported yet",
            self.dialect()
        )))
    }

    /// What cancels this connection's running statement from another thread (PostgreSQL's
    /// cancel request, MySQL's `KILL QUERY` from a second connection, SQLite's interrupt):
    /// a stop request uses it.
    fn canceller(&self) -> Option<Arc<dyn Cancel>> {
        None
    }
}

/// Cancels the statement one connection is running, from any thread. Nothing happens when
/// none is running.
pub trait Cancel: Send + Sync {
    fn cancel(&self) -> Result<(), DbError>;
}

/// `60s`, `1.5s` or `300ms`: a timeout as the drivers' messages name it.
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub(crate) fn human_duration(d: Duration) -> String {
    if d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

/// Opens the database a spec names (see [`ConnectSpec::new`]: the URL was checked then).
pub fn connect(spec: &ConnectSpec, opts: &ConnectOptions) -> Result<Box<dyn Connection>, DbError> {
    match *spec.driver() {
        #[cfg(feature = "sqlite")]
        DriverOptions::Sqlite(ref o) => Ok(Box::new(SqliteConnection::open(o.location(), opts)?)),
        #[cfg(feature = "mysql")]
        DriverOptions::Mysql(ref o) => Ok(Box::new(MysqlConnection::connect(o, opts)?)),
        #[cfg(feature = "postgres")]
        DriverOptions::Postgres(ref o) => Ok(Box::new(PostgresConnection::connect(o, opts)?)),
    }
}
