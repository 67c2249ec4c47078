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
        let lock_timeout = opts.lock_timeout.max(Duration::from_millis(1));
        conn.busy_timeout(lock_timeout).map_err(err)?;
        Ok(SqliteConnection { conn, lock_timeout })
    }
}
