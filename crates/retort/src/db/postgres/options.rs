//! A `postgres://` URL into typed connect options: hosts and ports, the user, the
//! database, TLS settings, libpq options. Errors never echo a password.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::db::url::{self, PercentError};
use crate::db::{DbError, MAX_WAIT_SECS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub(super) fn name(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Host {
    Tcp(String),
    Unix(PathBuf),
}

impl Host {
    pub(super) fn parse(text: String) -> Host {
        if text.starts_with('/') {
            Host::Unix(PathBuf::from(text))
        } else {
            Host::Tcp(text)
        }
    }
}

/// One server to try: a host and its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Endpoint {
    pub(super) host: Host,
    pub(super) port: u16,
}

impl Endpoint {
    /// How messages name this server: `db.example.com:5432`, `[::1]:5432`, or the socket.
    pub(super) fn describe(&self) -> String {
        match &self.host {
            Host::Tcp(h) if h.contains(':') => format!("[{h}]:{}", self.port),
            Host::Tcp(h) => format!("{h}:{}", self.port),
            Host::Unix(dir) => format!("socket {}", socket_path(dir, self.port).display()),
        }
    }
}

pub(super) fn socket_path(dir: &Path, port: u16) -> PathBuf {
    dir.join(format!(".s.PGSQL.{port}"))
}

/// Everything a `postgres://` URL says, checked when the config is read (see the module
/// documentation of the driver for the options). Deliberately not `Debug`: it holds the
/// password.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    /// Hosts with the port each was given with, if any (`port=` in the query overrides).
    pub(super) hosts: Vec<(Host, Option<u16>)>,
    pub(super) ports: Vec<u16>,
    pub(super) user: Option<String>,
    pub(super) password: Option<String>,
    pub(super) dbname: Option<String>,
    pub(super) sslmode: SslMode,
    pub(super) sslrootcert: Option<PathBuf>,
    pub(super) options: Option<String>,
    pub(super) connect_timeout: Option<Duration>,
    pub(super) application_name: Option<String>,
    pub(super) fallback_application_name: Option<String>,
}

/// libpq options retort knows of but does not implement: refused with a clearer message
/// than an unknown one.
pub(super) const UNSUPPORTED_OPTIONS: &[&str] = &[
    "hostaddr",
    "passfile",
    "require_auth",
    "channel_binding",
    "client_encoding",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "replication",
    "gssencmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslpassword",
    "sslkeylogfile",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "service",
    "target_session_attrs",
    "load_balance_hosts",
    "requiressl",
];

pub(super) const KNOWN_OPTIONS: &str =
    "host, port, user, password, dbname, sslmode (or asyncpg's ssl), sslrootcert, options, \
                             connect_timeout, application_name, fallback_application_name";

/// libpq's `sslmode` values (`key` is how the URL spelled the option: `sslmode` or `ssl`).
fn parse_sslmode(key: &str, value: &str) -> Result<SslMode, DbError> {
    Ok(match value {
        "disable" => SslMode::Disable,
        "prefer" => SslMode::Prefer,
        "require" => SslMode::Require,
        "verify-ca" => SslMode::VerifyCa,
        "verify-full" => SslMode::VerifyFull,
        "allow" => {
            return Err(DbError::new(format!(
                "{key}=allow is not supported; use prefer (TLS when the server offers it) or disable"
            )))
        }
        other => {
            return Err(DbError::new(format!(
                "unknown {key} `{other}` (expected disable, prefer, require, verify-ca or verify-full{})",
                if key == "ssl" { ", or true/false" } else { "" }
            )))
        }
    })
}

/// [`percent_decode`](url::percent_decode) with this driver's words for its errors, which
/// name the component and never echo its text (it may be a password).
fn percent_decode(text: &str, what: &str) -> Result<String, DbError> {
    url::percent_decode(text).map_err(|e| {
        DbError::new(match e {
            PercentError::BadEscape => format!(
                "bad percent-encoding in the {what} (`%` must be followed by two hex digits; write `%25` for `%` itself)"
            ),
            PercentError::NotUtf8 => format!("the {what} is not UTF-8 once percent-decoded"),
        })
    })
}

pub(super) fn parse_port(text: &str) -> Result<u16, DbError> {
    match text.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(DbError::new(format!(
            "invalid port `{text}` (expected a number from 1 to 65535)"
        ))),
    }
}

