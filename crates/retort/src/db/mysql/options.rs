//! A `mysql://` / `mariadb://` URL into typed connect options: where the server is, who
//! connects, which database. Errors never echo a password.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::db::url::{self, PercentError};
use crate::db::{wait_from_secs, DbError, MAX_WAIT_SECS};

/// Where and how to connect, parsed from the URL when the config is read:
/// `mysql://user:password@host:port/database?socket=/path&connect_timeout=SECS` (or
/// `mariadb://`). The user, password and database are percent-decoded; the port defaults
/// to 3306; `connect_timeout` is in seconds, fractions allowed. Never printed whole:
/// `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct MysqlOptions {
    pub(super) user: Option<String>,
    pub(super) password: Option<String>,
    /// As written, IPv6 addresses in brackets (`[::1]`), as the driver wants them.
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) socket: Option<String>,
    pub(super) database: String,
    pub(super) connect_timeout: Option<Duration>,
    pub(super) ssl_mode: SslMode,
    /// The certificate authority to trust (`ssl-ca`), for the verify modes.
    pub(super) ssl_ca: Option<PathBuf>,
}

/// MySQL's `--ssl-mode`, as its own clients define each value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    /// No TLS (also what a URL without any TLS option gets, as pymysql does).
    Disabled,
    /// TLS when the server offers it, plain otherwise; the certificate is not checked.
    Preferred,
    /// TLS or no connection; the certificate is not checked.
    Required,
    /// MySQL's chain-only check: the certificate must chain to `ssl-ca` (and only to it:
    /// the driver's public web CAs are off), whatever host name it carries.
    VerifyCa,
    /// As `VerifyCa`, and the certificate must name the host connected to.
    VerifyIdentity,
}

impl SslMode {
    pub(super) fn name(self) -> &'static str {
        match self {
            SslMode::Disabled => "DISABLED",
            SslMode::Preferred => "PREFERRED",
            SslMode::Required => "REQUIRED",
            SslMode::VerifyCa => "VERIFY_CA",
            SslMode::VerifyIdentity => "VERIFY_IDENTITY",
        }
    }

    fn parse(value: &str) -> Result<SslMode, DbError> {
        Ok(match value.to_ascii_uppercase().replace('-', "_").as_str() {
            "DISABLED" => SslMode::Disabled,
            "PREFERRED" => SslMode::Preferred,
            "REQUIRED" => SslMode::Required,
            "VERIFY_CA" => SslMode::VerifyCa,
            "VERIFY_IDENTITY" => SslMode::VerifyIdentity,
            _ => {
                return Err(DbError::new(format!(
                    "unknown ssl-mode `{value}` (expected DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY)"
                )))
            }
        })
    }
}

/// The TLS options as the URL gave them, before they are settled into a mode.
#[derive(Default)]
struct TlsQuery {
    mode: Option<SslMode>,
    ca: Option<PathBuf>,
    check_hostname: Option<bool>,
    disabled: Option<bool>,
}

impl TlsQuery {
    /// MySQL's rules, and pymysql's for its own names: an explicit mode wins; a CA alone
    /// means its certificate is verified with the host name (pymysql's `ssl_ca`, which
    /// checks the name unless `ssl_check_hostname=false`; MySQL's `--ssl-ca` alone checks
    /// only the chain, and retort takes the stricter reading of the shared name).
    fn settle(self) -> Result<(SslMode, Option<PathBuf>), DbError> {
        if self.disabled == Some(true) {
            if self.mode.is_some_and(|m| m != SslMode::Disabled) || self.ca.is_some() {
                return Err(DbError::new(
                    "ssl_disabled=true contradicts the other TLS options of the URL",
                ));
            }
            return Ok((SslMode::Disabled, None));
        }
        let mode = match (self.mode, &self.ca, self.check_hostname) {
            (Some(mode), _, _) => mode,
            (None, Some(_), Some(false)) => SslMode::VerifyCa,
            (None, Some(_), _) => SslMode::VerifyIdentity,
            (None, None, _) => SslMode::Disabled,
        };
        if matches!(mode, SslMode::VerifyCa | SslMode::VerifyIdentity) && self.ca.is_none() {
            return Err(DbError::new(format!(
                "ssl-mode={} needs the certificate authority to trust: add ssl-ca=/path/to/ca.pem",
                mode.name()
            )));
        }
        Ok((mode, self.ca))
    }
}

