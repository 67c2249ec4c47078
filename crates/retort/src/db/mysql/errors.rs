//! Driver and server errors in words, built from the parsed options (never the URL) and
//! scrubbed of the password.

use std::time::Duration;

use super::options::MysqlOptions;
use crate::db::url::scrub;
use crate::db::DbError;

pub(super) fn connect_timeout_error(target: &MysqlOptions, timeout: Duration) -> DbError {
    DbError::new(format!(
        "no answer from the server at {} within {} (connect timeout); check the host, the \
         port and the firewall, or wait longer with ?connect_timeout=SECS",
        target.place(),
        crate::db::human_duration(timeout)
    ))
}

/// Explains a failed connection in words a user can act on. Built from the parsed parts
/// (never the URL itself) and scrubbed of the password in case a driver message echoed it.
pub(super) fn connect_error(
    target: &MysqlOptions,
    database: Option<&str>,
    timeout: Duration,
    e: mysql::Error,
) -> DbError {
    let place = target.place();
    let user = target.user.as_deref().unwrap_or("");
    let message = match &e {
        mysql::Error::MySqlError(server) => {
            let hint = match server.code {
                1045 | 1698 => format!(
                    "; check the user `{user}` and the password in the URL (percent-encode \
                     special characters: `@` is %40, `:` is %3A, `/` is %2F)"
                ),
                1044 => format!(
                    "; grant `{user}` rights on the database, or name another one in the URL"
                ),
                1049 => format!(
                    "; create it first (CREATE DATABASE `{}`) or fix its name in the URL",
                    database.unwrap_or("").replace('`', "``")
                ),
                1130 => "; the server does not accept this user from this client's host".into(),
                _ => String::new(),
            };
            format!("{}{hint}", server_message(server))
        }
        mysql::Error::DriverError(mysql::DriverError::ConnectTimeout) => {
            return connect_timeout_error(target, timeout);
        }
        mysql::Error::DriverError(mysql::DriverError::CouldNotConnect(Some((_, desc, kind)))) => {
            unreachable_message(target, desc, *kind)
        }
        mysql::Error::IoError(io) => unreachable_message(target, &io.to_string(), io.kind()),
        other => format!(
            "cannot connect to the server at {place}: {}",
            describe(other)
        ),
    };
    DbError::new(scrub(message, target.password.as_deref()))
}

pub(super) fn unreachable_message(
    target: &MysqlOptions,
    desc: &str,
    kind: std::io::ErrorKind,
) -> String {
    use std::io::ErrorKind;
    let place = target.place();
    let hint = match (&target.socket, kind) {
        (Some(_), ErrorKind::NotFound) => {
            "; is the server running? `SELECT @@socket` on the server shows its socket path"
        }
        (Some(_), ErrorKind::PermissionDenied) => {
            "; this user may not open the socket (check its permissions)"
        }
        (None, ErrorKind::ConnectionRefused) => {
            "; is the server running, and listening on this host and port?"
        }
        (None, ErrorKind::TimedOut) => "; check the host, the port and the firewall",
        (None, _) if desc.contains("lookup") => "; check the host name in the URL",
        _ => "",
    };
    format!("cannot reach the server at {place}: {desc}{hint}")
}

pub(super) fn server_message(e: &mysql::MySqlError) -> String {
    format!(
        "{} (MySQL error {}, SQLSTATE {})",
        e.message, e.code, e.state
    )
}

/// The driver's error in plain words (its own `Display` wraps them in `IoError { … }`).
pub(super) fn describe(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(server) => server_message(server),
        mysql::Error::IoError(io) => format!("lost the connection to the server: {io}"),
        mysql::Error::CodecError(c) => format!("lost the connection to the server: {c}"),
        mysql::Error::DriverError(d) => d.to_string(),
        mysql::Error::UrlError(u) => u.to_string(),
        other => other.to_string(),
    }
}

pub(super) fn error(e: mysql::Error) -> DbError {
    DbError::new(describe(&e))
}
