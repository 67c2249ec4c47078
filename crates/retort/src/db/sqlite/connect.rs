//! Opening a database file (or an in-memory one) with the lock timeout as busy timeout.

use std::time::Duration;

use super::connection::SqliteConnection;
use super::errors::err;
use super::options::SqliteLocation;
use crate::db::{ConnectOptions, DbError};

impl SqliteConnection {
    /// Opens (creating if needed) the database. The busy timeout is the lock timeout:
    /// SQLite's lock is its write transaction, and waiting on it is waiting on the lock.
    pub fn open(location: &SqliteLocation, opts: &ConnectOptions) -> Result<Self, DbError> {
        let conn = match location {
            SqliteLocation::File(path) if opts.create || path.exists() => {
                rusqlite::Connection::open(path)
            }
            // Read-only use of a file that does not exist: an empty database, not a new file.
            SqliteLocation::Memory | SqliteLocation::File(_) => {
                rusqlite::Connection::open_in_memory()
            }
        }
        .map_err(err)?;
        SqliteConnection::from_rusqlite(conn, opts)
    }

    /// Wraps a connection the application opened itself, so its migrations run over the
    /// very database handle it goes on using (an in-memory database, one opened with its
    /// own flags or extensions). As with [`SqliteConnection::open`], the busy timeout
    /// becomes the lock timeout; [`SqliteConnection::into_inner`] gives the connection back.
    ///
    /// ```
    /// use retort::db::SqliteConnection;
    /// use retort::{ConnectOptions, Migrator, Project, Target};
    ///
    /// let project = Project::from_memory([(
    ///     "0001_users.sql",
    ///     "-- revision: a1\n-- migrate:up\nCREATE TABLE users (id INTEGER);\n-- migrate:down\nDROP TABLE users;\n",
    /// )])?;
    /// let app = rusqlite::Connection::open_in_memory()?;
    /// let mut conn = SqliteConnection::from_rusqlite(app, &project.config.connect_options())?;
    /// Migrator::new(&project, &mut conn).upgrade(&"head".parse::<Target>()?, &mut |_| {})?;
    /// let app = conn.into_inner();
    /// app.execute("INSERT INTO users (id) VALUES (1)", [])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_rusqlite(
        conn: rusqlite::Connection,
        opts: &ConnectOptions,
    ) -> Result<SqliteConnection, DbError> {
        let lock_timeout = opts.lock_timeout.max(Duration::from_millis(1));
        conn.busy_timeout(lock_timeout).map_err(err)?;
        Ok(SqliteConnection { conn, lock_timeout })
    }
}
