//! rusqlite's errors as [`DbError`]s: SQLite's own message, and whether the lock was busy.

use crate::db::DbError;

pub(super) fn err(e: rusqlite::Error) -> DbError {
    let mut out = DbError::new(match &e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        // rusqlite's text for it quotes the whole statement, which every message that
        // names a failing statement shows already: SQLite's words and where, as
        // PostgreSQL says it (a 1-based character position in the statement).
        rusqlite::Error::SqlInputError {
            msg, sql, offset, ..
        } => match usize::try_from(*offset).ok().and_then(|o| sql.get(..o)) {
            Some(before) => format!("{msg} (at character {})", before.chars().count() + 1),
            None => msg.clone(),
        },
        other => other.to_string(),
    });
    if let rusqlite::Error::SqliteFailure(f, _) | rusqlite::Error::SqlInputError { error: f, .. } =
        &e
    {
        out.lock_timeout = matches!(
            f.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        );
    }
    out
}