impl fmt::Debug for MysqlOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MysqlOptions")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("socket", &self.socket)
            .field("database", &self.database)
            .field("connect_timeout", &self.connect_timeout)
            .field("ssl_mode", &self.ssl_mode)
            .field("ssl_ca", &self.ssl_ca)
            .finish()
    }
}

impl MysqlOptions {
    /// The same server, user and options, another database.
    pub(crate) fn with_database(&self, name: &str) -> MysqlOptions {
        MysqlOptions {
            database: name.to_string(),
            ..self.clone()
        }
    }

    /// Parses `mysql://` / `mariadb://` URLs. Error messages never quote the user-info part.
    pub(crate) fn parse(raw: &str) -> Result<MysqlOptions, DbError> {
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| DbError::new("expected mysql://user@host/dbname"))?;
        // A `+driver` suffix (`mysql+pymysql`) names the application's Python driver.
        if !matches!(
            url::split_driver(scheme).0.to_ascii_lowercase().as_str(),
            "mysql" | "mariadb"
        ) {
            return Err(DbError::new(format!(
                "not a MySQL URL (scheme `{scheme}`); expected mysql:// or mariadb://"
            )));
        }
        // The user info ends at the last `@`, so a password with an unencoded `/`, `?` or
        // `#` still parses (and never spills into the host or path quoted in messages).
        let (userinfo, rest) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (hostport, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (user, password) = match userinfo {
            None => (None, None),
            Some(info) => {
                let (u, p) = match info.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (info, None),
                };
                let u = decode(u, "user name")?;
                let p = p.map(|p| decode(p, "password")).transpose()?;
                ((!u.is_empty()).then_some(u), p)
            }
        };
        let (host, port) = split_host_port(hostport)?;
        let database = decode(path.strip_suffix('/').unwrap_or(path), "database name")?;
        if database.is_empty() {
            return Err(DbError::new(
                "the URL names no database; name the database: mysql://user@host/dbname",
            ));
        }
        if database.contains('/') {
            return Err(DbError::new(format!(
                "the URL path must be just the database name, not `{database}`"
            )));
        }
        let mut target = MysqlOptions {
            user,
            password,
            host: if host.is_empty() {
                "localhost".to_string()
            } else {
                host
            },
            port,
            socket: None,
            database,
            connect_timeout: None,
            ssl_mode: SslMode::Disabled,
            ssl_ca: None,
        };
        let mut tls = TlsQuery::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key, "query option")?;
            let value = decode(value, "query option")?;
            match key.as_str() {
                // `unix_socket` is pymysql's and mysqlclient's name for it.
                "socket" | "unix_socket" if !value.is_empty() => target.socket = Some(value),
                "connect_timeout" => target.connect_timeout = Some(parse_seconds(&key, &value)?),
                "socket" | "unix_socket" => {
                    return Err(DbError::new(format!(
                        "option `{key}` needs a path: ?{key}=/run/mysqld/mysqld.sock"
                    )))
                }
                "charset" => check_charset(&value)?,
                // MySQL's client option names, with `_` too; pymysql's (through SQLAlchemy).
                "ssl-mode" | "ssl_mode" => tls.mode = Some(SslMode::parse(&value)?),
                "ssl-ca" | "ssl_ca" if !value.is_empty() => tls.ca = Some(PathBuf::from(value)),
                "ssl-ca" | "ssl_ca" => {
                    return Err(DbError::new(format!(
                        "option `{key}` needs the path of a PEM file"
                    )))
                }
                "ssl_check_hostname" => tls.check_hostname = Some(parse_bool(&key, &value)?),
                "ssl_disabled" => tls.disabled = Some(parse_bool(&key, &value)?),
                "ssl-cert" | "ssl_cert" | "ssl-key" | "ssl_key" | "ssl-capath" | "ssl_capath"
                | "ssl-cipher" | "ssl_cipher" | "ssl-crl" | "ssl_crl" | "tls-version"
                | "tls_version" => {
                    return Err(DbError::new(format!(
                        "option `{key}` is not supported by retort's MySQL driver (it understands {KNOWN_OPTIONS})"
                    )))
                }
                other => {
                    return Err(DbError::new(format!(
                        "unknown option `{other}` in the MySQL URL (supported: {KNOWN_OPTIONS})"
                    )))
                }
            }
        }
        (target.ssl_mode, target.ssl_ca) = tls.settle()?;
        Ok(target)
    }

    /// Where the server is, for messages: `host:port` or `socket /path`.
    pub(super) fn place(&self) -> String {
        match &self.socket {
            Some(path) => format!("socket {path}"),
            None => format!("{}:{}", self.host, self.port),
        }
    }
}