/// One `host[:port]` of the authority, IPv6 literals in brackets.
pub(super) fn parse_host_port(item: &str) -> Result<(Host, Option<u16>), DbError> {
    let (host, port) = if let Some(rest) = item.strip_prefix('[') {
        let (v6, after) = rest.split_once(']').ok_or_else(|| {
            DbError::new("an IPv6 address opened with `[` is not closed with `]`")
        })?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| DbError::new("expected `:port` after `]`"))?,
            ),
        };
        (v6.to_string(), port)
    } else {
        match item.split_once(':') {
            Some((h, p)) => (percent_decode(h, "host")?, Some(p)),
            None => (percent_decode(item, "host")?, None),
        }
    };
    let port = port.map(parse_port).transpose()?;
    Ok((Host::parse(host), port))
}

impl PostgresOptions {
    /// The same server, user and options, another database.
    pub(crate) fn with_database(&self, name: &str) -> PostgresOptions {
        PostgresOptions {
            dbname: Some(name.to_string()),
            ..self.clone()
        }
    }

    pub(crate) fn parse(raw: &str) -> Result<PostgresOptions, DbError> {
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| DbError::new("expected postgres://…"))?;
        // A `+driver` suffix (`postgresql+asyncpg`) names the application's Python driver.
        if !matches!(
            url::split_driver(scheme).0.to_ascii_lowercase().as_str(),
            "postgres" | "postgresql"
        ) {
            return Err(DbError::new(
                "the scheme must be postgres:// or postgresql://",
            ));
        }
        // The user info ends at the LAST `@` (as `mask` and the MySQL driver read it), so a
        // password with an unencoded `/`, `?`, `#` or `@` still parses, and never spills into
        // the host, database or options that messages quote. An `@` after the user info
        // must be written %40.
        let (userinfo, rest) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
        let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (hostlist, tail) = rest.split_at(auth_end);
        let (path, query) = match tail.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (tail, None),
        };

        let mut params = PostgresOptions {
            hosts: Vec::new(),
            ports: Vec::new(),
            user: None,
            password: None,
            dbname: None,
            sslmode: SslMode::Prefer,
            sslrootcert: None,
            options: None,
            connect_timeout: None,
            application_name: None,
            fallback_application_name: None,
        };

        if let Some(userinfo) = userinfo {
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            if !user.is_empty() {
                params.user = Some(percent_decode(user, "user name")?);
            }
            if let Some(p) = password {
                params.password = Some(percent_decode(p, "password")?);
            }
        }
        if !hostlist.is_empty() {
            for item in hostlist.split(',') {
                if item.is_empty() {
                    return Err(DbError::new("empty host in the host list"));
                }
                params.hosts.push(parse_host_port(item)?);
            }
        }

        let dbname = path.strip_prefix('/').unwrap_or(path);
        if !dbname.is_empty() {
            params.dbname = Some(percent_decode(dbname, "database name")?);
        }

        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').ok_or_else(|| {
                DbError::new(format!("option `{pair}` has no value (expected {pair}=…)"))
            })?;
            let key = percent_decode(key, "option name")?;
            let value = percent_decode(value, &format!("value of option `{key}`"))?;
            match key.as_str() {
                "host" => {
                    params.hosts = value
                        .split(',')
                        .map(|h| (Host::parse(h.trim().to_string()), None))
                        .collect();
                }
                "port" => {
                    params.ports = value.split(',').map(parse_port).collect::<Result<_, _>>()?;
                }
                "user" => params.user = Some(value),
                "password" => params.password = Some(value),
                "dbname" => params.dbname = Some(value),
                "sslmode" => params.sslmode = parse_sslmode("sslmode", &value)?,
                // asyncpg's spelling (SQLAlchemy hands the query to it as keywords): the
                // same modes, and `true`, which asyncpg takes as verify-full.
                "ssl" => {
                    params.sslmode = match value.to_ascii_lowercase().as_str() {
                        "true" => SslMode::VerifyFull,
                        "false" => SslMode::Disable,
                        _ => parse_sslmode("ssl", &value)?,
                    }
                }
                "sslrootcert" => {
                    if value == "system" {
                        return Err(DbError::new(
                            "sslrootcert=system (the operating system's roots) is not supported; give the path of a PEM file",
                        ));
                    }
                    params.sslrootcert = Some(PathBuf::from(value));
                }
                "options" => params.options = Some(value),
                "connect_timeout" => {
                    let secs: i64 = value.trim().parse().map_err(|_| {
                        DbError::new(format!(
                            "connect_timeout must be a whole number of seconds, not `{value}`"
                        ))
                    })?;
                    // As libpq: 0 (or less) waits forever, and 1 means 2.
                    params.connect_timeout = Some(match secs {
                        i64::MIN..=0 => Duration::ZERO,
                        1 => Duration::from_secs(2),
                        s if s.unsigned_abs() <= MAX_WAIT_SECS => {
                            Duration::from_secs(s.unsigned_abs())
                        }
                        _ => {
                            return Err(DbError::new(format!(
                                "connect_timeout must be at most {} seconds (a day), not `{value}`",
                                MAX_WAIT_SECS
                            )))
                        }
                    });
                }
                "application_name" => params.application_name = Some(value),
                "fallback_application_name" => params.fallback_application_name = Some(value),
                other if UNSUPPORTED_OPTIONS.contains(&other) => {
                    return Err(DbError::new(format!(
                        "option `{other}` is not supported by retort's PostgreSQL driver (it understands {KNOWN_OPTIONS})"
                    )))
                }
                other => {
                    return Err(DbError::new(format!(
                        "unknown option `{other}` (retort understands {KNOWN_OPTIONS})"
                    )))
                }
            }
        }
        if params.ports.len() > 1 && params.ports.len() != params.hosts.len().max(1) {
            return Err(DbError::new(format!(
                "{} ports for {} hosts: give one port for all, or one per host",
                params.ports.len(),
                params.hosts.len()
            )));
        }
        Ok(params)
    }

    /// The servers to try, in order, with the defaults filled in.
    pub(super) fn targets(&self) -> Vec<Endpoint> {
        let port_for = |i: usize, own: Option<u16>| match self.ports.as_slice() {
            [] => own.unwrap_or(5432),
            [one] => *one,
            many => many[i],
        };
        if self.hosts.is_empty() {
            let port = port_for(0, None);
            let host = ["/var/run/postgresql", "/run/postgresql", "/tmp"]
                .iter()
                .map(Path::new)
                .find(|dir| socket_path(dir, port).exists())
                .map_or_else(
                    || Host::Tcp("localhost".into()),
                    |dir| Host::Unix(dir.into()),
                );
            return vec![Endpoint { host, port }];
        }
        self.hosts
            .iter()
            .enumerate()
            .map(|(i, (host, own))| Endpoint {
                host: host.clone(),
                port: port_for(i, *own),
            })
            .collect()
    }

    /// The schema a `search_path` in `options` puts first, if it sets one.
    pub(super) fn options_schema(&self) -> Option<String> {
        first_schema(&setting_in_options(
            self.options.as_deref()?,
            "search_path",
        )?)
    }
}

