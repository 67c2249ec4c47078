//! rusqlite's errors as [`DbError`]s: SQLite's own message, and whether the lock was busy.

use crate::db::DbError;

pub(super) fn err(e: rusqlite::Error) -> DbError {
    let mut out = DbError::new(match &e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    });
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        out.lock_timeout = matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        );
    }
    out
}