/// What a MySQL URL's query may hold, for messages.
const KNOWN_OPTIONS: &str = "socket (or unix_socket), connect_timeout, charset=utf8mb4, \
     ssl-mode (or ssl_mode), ssl-ca (or ssl_ca), ssl_check_hostname, ssl_disabled";

/// `true`/`false` as SQLAlchemy writes them in a URL (also 1/0, yes/no).
fn parse_bool(key: &str, value: &str) -> Result<bool, DbError> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(DbError::new(format!(
            "option `{key}` must be true or false, not `{value}`"
        ))),
    }
}

/// SQLAlchemy's MySQL drivers take `charset=utf8mb4` (the recommended one). Retort's
/// driver always talks utf8mb4 (MySQL 5.5.3 and later), so that is the one value honoured;
/// another would mean a session unlike the application's, so it is refused.
fn check_charset(value: &str) -> Result<(), DbError> {
    if value.eq_ignore_ascii_case("utf8mb4") {
        Ok(())
    } else {
        Err(DbError::new(format!(
            "charset `{value}` is not supported: retort's MySQL sessions always use utf8mb4 (charset=utf8mb4)"
        )))
    }
}

pub(super) fn split_host_port(hostport: &str) -> Result<(String, u16), DbError> {
    let bad_port = |p: &str| DbError::new(format!("invalid port `{p}` in the URL"));
    if let Some(v6) = hostport.strip_prefix('[') {
        let (addr, after) = v6
            .split_once(']')
            .ok_or_else(|| DbError::new("unclosed `[` in the URL's host"))?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().map_err(|_| bad_port(p))?,
            None if after.is_empty() => 3306,
            None => return Err(DbError::new("unexpected text after `]` in the URL's host")),
        };
        return Ok((format!("[{addr}]"), port));
    }
    match hostport.rsplit_once(':') {
        Some((host, p)) => Ok((
            host.to_string(),
            if p.is_empty() {
                3306
            } else {
                p.parse().map_err(|_| bad_port(p))?
            },
        )),
        None => Ok((hostport.to_string(), 3306)),
    }
}

pub(super) fn parse_seconds(key: &str, value: &str) -> Result<Duration, DbError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| wait_from_secs(s).ok())
        .ok_or_else(|| {
            DbError::new(format!(
                "option `{key}` must be a number of seconds above 0 and at most {} (a day), not `{value}`",
                MAX_WAIT_SECS
            ))
        })
}

