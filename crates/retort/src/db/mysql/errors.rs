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
    e: mysql_async::Error,
) -> DbError {
    let place = target.place();
    let user = target.user.as_deref().unwrap_or("");
    if let Some(tls) = tls_failure(&e) {
        return DbError::new(scrub(tls_message(target, tls), target.password.as_deref()));
    }
    let message = match &e {
        mysql_async::Error::Server(server) => {
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
        mysql_async::Error::Driver(mysql_async::DriverError::NoClientSslFlagFromServer) => format!(
            "the server at {place} does not offer TLS, and ssl-mode={} requires it",
            target.ssl_mode.name()
        ),
        mysql_async::Error::Io(mysql_async::IoError::Io(io)) => match io.kind() {
            std::io::ErrorKind::NotFound if target.ssl_ca.is_some() => {
                format!(
                    "cannot read ssl-ca {}: {io}",
                    target
                        .ssl_ca
                        .as_deref()
                        .unwrap_or(std::path::Path::new(""))
                        .display()
                )
            }
            kind => unreachable_message(target, &io.to_string(), kind),
        },
        mysql_async::Error::Io(mysql_async::IoError::Tls(e)) => format!(
            "TLS with the server at {place} failed: {e}{}",
            target
                .ssl_ca
                .as_deref()
                .map(|p| format!(" (ssl-ca {})", p.display()))
                .unwrap_or_default()
        ),
        other => format!(
            "cannot connect to the server at {place}: {}",
            describe(other)
        ),
    };
    DbError::new(scrub(message, target.password.as_deref()))
}

/// The rustls error behind a driver error, when the TLS handshake is what failed. The
/// driver wraps it in an I/O error (tokio-rustls's), or in its own TLS error. An I/O
/// error does not lead to what it wraps through `source`, so that step is taken here.
fn tls_failure(e: &mysql_async::Error) -> Option<&rustls::Error> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = match e {
        mysql_async::Error::Io(mysql_async::IoError::Io(io)) => Some(io),
        mysql_async::Error::Io(mysql_async::IoError::Tls(tls)) => Some(tls),
        _ => None,
    };
    while let Some(error) = next {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        let inner = error
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map(|inner| inner as &(dyn std::error::Error + 'static));
        next = inner.or_else(|| error.source());
    }
    None
}

/// A failed TLS handshake in words, saying what the user can change.
fn tls_message(target: &MysqlOptions, error: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let place = target.place();
    let ca = target
        .ssl_ca
        .as_deref()
        .map_or_else(|| "ssl-ca".to_string(), |p| p.display().to_string());
    let why = match error {
        rustls::Error::InvalidCertificate(
            C::UnknownIssuer
            | C::BadSignature
            | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. },
        ) => format!("the server's certificate is not signed by a certificate in {ca}"),
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => {
            format!(
                "{error}: the certificate does not name the host connected to ({}); connect \
                 with a host name (or address) the certificate lists",
                target.host
            )
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            format!("{error}: the server's certificate (or one in its chain) has expired")
        }
        rustls::Error::InvalidCertificate(C::NotValidYet | C::NotValidYetContext { .. }) => {
            format!(
                "{error}: the server's certificate is not valid yet; check this machine's clock"
            )
        }
        other => other.to_string(),
    };
    format!(
        "TLS with the server at {place} failed (ssl-mode={}): {why}",
        target.ssl_mode.name()
    )
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

pub(super) fn server_message(e: &mysql_async::ServerError) -> String {
    format!(
        "{} (MySQL error {}, SQLSTATE {})",
        e.message, e.code, e.state
    )
}

/// The driver's error in plain words (its own `Display` prefixes each with its kind).
pub(super) fn describe(e: &mysql_async::Error) -> String {
    match e {
        mysql_async::Error::Server(server) => server_message(server),
        mysql_async::Error::Io(mysql_async::IoError::Io(io)) => {
            format!("lost the connection to the server: {io}")
        }
        mysql_async::Error::Io(other) => format!("lost the connection to the server: {other}"),
        mysql_async::Error::Driver(d) => d.to_string(),
        mysql_async::Error::Url(u) => u.to_string(),
        other => other.to_string(),
    }
}

pub(super) fn error(e: mysql_async::Error) -> DbError {
    DbError::new(describe(&e))
}
