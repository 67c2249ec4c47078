//! Driver and server errors in words: a statement's error with its SQLSTATE and position,
//! and what went wrong at each server a connection tried.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::io;
use std::net::IpAddr;
use std::time::Duration;

use tokio_postgres::error::{DbError as PgDbError, ErrorPosition};

use super::options::{Endpoint, Host, PostgresOptions, SslMode};
use crate::db::tls;
use crate::db::DbError;

/// The text of a server error: its message and SQLSTATE, then DETAIL, HINT, the internal
/// query and CONTEXT lines when the server sent them (as psql shows them).
pub(super) fn server_text(db: &PgDbError) -> String {
    let mut s = format!("{} (SQLSTATE {})", db.message(), db.code().code());
    if let Some(detail) = db.detail() {
        let _ = write!(s, "\nDETAIL: {detail}");
    }
    if let Some(hint) = db.hint() {
        let _ = write!(s, "\nHINT: {hint}");
    }
    if let Some(ErrorPosition::Internal { position, query }) = db.position() {
        let _ = write!(s, "\nQUERY: {query} (at character {position})");
    }
    if let Some(context) = db.where_() {
        let _ = write!(s, "\nCONTEXT: {context}");
    }
    s
}

/// A statement's error: the server's words and position, or the driver's text.
pub(super) fn pg_err(e: tokio_postgres::Error) -> DbError {
    match e.as_db_error() {
        Some(db) => DbError {
            message: server_text(db),
            position: match db.position() {
                Some(ErrorPosition::Original(p)) => Some(*p as usize),
                _ => None,
            },
            lock_timeout: false,
        },
        None => DbError::new(chain_text(&e)),
    }
}

/// An error and its causes, `outer: inner: innermost` (tokio-postgres' own `Display` leaves
/// the cause out: "error deserializing column 0").
pub(super) fn chain_text(e: &(dyn StdError + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}

/// Walks an error's causes for one of type `T`, also inside `io::Error`s.
pub(super) fn find_cause<'a, T: StdError + 'static>(
    e: &'a (dyn StdError + 'static),
) -> Option<&'a T> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(found) = err.downcast_ref::<T>() {
            return Some(found);
        }
        if let Some(inner) = err
            .downcast_ref::<io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<T>())
        {
            return Some(inner);
        }
        current = err.source();
    }
    None
}

/// What the user reads when one attempt fails.
pub(super) struct Attempt<'a> {
    pub(super) target: &'a Endpoint,
    /// The address tried, when it differs from the host as written.
    pub(super) addr: Option<IpAddr>,
    pub(super) params: &'a PostgresOptions,
    pub(super) timeout: Duration,
    pub(super) sslmode: SslMode,
}

impl Attempt<'_> {
    pub(super) fn server(&self) -> String {
        match (self.addr, &self.target.host) {
            (Some(ip), Host::Tcp(h)) if h.parse::<IpAddr>().is_err() => {
                format!("{} ({ip})", self.target.describe())
            }
            _ => self.target.describe(),
        }
    }

    pub(super) fn timed_out(&self) -> String {
        format!(
            "timed out after {} connecting to {} (connect_timeout): is the host reachable, the port right and the server up?",
            crate::db::human_duration(self.timeout),
            self.server()
        )
    }

    pub(super) fn failed(&self, e: &tokio_postgres::Error) -> String {
        let server = self.server();
        if let Some(db) = e.as_db_error() {
            let hint = match db.code().code() {
                "28P01" => "; check the user name and password (in a URL, percent-encode special characters of the password)",
                "3D000" => "; create the database first (CREATE DATABASE), or fix its name in the URL",
                // 28000 says both "no such role" and "no pg_hba.conf entry": only the
                // latter is the server's access rules.
                "28000" if db.message().starts_with("role ") && db.message().ends_with("does not exist") => {
                    "; fix the user name in the URL, or create the role on the server (CREATE ROLE … LOGIN)"
                }
                "28000" if db.message().contains("pg_hba.conf") => {
                    "; the server's pg_hba.conf does not let this user in from here"
                }
                "53300" => "; the server has no free connection slot",
                "57P03" => "; the server is starting up or shutting down: try again shortly",
                _ => "",
            };
            return format!("{}{hint}", server_text(db));
        }
        if let Some(tls_err) = find_cause::<rustls::Error>(e) {
            return format!(
                "TLS connection to {server} failed (sslmode={}): {}",
                self.sslmode.name(),
                tls::describe(tls_err, self.params.sslrootcert.as_deref())
            );
        }
        let text = chain_text(e);
        if text.contains("server does not support TLS") {
            return format!(
                "{server} does not accept TLS connections, but sslmode={} requires TLS: use sslmode=prefer or disable, or turn ssl on in the server's configuration",
                self.sslmode.name()
            );
        }
        if let Some(io_err) = find_cause::<io::Error>(e) {
            return match (&self.target.host, io_err.kind()) {
                (Host::Tcp(_), io::ErrorKind::ConnectionRefused) => format!(
                    "connection refused by {server}: is the server running and accepting TCP/IP connections on that port?"
                ),
                (Host::Tcp(_), io::ErrorKind::TimedOut) => self.timed_out(),
                (Host::Unix(_), io::ErrorKind::NotFound | io::ErrorKind::ConnectionRefused) => {
                    format!("no server is listening on {server}: is the server running, and is this its socket directory?")
                }
                (Host::Unix(_), io::ErrorKind::PermissionDenied) => {
                    format!("permission denied opening {server}")
                }
                (_, io::ErrorKind::UnexpectedEof) => format!(
                    "{server} closed the connection during the handshake: is it a PostgreSQL server?"
                ),
                _ => format!("could not connect to {server}: {io_err}"),
            };
        }
        format!("could not connect to {server}: {text}")
    }
}