/// [`percent_decode`](url::percent_decode) with this driver's words for its errors, which
/// name the component and never echo its text (it may be the password).
fn decode(text: &str, what: &str) -> Result<String, DbError> {
    url::percent_decode(text).map_err(|e| {
        DbError::new(match e {
            PercentError::BadEscape => format!("invalid percent-encoding in the URL's {what}"),
            PercentError::NotUtf8 => format!("the URL's {what} is not UTF-8"),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    use crate::db::{ConnectSpec, DatabaseUrl};

    #[test]
    fn parses_urls() {
        let t = MysqlOptions::parse("mysql://app:p%40ss%3Aw@db.example.com:3307/my%2Ddb").unwrap();
        assert_eq!(t.user.as_deref(), Some("app"));
        assert_eq!(t.password.as_deref(), Some("p@ss:w"));
        assert_eq!((t.host.as_str(), t.port), ("db.example.com", 3307));
        assert_eq!(t.database, "my-db");
        assert!(!format!("{t:?}").contains("p@ss"));

        let t = MysqlOptions::parse("MariaDB://root@[::1]/app?connect_timeout=2.5").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("[::1]", 3306));
        assert_eq!(t.password, None);
        assert_eq!(t.connect_timeout, Some(Duration::from_millis(2500)));

        let t = MysqlOptions::parse("mysql:///app?socket=%2Frun%2Fmysqld%2Fmysqld.sock").unwrap();
        assert_eq!(t.socket.as_deref(), Some("/run/mysqld/mysqld.sock"));
        assert_eq!((t.user.as_deref(), t.host.as_str()), (None, "localhost"));
        assert_eq!(t.place(), "socket /run/mysqld/mysqld.sock");

        // Unencoded `/`, `?`, `#` and `@` in a password: the user info ends at the last `@`.
        let t = MysqlOptions::parse("mysql://u:pa/ss?#@x@h:3307/app?connect_timeout=1").unwrap();
        assert_eq!(t.password.as_deref(), Some("pa/ss?#@x"));
        assert_eq!(
            (t.host.as_str(), t.port, t.database.as_str()),
            ("h", 3307, "app")
        );

        let t = MysqlOptions::parse("mysql://u:@h/app/").unwrap();
        assert_eq!(
            (t.password.as_deref(), t.database.as_str()),
            (Some(""), "app")
        );
    }

    #[test]
    fn sqlalchemy_drivers_and_their_options() {
        for scheme in [
            "mysql+pymysql",
            "mysql+mysqldb",
            "mysql+aiomysql",
            "mysql+asyncmy",
            "mysql+mysqlconnector",
            "mariadb+mariadbconnector",
            "mariadb+pymysql",
            "MySQL+PyMySQL",
        ] {
            let t = MysqlOptions::parse(&format!("{scheme}://app:pw@db:3307/shop?charset=utf8mb4"))
                .unwrap();
            assert_eq!(
                (
                    t.user.as_deref(),
                    t.host.as_str(),
                    t.port,
                    t.database.as_str()
                ),
                (Some("app"), "db", 3307, "shop"),
                "{scheme}"
            );
        }
        let t = MysqlOptions::parse(
            "mysql+pymysql://root@localhost/app?unix_socket=/tmp/my.sock&charset=UTF8MB4",
        )
        .unwrap();
        assert_eq!(t.socket.as_deref(), Some("/tmp/my.sock"));
        let err = |u: &str| MysqlOptions::parse(u).unwrap_err().message;
        let e = err("mysql+pymysql://u@h/db?charset=latin1");
        assert!(
            e.contains("charset `latin1` is not supported") && e.contains("utf8mb4"),
            "{e}"
        );
        let e = err("mysql+pymysql://u@h/db?unix_socket=");
        assert!(e.contains("`unix_socket` needs a path"), "{e}");
        let e = err("mysql+pymysql://u@h/db?local_infile=1");
        assert!(
            e.contains("unknown option `local_infile`") && e.contains("charset"),
            "{e}"
        );
        let e = err("mysql+asyncmy://u@h/db?application_name=x");
        assert!(e.contains("unknown option `application_name`"), "{e}");
    }

    #[test]
    fn tls_options_as_mysql_and_pymysql_name_them() {
        let tls = |q: &str| {
            MysqlOptions::parse(&format!("mysql://u@h/db{q}"))
                .map(|t| (t.ssl_mode, t.ssl_ca.map(|p| p.display().to_string())))
        };
        let ca = || Some("/ca.pem".to_string());
        for (q, mode, with_ca) in [
            ("", SslMode::Disabled, None),
            ("?ssl-mode=DISABLED", SslMode::Disabled, None),
            ("?ssl-mode=preferred", SslMode::Preferred, None),
            ("?ssl_mode=REQUIRED", SslMode::Required, None),
            (
                "?ssl-mode=VERIFY_IDENTITY&ssl-ca=/ca.pem",
                SslMode::VerifyIdentity,
                ca(),
            ),
            ("?ssl-mode=REQUIRED&ssl-ca=/ca.pem", SslMode::Required, ca()),
            // pymysql: a CA alone checks the chain and the name, unless told not to.
            ("?ssl_ca=/ca.pem", SslMode::VerifyIdentity, ca()),
            ("?ssl_disabled=true", SslMode::Disabled, None),
            (
                "?ssl_disabled=false&ssl-mode=REQUIRED",
                SslMode::Required,
                None,
            ),
        ] {
            assert_eq!(tls(q), Ok((mode, with_ca)), "{q}");
        }
        let err = |q: &str| tls(q).unwrap_err().message;
        // VERIFY_CA in every spelling, and both verify modes need the CA to trust.
        for q in [
            "?ssl-mode=VERIFY_CA&ssl-ca=/ca.pem",
            "?ssl_mode=verify-ca&ssl_ca=/ca.pem",
            "?ssl_ca=/ca.pem&ssl_check_hostname=false",
        ] {
            assert_eq!(tls(q), Ok((SslMode::VerifyCa, ca())), "{q}");
        }
        let e = err("?ssl-mode=VERIFY_CA");
        assert!(e.contains("ssl-mode=VERIFY_CA needs"), "{e}");
        let e = err("?ssl-mode=VERIFY_IDENTITY");
        assert!(e.contains("ssl-mode=VERIFY_IDENTITY needs"), "{e}");
        let e = err("?ssl-mode=strict");
        assert!(
            e.contains("unknown ssl-mode `strict`") && e.contains("VERIFY_IDENTITY"),
            "{e}"
        );
        let e = err("?ssl_disabled=true&ssl-mode=REQUIRED");
        assert!(e.contains("contradicts"), "{e}");
        let e = err("?ssl_check_hostname=maybe");
        assert!(e.contains("true or false"), "{e}");
        let e = err("?ssl_cert=/c.pem");
        assert!(e.contains("`ssl_cert` is not supported"), "{e}");
        let e = err("?ssl-ca=");
        assert!(e.contains("needs the path"), "{e}");
    }

    #[test]
    fn rejects_bad_urls_without_showing_the_password() {
        let cases = [
            (
                "mysql://u:Sekr3tPass@h",
                "name the database: mysql://user@host/dbname",
            ),
            ("mysql://u:Sekr3tPass@h/", "name the database"),
            (
                "mysql://u:Sekr3tPass@h/db?sslmode=require",
                "unknown option `sslmode`",
            ),
            (
                "mysql://u:Sekr3tPass@h/db?connect_timeout=soon",
                "option `connect_timeout`",
            ),
            (
                "mysql://u:Sekr3tPass@h/db?connect_timeout=0",
                "above 0 and at most 86400",
            ),
            ("mysql://u:Sekr3tPass@h/db?socket=", "needs a path"),
            ("mysql://u:Sekr3tPass@h:port/db", "invalid port `port`"),
            (
                "mysql://u:Sekr3tPass%zz@h/db",
                "percent-encoding in the URL's password",
            ),
            ("mysql://u:Sekr3tPass@h/a/b", "just the database name"),
            ("postgres://u:Sekr3tPass@h/db", "not a MySQL URL"),
        ];
        for (url, wanted) in cases {
            let e = MysqlOptions::parse(url).unwrap_err();
            assert!(e.message.contains(wanted), "{url}: {e}");
            assert!(!e.message.contains("Sekr3tPass"), "{url}: {e}");
        }
        let spec = |u: &str| ConnectSpec::new(&DatabaseUrl::parse(u).unwrap(), Path::new("."));
        let e = spec("mysql://u:Sekr3t/Pass@h:port/db").unwrap_err();
        assert!(e.reason.contains("invalid port `port`"), "{e}");
        assert!(
            !e.to_string().contains("Sekr3t") && !e.to_string().contains("Pass"),
            "{e}"
        );
        spec("mariadb://u:p@h/db?socket=/s.sock").unwrap();
        // Through the public constructor of the connection spec too, before any network
        // access.
        let e = spec("mysql://root@127.0.0.1:1/db?bogus=1").unwrap_err();
        assert!(e.reason.contains("`bogus`"), "{e}");
    }
}