/// Finds `-c name=value` / `-cname=value` / `--name=value` in a libpq `options` string
/// (words split on spaces, `\` escaping the next character, as the server reads it).
pub(super) fn setting_in_options(options: &str, wanted: &str) -> Option<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = options.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.extend(chars.next()),
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut found = None;
    let mut words = words.into_iter();
    while let Some(w) = words.next() {
        let setting = if w == "-c" {
            words.next()
        } else {
            w.strip_prefix("-c")
                .or_else(|| w.strip_prefix("--"))
                .map(str::to_string)
        };
        if let Some((name, value)) = setting.as_deref().and_then(|s| s.split_once('=')) {
            if name.trim().to_ascii_lowercase().replace('-', "_") == wanted {
                found = Some(value.to_string()); // the last one wins, as on the server
            }
        }
    }
    found
}

/// The first schema of a `search_path` value: `app,public` → `app`, `"My App"` → `My App`,
/// `App` → `app` (unquoted names fold to lower case). `"$user"` is not a schema to create.
pub(super) fn first_schema(search_path: &str) -> Option<String> {
    let s = search_path.trim_start();
    let name = if let Some(rest) = s.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = rest.chars().peekable();
        loop {
            match chars.next()? {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    name.push('"');
                }
                '"' => break,
                c => name.push(c),
            }
        }
        name
    } else {
        s.split(',').next()?.trim().to_lowercase()
    };
    (!name.is_empty() && name != "$user").then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{ConnectSpec, DatabaseUrl};

    #[test]
    fn parses_urls() {
        let p = PostgresOptions::parse(
            "postgresql://me:p%40ss%2Fw%3Ard@db.example.com:6432/app%20db?sslmode=verify-full&sslrootcert=/etc/ca.pem&options=-csearch_path%3Dapp&connect_timeout=7&application_name=deploy",
        )
        .unwrap();
        assert_eq!(p.user.as_deref(), Some("me"));
        assert_eq!(p.password.as_deref(), Some("p@ss/w:rd"));
        assert_eq!(p.dbname.as_deref(), Some("app db"));
        assert_eq!(p.sslmode, SslMode::VerifyFull);
        assert_eq!(p.sslrootcert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(p.options.as_deref(), Some("-csearch_path=app"));
        assert_eq!(p.connect_timeout, Some(Duration::from_secs(7)));
        assert_eq!(p.application_name.as_deref(), Some("deploy"));
        assert_eq!(
            p.targets(),
            [Endpoint {
                host: Host::Tcp("db.example.com".into()),
                port: 6432
            }]
        );
        assert_eq!(p.options_schema().as_deref(), Some("app"));

        let p = PostgresOptions::parse("postgres://u@h").unwrap();
        assert_eq!(p.sslmode, SslMode::Prefer);
        assert_eq!(
            (&p.dbname, &p.password, p.connect_timeout),
            (&None, &None, None)
        );
        assert_eq!(p.targets()[0].port, 5432);

        // Unix sockets: a percent-encoded path as host, or host= in the query.
        let p = PostgresOptions::parse("postgres://postgres@%2Fvar%2Frun%2Fpostgresql/db").unwrap();
        assert_eq!(
            p.targets(),
            [Endpoint {
                host: Host::Unix("/var/run/postgresql".into()),
                port: 5432
            }]
        );
        let p = PostgresOptions::parse("postgres:///db?host=/tmp/pg&port=5433&user=x").unwrap();
        assert_eq!(
            p.targets(),
            [Endpoint {
                host: Host::Unix("/tmp/pg".into()),
                port: 5433
            }]
        );
        assert_eq!(p.user.as_deref(), Some("x"));

        // Several hosts, IPv6, per-host ports, and one port for all.
        let p = PostgresOptions::parse("postgres://u@a:1,[::1]:2,c/db").unwrap();
        let t = p.targets();
        assert_eq!(
            t.iter().map(Endpoint::describe).collect::<Vec<_>>(),
            ["a:1", "[::1]:2", "c:5432"]
        );
        let p = PostgresOptions::parse("postgres://u@a,b/db?port=7").unwrap();
        assert!(p.targets().iter().all(|t| t.port == 7));

        // libpq's connect_timeout: 0 = no limit, 1 = 2 s.
        for (v, d) in [("0", 0), ("-3", 0), ("1", 2), ("10", 10)] {
            let p =
                PostgresOptions::parse(&format!("postgres://u@h/d?connect_timeout={v}")).unwrap();
            assert_eq!(p.connect_timeout, Some(Duration::from_secs(d)), "{v}");
        }
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            let p = PostgresOptions::parse(&format!("postgres://u@h/d?sslmode={mode}")).unwrap();
            assert_eq!(p.sslmode.name(), mode);
        }
    }

    #[test]
    fn sqlalchemy_drivers_and_their_options() {
        for scheme in [
            "postgresql+asyncpg",
            "postgresql+psycopg2",
            "postgresql+psycopg",
            "postgresql+pg8000",
            "postgres+whatever",
        ] {
            let p = PostgresOptions::parse(&format!("{scheme}://me@h:6543/app")).unwrap();
            assert_eq!(p.user.as_deref(), Some("me"), "{scheme}");
            assert_eq!(p.targets()[0].describe(), "h:6543", "{scheme}");
        }
        // asyncpg's `ssl`, psycopg's `sslmode`: the same modes.
        let mode = |q: &str| {
            PostgresOptions::parse(&format!("postgresql+asyncpg://u@h/d?{q}")).map(|p| p.sslmode)
        };
        for (q, m) in [
            ("ssl=require", SslMode::Require),
            ("ssl=disable", SslMode::Disable),
            ("ssl=prefer", SslMode::Prefer),
            ("ssl=verify-ca", SslMode::VerifyCa),
            ("ssl=verify-full", SslMode::VerifyFull),
            ("ssl=true", SslMode::VerifyFull),
            ("ssl=True", SslMode::VerifyFull),
            ("ssl=false", SslMode::Disable),
            ("sslmode=require", SslMode::Require),
        ] {
            assert_eq!(mode(q), Ok(m), "{q}");
        }
        let e = mode("ssl=allow").unwrap_err().message;
        assert!(e.contains("ssl=allow is not supported"), "{e}");
        let e = mode("ssl=yes").unwrap_err().message;
        assert!(
            e.contains("unknown ssl `yes`") && e.contains("true/false"),
            "{e}"
        );
        let p = PostgresOptions::parse(
            "postgresql+psycopg://u@h/d?application_name=web&connect_timeout=5&options=-c%20search_path%3Dapp",
        )
        .unwrap();
        assert_eq!(p.application_name.as_deref(), Some("web"));
        assert_eq!(p.connect_timeout, Some(Duration::from_secs(5)));
        assert_eq!(p.options_schema().as_deref(), Some("app"));
        // Options of the Python side are refused by name, with what is understood.
        let e =
            PostgresOptions::parse("postgresql+asyncpg://u@h/d?prepared_statement_cache_size=0")
                .err()
                .map(|e| e.message)
                .unwrap_or_default();
        assert!(
            e.contains("unknown option `prepared_statement_cache_size`") && e.contains("sslmode"),
            "{e}"
        );
    }

    #[test]
    fn url_errors_name_the_problem_and_never_the_password() {
        let err = |u: &str| PostgresOptions::parse(u).err().unwrap().message;
        let e = err("postgres://u:hunter2@h/d?sslmode=require&frobnicate=1");
        assert!(e.contains("unknown option `frobnicate`"), "{e}");
        let e = err("postgres://u@h/d?sslcert=/x.pem");
        assert!(e.contains("`sslcert` is not supported"), "{e}");
        let e = err("postgres://u@h/d?sslmode=verify");
        assert!(e.contains("unknown sslmode `verify`"), "{e}");
        let e = err("postgres://u@h/d?sslmode=allow");
        assert!(e.contains("sslmode=allow"), "{e}");
        let e = err("postgres://u@h:54x32/d");
        assert!(e.contains("invalid port `54x32`"), "{e}");
        let e = err("postgres://u@a,b,c/d?port=1,2");
        assert!(e.contains("2 ports for 3 hosts"), "{e}");
        let e = err("postgres://u@h/d?connect_timeout=soon");
        assert!(e.contains("connect_timeout"), "{e}");
        // A password with unencoded `/`, `?`, `#` or `@`: the user info ends at the last `@`.
        let p =
            PostgresOptions::parse("postgres://u:pa/ss?#@x@h:5433/app?connect_timeout=3").unwrap();
        assert_eq!(p.password.as_deref(), Some("pa/ss?#@x"));
        assert_eq!(p.targets()[0].describe(), "h:5433");
        assert_eq!(p.dbname.as_deref(), Some("app"));
        assert_eq!(p.connect_timeout, Some(Duration::from_secs(3)));
        let spec = |u: &str| ConnectSpec::new(&DatabaseUrl::parse(u).unwrap(), Path::new("."));
        assert!(spec("postgres://u@h/d?sslmode=verify-ca").is_ok());
        let e = spec("postgres://u:hunter2@h/d?sslmode=nope").unwrap_err();
        assert!(e.reason.contains("unknown sslmode `nope`"), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = err("postgres://u:oops%zzpw@h/d");
        assert!(e.contains("password") && !e.contains("oops"), "{e}");
    }

    #[test]
    fn search_path_from_options() {
        let sp = |o: &str| setting_in_options(o, "search_path");
        assert_eq!(sp("-csearch_path=app").as_deref(), Some("app"));
        assert_eq!(
            sp("-c search_path=app,public").as_deref(),
            Some("app,public")
        );
        assert_eq!(
            sp("--search-path=x -c statement_timeout=5s").as_deref(),
            Some("x")
        );
        assert_eq!(sp(r"-csearch_path=my\ app").as_deref(), Some("my app"));
        assert_eq!(sp("-c statement_timeout=5s"), None);
        assert_eq!(first_schema("app, public").as_deref(), Some("app"));
        assert_eq!(first_schema("App").as_deref(), Some("app"));
        assert_eq!(
            first_schema("\"My \"\"App\"\"\",public").as_deref(),
            Some("My \"App\"")
        );
        assert_eq!(first_schema("\"$user\", public"), None);
        assert_eq!(first_schema(""), None);
    }
}
