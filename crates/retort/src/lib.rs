//! retort: database schema migrations for SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! The library does everything but the command line: it reads the migration files, builds
//! the revision graph, and runs plans against a database while reporting [`Event`]s. An
//! application can migrate itself at start-up in either of two ways.
//!
//! With the project's `retort.toml` and database URL, as the `retort` command does:
//!
//! ```no_run
//! use retort::{Config, LoadOptions, Migrator, Project, Target};
//!
//! let config = Config::load(&LoadOptions {
//!     start_dir: std::env::current_dir().unwrap_or_default(),
//!     ..LoadOptions::default()
//! })?;
//! let project = Project::load(config)?;
//! let mut conn = retort::connect(&project)?;
//! let report = Migrator::new(&project, conn.as_mut()).upgrade(&Target::Head, &mut |_| {})?;
//! println!("applied {} migration(s)", report.revisions.len());
//! # Ok::<(), retort::Error>(())
//! ```
//!
//! Or with migrations compiled into the application ([`Project::from_memory`], or
//! [`Project::from_dir`] for a folder) and a connection it opens itself:
//!
//! ```
//! # #[cfg(feature = "sqlite")] {
//! use retort::{ConnectOptions, Migrator, Project, SqliteConnection, Target};
//!
//! let project = Project::from_memory([(
//!     "0001_users.sql",
//!     "-- revision: a1\n-- migrate:up\nCREATE TABLE users (id int);\n\
//!      -- migrate:down\nDROP TABLE users;\n",
//! )])?;
//! let app_db = rusqlite::Connection::open_in_memory()?; // the application's own
//! let mut conn = SqliteConnection::from_rusqlite(app_db, &ConnectOptions::default())?;
//! let report = Migrator::new(&project, &mut conn).upgrade(&Target::Head, &mut |_| {})?;
//! assert_eq!(report.revisions, ["a1"]);
//! let app_db = conn.into_inner(); // and back to the application
//! app_db.execute("INSERT INTO users VALUES (1)", [])?;
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! PostgreSQL (`PostgresConnection::from_client`, a tokio-postgres client) and MySQL
//! (`MysqlConnection::from_conn`, a `mysql_async::Conn`) work the same way.
//!
//! Each driver is a Cargo feature (`sqlite`, `postgres`, `mysql`; all on by default): an
//! application that needs one builds only that one. See `examples/migrate_at_startup.rs`
//! for a complete program.

// The library never prints: what happens reaches the caller as events and errors.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod autogen;
pub mod config;
pub mod db;
pub mod dialect;
pub mod error;
pub mod graph;
pub mod history;
pub mod migrator;
pub mod project;
pub mod schema;
pub mod script;
pub mod sql;
mod version;

// What an application needs, at the root. The modules hold the rest (what the `retort`
// command and tools built on the library use); speed internals stay private.
pub use config::{Config, ConfigError, LoadOptions};
#[cfg(feature = "mysql")]
pub use db::MysqlConnection;
#[cfg(feature = "postgres")]
pub use db::PostgresConnection;
#[cfg(feature = "sqlite")]
pub use db::SqliteConnection;
pub use db::{ConnectOptions, Connection, DbError};
pub use dialect::Dialect;
pub use error::{Error, ErrorKind, SelfCheckFailure};
pub use graph::{GraphError, Target};
pub use history::RowState;
pub use migrator::{DbState, Event, Migrator, RunReport, Stop};
pub use project::Project;
pub use script::Direction;

/// A project and its database, opened together.
pub struct Opened {
    pub project: Project,
    pub conn: Box<dyn Connection>,
    /// The version table as read at start (empty when it does not exist yet).
    pub rows: history::VersionRows,
}

/// Loads the project and, on another thread at the same time, connects and reads the
/// version table. Both are the start-up cost of every command that touches the database
/// (with 10,000 revisions: reading 10,000 files, and SQLite parsing a large schema), so
/// doing them side by side takes the longer of the two instead of their sum. A problem
/// with the files is reported before a problem with the database.
///
/// ```no_run
/// let config = retort::Config::load(&retort::LoadOptions::default())?;
/// let mut opened = retort::open(config)?;
/// let report = retort::Migrator::new(&opened.project, opened.conn.as_mut())
///     .with_rows(opened.rows)
///     .upgrade(&retort::Target::Head, &mut |_| {})?;
/// # Ok::<(), retort::Error>(())
/// ```
pub fn open(config: Config) -> Result<Opened, Error> {
    open_with(config, Access::ReadWrite)
}

/// What a command will do with the database it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// It may write: a SQLite file that does not exist is created.
    ReadWrite,
    /// It only reads: a SQLite file that does not exist is seen as an empty database
    /// instead of being created (see [`ConnectOptions::create`]).
    ReadOnly,
}

/// As [`open`], for a command that may only read.
pub fn open_with(config: Config, access: Access) -> Result<Opened, Error> {
    let opts = &ConnectOptions {
        create: access == Access::ReadWrite,
        ..config.connect_options()
    };
    let spec = config.connect_spec()?.clone();
    let history = history::History::new(spec.dialect(), &config.version_table, &config.log_table());
    std::thread::scope(|scope| {
        let project = scope.spawn(move || Project::load(config));
        let db = (|| {
            let mut conn = db::connect(&spec, opts).map_err(|error| Error::Connect {
                url: spec.masked_url().to_string(),
                error,
            })?;
            let rows = history
                .read(conn.as_mut())
                .map_err(Error::db("reading the version table"))?;
            Ok::<_, Error>((conn, rows))
        })();
        let project = project
            .join()
            .map_err(|_| Error::Usage("the project loading thread panicked".into()))?;
        let project = project?;
        let (conn, rows) = db?;
        Ok(Opened {
            project,
            conn,
            rows,
        })
    })
}

/// Opens the project's configured database (its URL, from the config).
///
/// ```no_run
/// let project = retort::Project::load(retort::Config::load(&Default::default())?)?;
/// let mut conn = retort::connect(&project)?;
/// let state = retort::Migrator::new(&project, conn.as_mut()).state()?;
/// println!("{} revision(s) applied", state.applied_indices().len());
/// # Ok::<(), retort::Error>(())
/// ```
pub fn connect(project: &Project) -> Result<Box<dyn Connection>, Error> {
    let spec = project.config.connect_spec()?;
    let opts = project.config.connect_options();
    db::connect(spec, &opts).map_err(|error| Error::Connect {
        url: spec.masked_url().to_string(),
        error,
    })
}
