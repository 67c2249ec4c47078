//! PostgreSQL through tokio-postgres, driven by a private current-thread Tokio runtime, so
//! no async leaks into the [`Connection`] trait.
//!
//! Why tokio-postgres and not its blocking facade `postgres`: libpq's `connect_timeout`
//! bounds the whole connection (TCP, TLS, authentication), while tokio-postgres' own timeout
//! covers only the TCP connect — a server that accepts and never answers would hang the
//! facade forever. Owning the runtime lets us put one deadline around each attempt.
//!
//! # URLs
//!
//! `postgres[ql]://[user[:password]@][host[:port][,host[:port]…]][/dbname][?option=value&…]`,
//! every part percent-decoded. The user info ends at the last `@`, as `mask` reads it: a
//! password may hold unencoded `/ ? # @`, but an `@` anywhere after it must be `%40`.
//!
//! Options: `host`, `port`, `user`, `password`, `dbname`, `sslmode` (`disable`, `prefer` —
//! the default —, `require`, `verify-ca`, `verify-full`), `sslrootcert`, `options` (e.g.
//! `-csearch_path=app`), `connect_timeout` (seconds; 0 = none), `application_name` (default
//! `retort`) and `fallback_application_name`. Other libpq options are refused by name.
//!
//! A host (or `host=`) starting with `/` is a Unix-socket directory; with no host at all,
//! the first of `/var/run/postgresql`, `/run/postgresql`, `/tmp` holding the server's socket
//! is used, else `localhost`. As in libpq: `sslmode` is ignored on Unix sockets; an
//! `sslrootcert` given with `prefer` or `require` makes them check the chain as `verify-ca`
//! does; `verify-ca` and `verify-full` without `sslrootcert` read `~/.postgresql/root.crt`.
//! Unlike libpq, `PG*` environment variables and `~/.pgpass` are not read (put `${VAR}` in
//! the URL instead); with no user in the URL, `$USER` is used.
//!
//! # Schema
//!
//! `ConnectOptions::schema` becomes the session's `search_path` right after connecting;
//! [`Connection::ensure_schema`] creates it. Without it, a `search_path` set by the URL's
//! `options` (`-csearch_path=app,public` or `-c search_path=…`) is honoured: `ensure_schema`
//! creates its first schema, where unqualified tables go. The server-side default
//! (`"$user", public`) is never created.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_postgres::error::{DbError as PgDbError, ErrorPosition};
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::config::DatabaseUrl;
use crate::dialect::Dialect;

use super::tls::{self, Roots, Verify};
use super::{ConnectOptions, Connection, DbError, Value};

/// How often `lock` tries again while another session holds the lock.
const LOCK_RETRY: Duration = Duration::from_millis(100);

/// A PostgreSQL session.
pub struct PostgresConnection {
    runtime: Runtime,
    /// `None` only while dropping.
    client: Option<tokio_postgres::Client>,
    /// The task reading and writing the socket; it runs whenever `runtime.block_on` does.
    io_task: Option<JoinHandle<()>>,
    /// Why the server ended the session, when its last words reached the I/O task while
    /// no request was waiting (otherwise they answer the request, as a statement error).
    closed_because: Arc<Mutex<Option<String>>>,
    lock_key: i64,
    lock_timeout: Duration,
    /// What `ensure_schema` creates: `ConnectOptions::schema`, else the first schema of a
    /// `search_path` given in the URL's `options`.
    schema: Option<String>,
    /// The session's cancel key, for a stop request from another thread.
    cancel: Arc<CancelRequest>,
}

/// PostgreSQL's cancel request: a new connection (with the session's TLS settings) that
/// names the session by its key; the server then cancels the statement it is running.
struct CancelRequest {
    token: tokio_postgres::CancelToken,
    tls: MakeRustlsConnect,
}

impl super::Cancel for CancelRequest {
    fn cancel(&self) -> Result<(), DbError> {
        // On the caller's thread: the session's own runtime is busy with the statement.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbError::new(format!("cannot send the cancel request: {e}")))?;
        let request = self.token.cancel_query(self.tls.clone());
        match runtime
            .block_on(async { tokio::time::timeout(Duration::from_secs(5), request).await })
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(DbError::new(format!("the cancel request failed: {e}"))),
            Err(_) => Err(DbError::new("the cancel request got no answer within 5 s")),
        }
    }
}

// ---------------------------------------------------------------------------------------
// URL

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    fn name(self) -> &'static str {
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
enum Host {
    Tcp(String),
    Unix(PathBuf),
}

impl Host {
    fn parse(text: String) -> Host {
        if text.starts_with('/') {
            Host::Unix(PathBuf::from(text))
        } else {
            Host::Tcp(text)
        }
    }
}

/// One server to try: a host and its port.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    host: Host,
    port: u16,
}

impl Target {
    /// How messages name this server: `db.example.com:5432`, `[::1]:5432`, or the socket.
    fn describe(&self) -> String {
        match &self.host {
            Host::Tcp(h) if h.contains(':') => format!("[{h}]:{}", self.port),
            Host::Tcp(h) => format!("{h}:{}", self.port),
            Host::Unix(dir) => format!("socket {}", socket_path(dir, self.port).display()),
        }
    }
}

fn socket_path(dir: &Path, port: u16) -> PathBuf {
    dir.join(format!(".s.PGSQL.{port}"))
}

/// Everything a URL says. Deliberately not `Debug`: it holds the password.
#[derive(Clone, PartialEq, Eq)]
struct Params {
    /// Hosts with the port each was given with, if any (`port=` in the query overrides).
    hosts: Vec<(Host, Option<u16>)>,
    ports: Vec<u16>,
    user: Option<String>,
    password: Option<String>,
    dbname: Option<String>,
    sslmode: SslMode,
    sslrootcert: Option<PathBuf>,
    options: Option<String>,
    connect_timeout: Option<Duration>,
    application_name: Option<String>,
    fallback_application_name: Option<String>,
}

/// libpq options retort knows of but does not implement: refused with a clearer message
/// than an unknown one.
const UNSUPPORTED_OPTIONS: &[&str] = &[
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

const KNOWN_OPTIONS: &str = "host, port, user, password, dbname, sslmode, sslrootcert, options, \
                             connect_timeout, application_name, fallback_application_name";

/// Decodes `%XX` escapes. Errors never echo the text: it may be a password.
fn percent_decode(text: &str, what: &str) -> Result<String, DbError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    DbError::new(format!(
                        "bad percent-encoding in the {what} (`%` must be followed by two hex digits; write `%25` for `%` itself)"
                    ))
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| DbError::new(format!("the {what} is not UTF-8 once percent-decoded")))
}

fn parse_port(text: &str) -> Result<u16, DbError> {
    match text.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(DbError::new(format!(
            "invalid port `{text}` (expected a number from 1 to 65535)"
        ))),
    }
}

/// One `host[:port]` of the authority, IPv6 literals in brackets.
fn parse_host_port(item: &str) -> Result<(Host, Option<u16>), DbError> {
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

impl Params {
    fn parse(raw: &str) -> Result<Params, DbError> {
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| DbError::new("expected postgres://…"))?;
        if !matches!(
            scheme.to_ascii_lowercase().as_str(),
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

        let mut params = Params {
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
                "sslmode" => {
                    params.sslmode = match value.as_str() {
                        "disable" => SslMode::Disable,
                        "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        "allow" => {
                            return Err(DbError::new(
                                "sslmode=allow is not supported; use prefer (TLS when the server offers it) or disable",
                            ))
                        }
                        other => {
                            return Err(DbError::new(format!(
                                "unknown sslmode `{other}` (expected disable, prefer, require, verify-ca or verify-full)"
                            )))
                        }
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
                        s if s.unsigned_abs() <= crate::config::MAX_WAIT_SECS => {
                            Duration::from_secs(s.unsigned_abs())
                        }
                        _ => {
                            return Err(DbError::new(format!(
                                "connect_timeout must be at most {} seconds (a day), not `{value}`",
                                crate::config::MAX_WAIT_SECS
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
    fn targets(&self) -> Vec<Target> {
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
            return vec![Target { host, port }];
        }
        self.hosts
            .iter()
            .enumerate()
            .map(|(i, (host, own))| Target {
                host: host.clone(),
                port: port_for(i, *own),
            })
            .collect()
    }

    /// The schema a `search_path` in `options` puts first, if it sets one.
    fn options_schema(&self) -> Option<String> {
        first_schema(&setting_in_options(
            self.options.as_deref()?,
            "search_path",
        )?)
    }
}

/// Finds `-c name=value` / `-cname=value` / `--name=value` in a libpq `options` string
/// (words split on spaces, `\` escaping the next character, as the server reads it).
fn setting_in_options(options: &str, wanted: &str) -> Option<String> {
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
fn first_schema(search_path: &str) -> Option<String> {
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

// ---------------------------------------------------------------------------------------
// Connecting

/// The i64 key of the advisory lock: the first 8 bytes of SHA-256 of the lock name, so
/// every retort (and every version of it) agrees on the key for a name.
fn lock_key(name: &str) -> i64 {
    let digest = Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// The text of a server error: its message and SQLSTATE, then DETAIL, HINT, the internal
/// query and CONTEXT lines when the server sent them (as psql shows them).
fn server_text(db: &PgDbError) -> String {
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
fn pg_err(e: tokio_postgres::Error) -> DbError {
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
fn chain_text(e: &(dyn StdError + 'static)) -> String {
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
fn find_cause<'a, T: StdError + 'static>(e: &'a (dyn StdError + 'static)) -> Option<&'a T> {
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
struct Attempt<'a> {
    target: &'a Target,
    /// The address tried, when it differs from the host as written.
    addr: Option<IpAddr>,
    params: &'a Params,
    timeout: Duration,
    sslmode: SslMode,
}

impl Attempt<'_> {
    fn server(&self) -> String {
        match (self.addr, &self.target.host) {
            (Some(ip), Host::Tcp(h)) if h.parse::<IpAddr>().is_err() => {
                format!("{} ({ip})", self.target.describe())
            }
            _ => self.target.describe(),
        }
    }

    fn timed_out(&self) -> String {
        format!(
            "timed out after {} connecting to {} (connect_timeout): is the host reachable, the port right and the server up?",
            super::human_duration(self.timeout),
            self.server()
        )
    }

    fn failed(&self, e: &tokio_postgres::Error) -> String {
        let server = self.server();
        if let Some(db) = e.as_db_error() {
            let hint = match db.code().code() {
                "28P01" => "; check the user name and password (in a URL, percent-encode special characters of the password)",
                "3D000" => "; create the database first (CREATE DATABASE), or fix its name in the URL",
                "28000" => "; the server's pg_hba.conf does not let this user in from here",
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

impl PostgresConnection {
    /// Checks the URL (its syntax and options) without connecting, so a typo is reported
    /// as bad input rather than as a failed connection.
    pub fn check_url(url: &DatabaseUrl) -> Result<(), DbError> {
        Params::parse(url.expose()).map(|_| ())
    }

    /// Connects as the URL says; `opts.connect_timeout` applies unless the URL has
    /// `connect_timeout`, and bounds each address tried (TCP, TLS and authentication).
    pub fn connect(
        url: &DatabaseUrl,
        opts: &ConnectOptions,
    ) -> Result<PostgresConnection, DbError> {
        let params = Params::parse(url.expose())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DbError::new(format!("cannot start the PostgreSQL driver: {e}")))?;
        let timeout = params.connect_timeout.unwrap_or(opts.connect_timeout);
        let (client, connection, tls) = open(&runtime, &params, timeout).map_err(|message| {
            // Belt and braces: no message of ours holds the password, and neither should a
            // server's or a library's.
            DbError::new(scrub(message, params.password.as_deref()))
        })?;
        let cancel = Arc::new(CancelRequest {
            token: client.cancel_token(),
            tls,
        });
        let closed_because = Arc::new(Mutex::new(None));
        let reason = closed_because.clone();
        let io_task = runtime.spawn(async move {
            if let Err(e) = connection.await {
                if let Some(db) = e.as_db_error() {
                    *reason.lock().unwrap_or_else(|p| p.into_inner()) = Some(server_text(db));
                }
            }
        });
        let mut conn = PostgresConnection {
            runtime,
            client: Some(client),
            io_task: Some(io_task),
            closed_because,
            lock_key: lock_key(&opts.lock_name),
            lock_timeout: opts.lock_timeout,
            schema: opts.schema.clone().or_else(|| params.options_schema()),
            cancel,
        };
        if let Some(schema) = &opts.schema {
            // A schema that does not exist yet is allowed in search_path: it is skipped until
            // ensure_schema creates it.
            conn.run(&format!("SET search_path TO {}", quote(schema)))?;
        }
        Ok(conn)
    }

    /// The underlying client, for applications that migrate and then keep using it. Calls
    /// are async: run them with [`PostgresConnection::block_on`].
    pub fn client(&self) -> &tokio_postgres::Client {
        self.client.as_ref().expect("the client lives until drop")
    }

    /// Runs a future on this connection's runtime (which also drives the socket).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// The lock's key as `pg_locks` shows it: high and low 32 bits, `objsubid = 1`.
    fn lock_key_parts(&self) -> (i64, i64) {
        let key = self.lock_key as u64;
        ((key >> 32) as i64, (key & 0xFFFF_FFFF) as i64)
    }

    fn lock_timeout_error(&mut self) -> DbError {
        let (hi, lo) = self.lock_key_parts();
        let holder = self
            .query(
                "SELECT l.pid, a.application_name, host(a.client_addr) FROM pg_catalog.pg_locks l \
                 LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1 AND l.objid = $2 \
                 AND l.objsubid = 1",
                &[Value::Int(hi), Value::Int(lo)],
            )
            .ok()
            .and_then(|rows| rows.into_iter().next())
            .map(|row| {
                let mut who = format!(" (server process {}", row[0].as_i64().unwrap_or(0));
                if let Some(app) = row[1].as_str().filter(|a| !a.is_empty()) {
                    let _ = write!(who, ", application `{app}`");
                }
                if let Some(addr) = row[2].as_str() {
                    let _ = write!(who, ", from {addr}");
                }
                who + ")"
            })
            .unwrap_or_default();
        DbError {
            message: format!(
                "timed out after {} waiting for the migration lock: another retort run \
                 (another deploy?) holds it{holder}. Wait for it to finish and retry, or raise \
                 the lock timeout; `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND \
                 classid = {hi} AND objid = {lo} AND objsubid = 1` shows the session holding it",
                super::human_duration(self.lock_timeout),
            ),
            position: None,
            lock_timeout: true,
        }
    }

    /// A failed call's error; a closed session says why, when the server said.
    fn fail(&self, e: tokio_postgres::Error) -> DbError {
        if !e.is_closed() {
            return pg_err(e);
        }
        let reason = self
            .closed_because
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        DbError::new(match reason {
            Some(why) => format!("the server ended the session: {why}"),
            None => "the connection to the server was closed (did the server restart, or \
                     did someone end this session with pg_terminate_backend?)"
                .to_string(),
        })
    }

    fn try_lock(&mut self) -> Result<bool, DbError> {
        let rows = self.query(
            "SELECT pg_try_advisory_lock($1)",
            &[Value::Int(self.lock_key)],
        )?;
        Ok(rows.first().and_then(|r| r.first()) == Some(&Value::Text("t".into())))
    }
}

impl Drop for PostgresConnection {
    fn drop(&mut self) {
        // Dropping the client makes the I/O task send Terminate and close the socket; give
        // it a moment, so the server sees a clean goodbye rather than a broken connection.
        drop(self.client.take());
        if let Some(task) = self.io_task.take() {
            self.runtime.block_on(async {
                let _ = tokio::time::timeout(Duration::from_secs(1), task).await;
            });
        }
    }
}

fn quote(name: &str) -> String {
    Dialect::Postgres.sql().quote_ident(name)
}

fn scrub(message: String, password: Option<&str>) -> String {
    match password {
        Some(p) if p.len() >= 3 => message.replace(p, "***"),
        _ => message,
    }
}

/// Runs `future` to its end, or gives up after `timeout` (zero: no limit).
fn within<F: std::future::Future>(
    runtime: &Runtime,
    timeout: Duration,
    future: F,
) -> Result<F::Output, ()> {
    runtime.block_on(async {
        if timeout.is_zero() {
            Ok(future.await)
        } else {
            tokio::time::timeout(timeout, future).await.map_err(|_| ())
        }
    })
}

type PgConnectionFuture = tokio_postgres::Connection<
    tokio_postgres::Socket,
    <MakeRustlsConnect as tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>>::Stream,
>;

/// Tries every target (and every address of a host name) in order; the first session
/// wins. On failure, says what happened at each.
fn open(
    runtime: &Runtime,
    params: &Params,
    timeout: Duration,
) -> Result<
    (
        tokio_postgres::Client,
        PgConnectionFuture,
        MakeRustlsConnect,
    ),
    String,
> {
    let user = params
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .ok_or("no user name in the URL (postgres://user@host/db), and $USER is not set")?;

    // The roots: an explicit sslrootcert always counts (as in libpq, `require` then checks
    // the chain); the verify modes fall back on libpq's default file.
    let root_path = match (&params.sslrootcert, params.sslmode) {
        (Some(p), _) => Some(p.clone()),
        (None, SslMode::VerifyCa | SslMode::VerifyFull) => {
            let default = std::env::var_os("HOME")
                .map(|h| PathBuf::from(h).join(".postgresql/root.crt"))
                .filter(|p| p.exists());
            Some(default.ok_or_else(|| {
                format!(
                    "sslmode={} needs the certificate authority to trust: add sslrootcert=/path/to/root.crt to the URL (or create ~/.postgresql/root.crt)",
                    params.sslmode.name()
                )
            })?)
        }
        (None, _) => None,
    };
    let verify = match (params.sslmode, &root_path) {
        (SslMode::VerifyFull, _) => Verify::ChainAndName,
        (SslMode::Disable, _) | (_, None) => Verify::Nothing,
        (_, Some(_)) => Verify::Chain,
    };
    let roots = match (&root_path, params.sslmode) {
        (Some(path), mode) if mode != SslMode::Disable => Some(Roots::from_pem_file(path)?),
        _ => None,
    };
    let tls = MakeRustlsConnect::new(tls::client_config(verify, roots)?);

    let mut config = tokio_postgres::Config::new();
    config.user(&user);
    if let Some(p) = &params.password {
        config.password(p);
    }
    if let Some(d) = &params.dbname {
        config.dbname(d);
    }
    if let Some(o) = &params.options {
        config.options(o);
    }
    config.application_name(
        params
            .application_name
            .as_deref()
            .or(params.fallback_application_name.as_deref())
            .unwrap_or("retort"),
    );
    if !timeout.is_zero() {
        config.connect_timeout(timeout);
    }

    let mut failures: Vec<String> = Vec::new();
    for target in params.targets() {
        let sslmode = match target.host {
            Host::Unix(_) => SslMode::Disable, // libpq ignores sslmode on Unix sockets
            _ => params.sslmode,
        };
        let mut attempt = Attempt {
            target: &target,
            addr: None,
            params,
            timeout,
            sslmode,
        };
        let mut config = config.clone();
        config.ssl_mode(match sslmode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        config.port(target.port);
        let addrs: Vec<Option<IpAddr>> = match &target.host {
            Host::Unix(dir) => {
                config.host_path(dir);
                vec![None]
            }
            Host::Tcp(host) => {
                // Resolved here, so each address gets its own deadline and message; the
                // name still goes to TLS for verify-full.
                config.host(host);
                let lookup = tokio::net::lookup_host((host.clone(), target.port));
                match within(runtime, timeout, lookup) {
                    Ok(Ok(found)) => {
                        let mut ips: Vec<IpAddr> = found.map(|a: SocketAddr| a.ip()).collect();
                        ips.dedup();
                        ips.into_iter().map(Some).collect()
                    }
                    Ok(Err(e)) => {
                        failures.push(format!("could not resolve host name `{host}`: {e}"));
                        continue;
                    }
                    Err(()) => {
                        failures.push(attempt.timed_out());
                        continue;
                    }
                }
            }
        };
        for addr in addrs {
            let mut config = config.clone();
            if let Some(ip) = addr {
                config.hostaddr(ip);
            }
            attempt.addr = addr;
            let session_tls = tls.clone();
            let connecting = async move { config.connect(session_tls).await };
            match within(runtime, timeout, connecting) {
                Ok(Ok((client, connection))) => return Ok((client, connection, tls)),
                Ok(Err(e)) => failures.push(attempt.failed(&e)),
                Err(()) => failures.push(attempt.timed_out()),
            }
        }
    }
    failures.dedup();
    Err(match failures.as_slice() {
        [one] => one.clone(),
        many => format!(
            "could not connect to any server:\n  - {}",
            many.join("\n  - ")
        ),
    })
}

// ---------------------------------------------------------------------------------------
// Values

fn is_text_type(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    ) || <String as FromSql>::accepts(ty)
}

/// Parameters: text to text types, integers to integer types (checked), NULL to anything.
impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        let ty = match ty.kind() {
            Kind::Domain(base) => base,
            _ => ty,
        };
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::OID => u32::try_from(*i)?.to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                _ if is_text_type(ty) => i.to_string().to_sql(ty, out),
                _ => Err(format!(
                    "cannot send an integer as {ty}: cast the placeholder (e.g. $1::bigint)"
                )
                .into()),
            },
            Value::Text(s) => match *ty {
                Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
                Type::INT4 => s.trim().parse::<i32>()?.to_sql(ty, out),
                Type::INT2 => s.trim().parse::<i16>()?.to_sql(ty, out),
                _ if is_text_type(ty) => s.to_sql(ty, out),
                _ => Err(
                    format!("cannot send text as {ty}: cast the placeholder (e.g. $1::text)")
                        .into(),
                ),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// One column value of a result row, as a [`Value`].
struct Cell(Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Cell, Box<dyn StdError + Sync + Send>> {
        read_cell(ty, raw).map(Cell)
    }

    fn from_sql_null(_: &Type) -> Result<Cell, Box<dyn StdError + Sync + Send>> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

type BoxError = Box<dyn StdError + Sync + Send>;

/// Integers as [`Value::Int`]; text, and every other type retort can render, as text in the
/// form the server prints (`t`/`f`, `2026-11-22 10:30:00+00` in UTC, …).
fn read_cell(ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    let text = |s: String| Ok(Value::Text(s));
    match *ty {
        Type::INT2 => return Ok(Value::Int(i16::from_sql(ty, raw)?.into())),
        Type::INT4 => return Ok(Value::Int(i32::from_sql(ty, raw)?.into())),
        Type::INT8 => return Ok(Value::Int(i64::from_sql(ty, raw)?)),
        Type::OID => return Ok(Value::Int(u32::from_sql(ty, raw)?.into())),
        Type::BOOL => return text(if bool::from_sql(ty, raw)? { "t" } else { "f" }.into()),
        Type::CHAR => return text(char::from(i8::from_sql(ty, raw)? as u8).to_string()),
        Type::FLOAT4 => {
            let f = f32::from_sql(ty, raw)?;
            return text(float_special(f.into()).unwrap_or_else(|| f.to_string()));
        }
        Type::FLOAT8 => {
            let f = f64::from_sql(ty, raw)?;
            return text(float_special(f).unwrap_or_else(|| f.to_string()));
        }
        Type::NUMERIC => return text(numeric_text(raw).ok_or("malformed numeric")?),
        Type::UUID => return text(uuid_text(raw).ok_or("malformed uuid")?),
        Type::JSON => return text(String::from_utf8(raw.to_vec())?),
        Type::JSONB => {
            return match raw.split_first() {
                Some((1, json)) => text(String::from_utf8(json.to_vec())?),
                _ => Err("unsupported jsonb version".into()),
            }
        }
        Type::BYTEA => {
            let mut s = String::with_capacity(2 + raw.len() * 2);
            s.push_str("\\x");
            for b in raw {
                let _ = write!(s, "{b:02x}");
            }
            return text(s);
        }
        Type::DATE => return text(date_text(i32::from_sql(ty, raw)?)?),
        Type::TIME => return text(time_text(i64::from_sql(ty, raw)?)),
        Type::TIMESTAMP => return text(timestamp_text(i64::from_sql(ty, raw)?, false)?),
        Type::TIMESTAMPTZ => return text(timestamp_text(i64::from_sql(ty, raw)?, true)?),
        _ => {}
    }
    match ty.kind() {
        Kind::Domain(base) => read_cell(base, raw),
        Kind::Enum(_) => text(String::from_utf8(raw.to_vec())?),
        _ if <String as FromSql>::accepts(ty) => text(String::from_sql(ty, raw)?),
        _ => Err(format!(
            "retort cannot read values of type {ty}; cast the column to text in the query (column::text)"
        )
        .into()),
    }
}

/// The server's spelling of the floats Rust prints differently.
fn float_special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "Infinity" } else { "-Infinity" }.into())
    } else {
        None
    }
}

/// NUMERIC's binary form: digit count, weight (of the first base-10000 digit), sign,
/// display scale, then the base-10000 digits.
fn numeric_text(raw: &[u8]) -> Option<String> {
    let word =
        |i: usize| -> Option<u16> { Some(u16::from_be_bytes([*raw.get(i)?, *raw.get(i + 1)?])) };
    let ndigits = word(0)? as usize;
    let weight = word(2)? as i16 as i64;
    let sign = word(4)?;
    let dscale = word(6)? as usize;
    let digits = (0..ndigits)
        .map(|k| word(8 + 2 * k))
        .collect::<Option<Vec<u16>>>()?;
    let digit = |k: i64| -> u16 {
        usize::try_from(k)
            .ok()
            .and_then(|k| digits.get(k).copied())
            .unwrap_or(0)
    };
    let mut s = String::new();
    match sign {
        0x0000 => {}
        0x4000 => s.push('-'),
        0xC000 => return Some("NaN".into()),
        0xD000 => return Some("Infinity".into()),
        0xF000 => return Some("-Infinity".into()),
        _ => return None,
    }
    if weight < 0 {
        s.push('0');
    } else {
        for k in 0..=weight {
            let _ = if k == 0 {
                write!(s, "{}", digit(k))
            } else {
                write!(s, "{:04}", digit(k))
            };
        }
    }
    if dscale > 0 {
        let mut frac = String::with_capacity(dscale + 4);
        let mut k = weight + 1;
        while frac.len() < dscale {
            let _ = write!(frac, "{:04}", digit(k));
            k += 1;
        }
        frac.truncate(dscale);
        s.push('.');
        s.push_str(&frac);
    }
    Some(s)
}

fn uuid_text(raw: &[u8]) -> Option<String> {
    if raw.len() != 16 {
        return None;
    }
    let mut s = String::with_capacity(36);
    for (i, b) in raw.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let _ = write!(s, "{b:02x}");
    }
    Some(s)
}

/// PostgreSQL's epoch for dates and times: 2000-01-01.
fn pg_epoch() -> jiff::civil::DateTime {
    jiff::civil::date(2000, 1, 1).at(0, 0, 0, 0)
}

fn date_text(days: i32) -> Result<String, BoxError> {
    Ok(match days {
        i32::MAX => "infinity".into(),
        i32::MIN => "-infinity".into(),
        d => pg_epoch()
            .date()
            .checked_add(jiff::Span::new().days(d))?
            .to_string(),
    })
}

/// `HH:MM:SS[.ffffff]`, trailing zeros of the fraction dropped, as the server prints.
fn clock_text(micros_of_day: i64) -> String {
    let secs = micros_of_day / 1_000_000;
    let micros = micros_of_day % 1_000_000;
    let mut s = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if micros != 0 {
        let frac = format!("{micros:06}");
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s
}

fn time_text(micros: i64) -> String {
    clock_text(micros)
}

/// Timestamps as the server prints them with `DateStyle = ISO` (timestamptz in UTC, `+00`).
fn timestamp_text(micros: i64, utc_offset: bool) -> Result<String, BoxError> {
    match micros {
        i64::MAX => return Ok("infinity".into()),
        i64::MIN => return Ok("-infinity".into()),
        _ => {}
    }
    let day_micros = 86_400_000_000;
    let days = micros.div_euclid(day_micros);
    let date = pg_epoch()
        .date()
        .checked_add(jiff::Span::new().days(days))?;
    let mut s = format!("{date} {}", clock_text(micros.rem_euclid(day_micros)));
    if utc_offset {
        s.push_str("+00");
    }
    Ok(s)
}

// ---------------------------------------------------------------------------------------
// The trait

impl PostgresConnection {
    fn params(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
        params.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
    }
}

impl Connection for PostgresConnection {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        let client = self.client();
        self.runtime
            .block_on(client.batch_execute(sql))
            .map_err(|e| self.fail(e))
    }

    /// One simple-query message: one round trip. The server stops at the first error; an
    /// explicit transaction in the batch then stays open (aborted) for `rollback`.
    fn run_batch(&mut self, statements: &[String]) -> Result<(), DbError> {
        if statements.is_empty() {
            return Ok(());
        }
        self.run(&statements.join(";\n"))
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let client = self.client();
        self.runtime
            .block_on(client.execute(sql, &Self::params(params)))
            .map_err(|e| self.fail(e))
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let client = self.client();
        let rows = self
            .runtime
            .block_on(client.query(sql, &Self::params(params)))
            .map_err(|e| self.fail(e))?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| row.try_get::<_, Cell>(i).map(|c| c.0).map_err(pg_err))
                    .collect()
            })
            .collect()
    }

    fn table_exists(&mut self, name: &str) -> Result<bool, DbError> {
        let rows = self.query(
            "SELECT 1 FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relname = $1 AND c.relkind IN ('r', 'p')",
            &[Value::Text(name.to_string())],
        )?;
        Ok(!rows.is_empty())
    }

    fn lock(&mut self, waiting: &mut dyn FnMut()) -> Result<(), DbError> {
        let deadline = Instant::now() + self.lock_timeout;
        let mut told = false;
        loop {
            if self.try_lock()? {
                return Ok(());
            }
            if !told {
                waiting();
                told = true;
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(self.lock_timeout_error());
            }
            std::thread::sleep((deadline - now).min(LOCK_RETRY));
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        self.query(
            "SELECT pg_advisory_unlock($1)",
            &[Value::Int(self.lock_key)],
        )?;
        Ok(())
    }

    fn canceller(&self) -> Option<Arc<dyn super::Cancel>> {
        Some(self.cancel.clone())
    }

    fn lock_is_per_transaction(&self) -> bool {
        false
    }

    fn transactional_ddl(&self) -> bool {
        true
    }

    fn ensure_schema(&mut self) -> Result<(), DbError> {
        match self.schema.clone() {
            Some(schema) => self.run(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(&schema))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against a real server: `RETORT_TEST_POSTGRES_URL`, by default
    //! `postgres://postgres@127.0.0.1:5432/postgres`. Each test creates its own database and
    //! drops it. Without a server the tests say so and pass, except under `CI=true`.

    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::OnceLock;

    use super::*;
    use crate::config::mask;

    const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

    /// Self-signed, `CA:TRUE`, for `localhost`: webpki refuses it as an end entity
    /// (CaUsedAsEndEntity) unless it is pinned. Valid 2026-11-23 to 2126.
    const SELF_SIGNED_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBljCCATugAwIBAgIURHsRxqiOgSBxpGaA3ekUmIv/WfUwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzE2MTM1MVoYDzIxMjYxMDMw
MTYxMzUxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARcX1va0+jIfyrHQMA+plQnVL3WvFLsh67lNDnf/IA99gxSU2NdNflN
MnbVwEh9sseldotaB/CGLOVo/AxjZGSko2kwZzAdBgNVHQ4EFgQU3D1rbjFGe2e6
+O/2cs+gJq+Jr+4wHwYDVR0jBBgwFoAU3D1rbjFGe2e6+O/2cs+gJq+Jr+4wFAYD
VR0RBA0wC4IJbG9jYWxob3N0MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SQAwRgIhAJyoyzrMoArh3ngWR1RHQX08VaTxdubKRneAniMpEMdpAiEAj8gyZK/j
XR/l0Nqiac5jSzPOCGjlf0J6eq0T7pw4Clc=
-----END CERTIFICATE-----
";

    /// A test CA ("retort test CA") and a `localhost` leaf it signed (`CA:FALSE`).
    const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBmDCCAT+gAwIBAgIUccJ08dDCWwxQqG+Fno5YUvGLO9YwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOcmV0b3J0IHRlc3QgQ0EwIBcNMjYxMTIzMTYxMzUxWhgPMjEy
NjEwMzAxNjEzNTFaMBkxFzAVBgNVBAMMDnJldG9ydCB0ZXN0IENBMFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEDIEhnAF3C+hL3gcxc5Kvw7iJOJN8O2gij6Chgl/x
GFkqlyLDSgwRTDtyrbGCa5YF4SvocHdJ1Q+G3IohbF44LaNjMGEwHQYDVR0OBBYE
FAmhYrcrRh3awM3helx0n3X0yHyzMB8GA1UdIwQYMBaAFAmhYrcrRh3awM3helx0
n3X0yHyzMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQDAgEGMAoGCCqGSM49
BAMCA0cAMEQCIA8HSjwP7m5M4YfG2RJH+YSvH+rJ+FT864/grsf3rODyAiB4+Wzh
DXx4cWl7bm89IDNkfNKXLaT1tHZsuBDByy9N3g==
-----END CERTIFICATE-----
";
    const LEAF_OF_TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBljCCAT2gAwIBAgIUELY74BYpsmtmAo//ed/ta/MWpfAwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOcmV0b3J0IHRlc3QgQ0EwIBcNMjYxMTIzMTYxMzUxWhgPMjEy
NjEwMzAxNjEzNTFaMBQxEjAQBgNVBAMMCWxvY2FsaG9zdDBZMBMGByqGSM49AgEG
CCqGSM49AwEHA0IABL00njO+rFtZz6L3kZPU+T0iqVemQz0YGdM5r86B9qpwZsRj
a2Lz3MQx8cf/HnQ4GLwUCSYAwhvgm/IhdF6fKH6jZjBkMBQGA1UdEQQNMAuCCWxv
Y2FsaG9zdDAMBgNVHRMBAf8EAjAAMB0GA1UdDgQWBBTFr6Xl0nn8rT3NjGOjkbcw
kuabkTAfBgNVHSMEGDAWgBQJoWK3K0Yd2sDN4XpcdJ919Mh8szAKBggqhkjOPQQD
AgNHADBEAiB1tDay8+rIXIUivaUlF2TTKU00gh302Ca8dXMHhSG2EgIgZXAZh+vj
xTwPBj9LwqUk2BSZKD2D2HAgZvSEvcvyJVI=
-----END CERTIFICATE-----
";

    fn url(s: &str) -> DatabaseUrl {
        DatabaseUrl::parse(s).unwrap()
    }

    fn quick() -> ConnectOptions {
        ConnectOptions {
            lock_timeout: Duration::from_millis(300),
            connect_timeout: Duration::from_secs(5),
            schema: None,
            lock_name: "retort:test".into(),
            create: true,
        }
    }

    fn connect(u: &str) -> Result<PostgresConnection, DbError> {
        PostgresConnection::connect(&url(u), &quick())
    }

    /// The server's URL, or `None` when it is unreachable (a failure under `CI=true`).
    fn server() -> Option<&'static str> {
        static SERVER: OnceLock<Option<String>> = OnceLock::new();
        SERVER
            .get_or_init(|| {
                let u = std::env::var("RETORT_TEST_POSTGRES_URL")
                    .unwrap_or_else(|_| DEFAULT_URL.to_string());
                match connect(&u) {
                    Ok(_) => Some(u),
                    Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
                        panic!("CI=true and PostgreSQL is unreachable at {}: {e}", mask(&u))
                    }
                    Err(e) => {
                        eprintln!(
                            "skipping the PostgreSQL tests: cannot connect to {} ({e}); set RETORT_TEST_POSTGRES_URL",
                            mask(&u)
                        );
                        None
                    }
                }
            })
            .as_deref()
    }

    /// Splits a URL into `scheme://`, `userinfo@` (possibly empty), host list, path and query.
    fn url_parts(u: &str) -> (String, String, String, String) {
        let (scheme, rest) = u.split_once("://").unwrap();
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let (userinfo, hosts) = match authority.rsplit_once('@') {
            Some((ui, h)) => (format!("{ui}@"), h.to_string()),
            None => (String::new(), authority.to_string()),
        };
        let query = tail
            .split_once('?')
            .map(|(_, q)| q.to_string())
            .unwrap_or_default();
        (
            format!("{scheme}://{userinfo}"),
            hosts,
            query,
            tail.to_string(),
        )
    }

    fn add_query(u: &str, q: &str) -> String {
        if q.is_empty() {
            u.to_string()
        } else if u.contains('?') {
            format!("{u}&{q}")
        } else {
            format!("{u}?{q}")
        }
    }

    /// A database of the test's own, dropped at the end (also when the test panics).
    struct TestDb {
        admin: String,
        name: String,
        /// The URL of the database.
        url: String,
    }

    impl TestDb {
        fn new() -> Option<TestDb> {
            let admin = server()?.to_string();
            let mut bytes = [0u8; 6];
            getrandom::fill(&mut bytes).unwrap();
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let name = format!("retort_pgdrv_{hex}");
            connect(&admin)
                .unwrap()
                .run(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let (prefix, hosts, query, _) = url_parts(&admin);
            let url = add_query(&format!("{prefix}{hosts}/{name}"), &query);
            Some(TestDb { admin, name, url })
        }

        fn connect(&self) -> PostgresConnection {
            connect(&self.url).unwrap()
        }

        fn with(&self, opts: ConnectOptions) -> PostgresConnection {
            PostgresConnection::connect(&url(&self.url), &opts).unwrap()
        }

        /// The URL with other query options.
        fn url_with(&self, query: &str) -> String {
            add_query(&self.url, query)
        }

        /// The URL with another host (`host:port` or a percent-encoded socket directory).
        fn url_at(&self, host: &str, query: &str) -> String {
            let (prefix, _, _, tail) = url_parts(&self.url);
            add_query(&format!("{prefix}{host}{tail}"), query)
        }
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            match connect(&self.admin) {
                Ok(mut admin) => {
                    if let Err(e) = admin.run(&format!(
                        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                        self.name
                    )) {
                        eprintln!("could not drop test database {}: {e}", self.name);
                    }
                }
                Err(e) => eprintln!("could not drop test database {}: {e}", self.name),
            }
        }
    }

    fn one(conn: &mut PostgresConnection, sql: &str) -> Value {
        conn.query(sql, &[]).unwrap().remove(0).remove(0)
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    // -- URLs (no server) -----------------------------------------------------------------

    #[test]
    fn parses_urls() {
        let p = Params::parse(
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
            [Target {
                host: Host::Tcp("db.example.com".into()),
                port: 6432
            }]
        );
        assert_eq!(p.options_schema().as_deref(), Some("app"));

        let p = Params::parse("postgres://u@h").unwrap();
        assert_eq!(p.sslmode, SslMode::Prefer);
        assert_eq!(
            (&p.dbname, &p.password, p.connect_timeout),
            (&None, &None, None)
        );
        assert_eq!(p.targets()[0].port, 5432);

        // Unix sockets: a percent-encoded path as host, or host= in the query.
        let p = Params::parse("postgres://postgres@%2Fvar%2Frun%2Fpostgresql/db").unwrap();
        assert_eq!(
            p.targets(),
            [Target {
                host: Host::Unix("/var/run/postgresql".into()),
                port: 5432
            }]
        );
        let p = Params::parse("postgres:///db?host=/tmp/pg&port=5433&user=x").unwrap();
        assert_eq!(
            p.targets(),
            [Target {
                host: Host::Unix("/tmp/pg".into()),
                port: 5433
            }]
        );
        assert_eq!(p.user.as_deref(), Some("x"));

        // Several hosts, IPv6, per-host ports, and one port for all.
        let p = Params::parse("postgres://u@a:1,[::1]:2,c/db").unwrap();
        let t = p.targets();
        assert_eq!(
            t.iter().map(Target::describe).collect::<Vec<_>>(),
            ["a:1", "[::1]:2", "c:5432"]
        );
        let p = Params::parse("postgres://u@a,b/db?port=7").unwrap();
        assert!(p.targets().iter().all(|t| t.port == 7));

        // libpq's connect_timeout: 0 = no limit, 1 = 2 s.
        for (v, d) in [("0", 0), ("-3", 0), ("1", 2), ("10", 10)] {
            let p = Params::parse(&format!("postgres://u@h/d?connect_timeout={v}")).unwrap();
            assert_eq!(p.connect_timeout, Some(Duration::from_secs(d)), "{v}");
        }
        for mode in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
            let p = Params::parse(&format!("postgres://u@h/d?sslmode={mode}")).unwrap();
            assert_eq!(p.sslmode.name(), mode);
        }
    }

    #[test]
    fn url_errors_name_the_problem_and_never_the_password() {
        let err = |u: &str| Params::parse(u).err().unwrap().message;
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
        let p = Params::parse("postgres://u:pa/ss?#@x@h:5433/app?connect_timeout=3").unwrap();
        assert_eq!(p.password.as_deref(), Some("pa/ss?#@x"));
        assert_eq!(p.targets()[0].describe(), "h:5433");
        assert_eq!(p.dbname.as_deref(), Some("app"));
        assert_eq!(p.connect_timeout, Some(Duration::from_secs(3)));
        assert!(PostgresConnection::check_url(&url("postgres://u@h/d?sslmode=verify-ca")).is_ok());
        let e = PostgresConnection::check_url(&url("postgres://u@h/d?sslmode=nope")).unwrap_err();
        assert!(e.message.contains("unknown sslmode `nope`"), "{e}");
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

    #[test]
    fn lock_key_is_stable() {
        // First 8 bytes of SHA-256("retort:retort_version"), big-endian: a different key in a
        // later version would let an old and a new retort migrate at once.
        let digest = Sha256::digest(b"retort:retort_version");
        assert_eq!(lock_key("retort:retort_version").to_be_bytes(), digest[..8]);
        assert_ne!(lock_key("a"), lock_key("b"));
    }

    #[test]
    fn numeric_binary_to_text() {
        let num = |ndigits: u16, weight: i16, sign: u16, dscale: u16, digits: &[u16]| {
            let mut raw = Vec::new();
            for w in [ndigits, weight as u16, sign, dscale].iter().chain(digits) {
                raw.extend_from_slice(&w.to_be_bytes());
            }
            numeric_text(&raw).unwrap()
        };
        assert_eq!(num(0, 0, 0, 0, &[]), "0");
        assert_eq!(num(2, 0, 0, 1, &[1, 5000]), "1.5");
        assert_eq!(num(2, 1, 0x4000, 0, &[1, 0]), "-10000");
        assert_eq!(num(1, -2, 0, 6, &[1200]), "0.000012");
        assert_eq!(num(0, 0, 0, 3, &[]), "0.000");
        assert_eq!(num(0, 0, 0xC000, 0, &[]), "NaN");
    }

    // -- TLS verification (no server) ------------------------------------------------------

    #[test]
    fn verifier_pins_self_signed_certificates_and_checks_chains() {
        use rustls::client::danger::ServerCertVerifier;
        let der = |pem: &str| CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let verifier = |verify, roots: &str| {
            tls::PgCertVerifier::new(
                provider.clone(),
                verify,
                Some(Roots::from_pem(roots.as_bytes()).unwrap()),
            )
            .unwrap()
        };
        // 2030-03-17: inside every test certificate's validity.
        let now = UnixTime::since_unix_epoch(Duration::from_secs(1_900_000_000));
        let localhost = ServerName::try_from("localhost").unwrap();
        let ip = ServerName::try_from("127.0.0.1").unwrap();
        let check = |v: &tls::PgCertVerifier, cert: &str, name: &ServerName<'_>, now| {
            v.verify_server_cert(&der(cert), &[], name, &[], now)
                .map(|_| ())
        };

        // webpki alone refuses a self-signed CA:TRUE certificate as its own anchor...
        let mut store = rustls::RootCertStore::empty();
        store.add(der(SELF_SIGNED_CA)).unwrap();
        let e = rustls::client::verify_server_cert_signed_by_trust_anchor(
            &rustls::server::ParsedCertificate::try_from(&der(SELF_SIGNED_CA)).unwrap(),
            &store,
            &[],
            now,
            provider.signature_verification_algorithms.all,
        )
        .unwrap_err();
        assert!(format!("{e:?}").contains("CaUsedAsEndEntity"), "{e:?}");
        // ... so it is pinned: accepted, with its name checked for verify-full and its
        // dates checked.
        let pinned = verifier(Verify::Chain, SELF_SIGNED_CA);
        check(&pinned, SELF_SIGNED_CA, &localhost, now).unwrap();
        check(&pinned, SELF_SIGNED_CA, &ip, now).unwrap();
        let full = verifier(Verify::ChainAndName, SELF_SIGNED_CA);
        check(&full, SELF_SIGNED_CA, &localhost, now).unwrap();
        let e = check(&full, SELF_SIGNED_CA, &ip, now).unwrap_err();
        assert!(e.to_string().contains("not valid for name"), "{e}");
        let in_2200 = UnixTime::since_unix_epoch(Duration::from_secs(7_258_118_400));
        let e = check(&pinned, SELF_SIGNED_CA, &localhost, in_2200).unwrap_err();
        assert!(
            matches!(
                e,
                rustls::Error::InvalidCertificate(rustls::CertificateError::Expired)
            ),
            "{e}"
        );

        // A certificate that is neither pinned nor signed by a root: refused.
        let e = check(&pinned, LEAF_OF_TEST_CA, &localhost, now).unwrap_err();
        assert!(
            matches!(
                e,
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
            ),
            "{e}"
        );
        let other = verifier(Verify::Chain, TEST_CA);
        check(&other, SELF_SIGNED_CA, &localhost, now).unwrap_err();

        // A normal chain: leaf signed by the root.
        check(&other, LEAF_OF_TEST_CA, &localhost, now).unwrap();
        let full = verifier(Verify::ChainAndName, TEST_CA);
        check(&full, LEAF_OF_TEST_CA, &localhost, now).unwrap();
        check(&full, LEAF_OF_TEST_CA, &ip, now).unwrap_err();

        // A bundle: any of its certificates counts.
        let bundle = verifier(Verify::Chain, &format!("{TEST_CA}{SELF_SIGNED_CA}"));
        check(&bundle, SELF_SIGNED_CA, &localhost, now).unwrap();
        check(&bundle, LEAF_OF_TEST_CA, &localhost, now).unwrap();

        // No verification (prefer/require): anything goes.
        let none = tls::PgCertVerifier::new(provider.clone(), Verify::Nothing, None).unwrap();
        check(&none, LEAF_OF_TEST_CA, &ip, now).unwrap();

        assert!(Roots::from_pem(b"not a certificate").is_err());
    }

    // -- Against the server ----------------------------------------------------------------

    #[test]
    fn run_execute_query_round_trip() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        c.run("CREATE TABLE v (revision VARCHAR(64) PRIMARY KEY, n BIGINT, note VARCHAR(20))")
            .unwrap();
        let ins = "INSERT INTO v (revision, n, note) VALUES ($1, $2, $3)";
        assert_eq!(
            c.execute(ins, &[text("a1"), Value::Int(42), Value::Null])
                .unwrap(),
            1
        );
        assert_eq!(
            c.execute(ins, &[text("b2"), Value::Null, text("x")])
                .unwrap(),
            1
        );
        assert_eq!(
            c.query("SELECT revision, n, note FROM v ORDER BY revision", &[])
                .unwrap(),
            [
                vec![text("a1"), Value::Int(42), Value::Null],
                vec![text("b2"), Value::Null, text("x")],
            ]
        );
        assert_eq!(
            c.query("SELECT n FROM v WHERE revision = $1", &[text("a1")])
                .unwrap(),
            [vec![Value::Int(42)]]
        );
        assert_eq!(
            c.execute("UPDATE v SET n = n + $1", &[Value::Int(1)])
                .unwrap(),
            2
        );
        assert_eq!(
            c.execute("DELETE FROM v WHERE note IS NULL", &[]).unwrap(),
            1
        );
        // Integers of every width come back as Int; an int into int2 is range-checked.
        assert_eq!(
            c.query(
                "SELECT $1::int2, $2::int4, 3::int8",
                &[Value::Int(7), Value::Int(8)]
            )
            .unwrap(),
            [vec![Value::Int(7), Value::Int(8), Value::Int(3)]]
        );
        let e = c
            .query("SELECT $1::int2", &[Value::Int(70_000)])
            .unwrap_err();
        assert!(e.message.contains("parameter"), "{}", e.message);
        // Text into an integer column parses; a number into a text column prints.
        c.execute(ins, &[text("c3"), text("5"), Value::Int(9)])
            .unwrap();
        assert_eq!(
            c.query("SELECT n, note FROM v WHERE revision = 'c3'", &[])
                .unwrap(),
            [vec![Value::Int(5), text("9")]]
        );

        // run: the simple-query protocol, so DO blocks, functions with $$ bodies and
        // statements returning rows all work.
        c.run("DO $$ BEGIN INSERT INTO v (revision) VALUES ('do'); END $$")
            .unwrap();
        c.run(
            "CREATE FUNCTION add1(i bigint) RETURNS bigint LANGUAGE plpgsql AS $body$ BEGIN RETURN i + 1; END; $body$",
        )
        .unwrap();
        c.run("SELECT * FROM v").unwrap();
        assert_eq!(one(&mut c, "SELECT add1(41)"), Value::Int(42));
        assert_eq!(one(&mut c, "SELECT count(*) FROM v"), Value::Int(3));
        assert_eq!(
            one(&mut c, "SELECT current_setting('application_name')"),
            text("retort")
        );
        let mut named = connect(&db.url_with("application_name=deploy%20bot")).unwrap();
        assert_eq!(
            one(&mut named, "SELECT current_setting('application_name')"),
            text("deploy bot")
        );
    }

    #[test]
    fn run_batch_is_one_round_trip_and_stops_at_an_error() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        c.run("CREATE TABLE t (id int PRIMARY KEY)").unwrap();
        let batch = |sql: &[&str]| sql.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        c.run_batch(&[]).unwrap();
        c.run_batch(&batch(&[
            "BEGIN",
            "INSERT INTO t VALUES (1)",
            "INSERT INTO t VALUES (2)",
            "COMMIT",
        ]))
        .unwrap();
        let e = c
            .run_batch(&batch(&[
                "BEGIN",
                "INSERT INTO t VALUES (3)",
                "INSERT INTO t VALUES (1)",
                "INSERT INTO t VALUES (4)",
                "COMMIT",
            ]))
            .unwrap_err();
        assert!(e.message.contains("(SQLSTATE 23505)"), "{e}");
        // The rest did not run: the transaction is open, aborted, until rollback.
        let e = c.run("SELECT 1").unwrap_err();
        assert!(e.message.contains("25P02"), "{e}");
        c.rollback().unwrap();
        assert_eq!(
            c.query("SELECT id FROM t ORDER BY id", &[]).unwrap(),
            [vec![Value::Int(1)], vec![Value::Int(2)]]
        );
        // Inside a transaction begun apart, as the migrator records a migration.
        c.begin().unwrap();
        c.run("INSERT INTO t VALUES (5)").unwrap();
        c.run_batch(&batch(&["INSERT INTO t VALUES (6)", "COMMIT"]))
            .unwrap();
        assert_eq!(one(&mut c, "SELECT count(*) FROM t"), Value::Int(4));
    }

    #[test]
    fn a_terminated_session_says_so() {
        let Some(db) = TestDb::new() else { return };
        let mut victim = db.connect();
        let pid = one(&mut victim, "SELECT pg_backend_pid()");
        let mut admin = db.connect();
        admin
            .query("SELECT pg_terminate_backend($1::int)", &[pid])
            .unwrap();
        std::thread::sleep(Duration::from_millis(100));
        // tokio-postgres reports the call as "closed": the server's FATAL (57P01) does not
        // reach it, so the driver says what it knows.
        for _ in 0..2 {
            let e = victim.run("SELECT 1").unwrap_err();
            assert!(
                e.message
                    .starts_with("the connection to the server was closed")
                    || e.message.contains("(SQLSTATE 57P01)"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn values_read_as_the_server_prints_them() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        c.run("SET TimeZone = 'UTC'").unwrap();
        c.run("CREATE TYPE mood AS ENUM ('happy', 'sad')").unwrap();
        c.run("CREATE DOMAIN short_text AS varchar(5)").unwrap();
        for expr in [
            "1.5::numeric",
            "0::numeric",
            "-12345.678900::numeric",
            "0.000012::numeric",
            "123456789012345678901234567890.0001::numeric",
            "10000::numeric",
            "'NaN'::numeric",
            "sum(x) FROM (VALUES (1::bigint), (2)) t(x)",
            "true",
            "false",
            "'2026-11-22'::date",
            "'1999-12-31'::date",
            "'infinity'::date",
            "'1999-12-31 23:59:59.5'::timestamp",
            "'2026-11-22 10:30:00'::timestamp",
            "'2026-11-22 10:30:00.000123+02'::timestamptz",
            "'12:34:56.789'::time",
            "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
            "'\\xdeadbeef'::bytea",
            "'{\"a\": [1, 2]}'::json",
            "'{\"b\": 1, \"a\": 2}'::jsonb",
            "1.5::float8",
            "0.1::float4",
            "'-Infinity'::float8",
            "'abc'::name",
            "'x'::char(3)",
            "'q'::\"char\"",
            "42::oid",
            "'sad'::mood",
            "'abc'::short_text",
            "'plain'::text",
        ] {
            let sql = format!("SELECT {expr}");
            let client = c.client();
            let expected = c
                .block_on(client.simple_query(&sql))
                .unwrap()
                .into_iter()
                .find_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some(r.get(0).unwrap().to_string())
                    }
                    _ => None,
                })
                .unwrap();
            let got = match one(&mut c, &sql) {
                Value::Text(s) => s,
                Value::Int(i) => i.to_string(),
                Value::Null => panic!("{expr}: NULL"),
            };
            assert_eq!(got, expected, "{expr}");
        }
        let e = c.query("SELECT '1 day'::interval", &[]).unwrap_err();
        assert!(e.message.contains("::text"), "{}", e.message);
        assert_eq!(one(&mut c, "SELECT NULL::interval"), Value::Null);
    }

    #[test]
    fn rolled_back_ddl_leaves_nothing() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        c.rollback().unwrap(); // not in a transaction: no error
        c.begin().unwrap();
        c.run("CREATE TABLE gone (x int)").unwrap();
        assert!(c.table_exists("gone").unwrap());
        c.rollback().unwrap();
        assert!(!c.table_exists("gone").unwrap());

        // A failed statement aborts the transaction; rollback recovers.
        c.begin().unwrap();
        c.run("CREATE TABLE gone (x int)").unwrap();
        c.run("SELECT nope").unwrap_err();
        let e = c.run("SELECT 1").unwrap_err();
        assert!(e.message.contains("25P02"), "{}", e.message);
        c.rollback().unwrap();
        assert!(!c.table_exists("gone").unwrap());

        c.begin().unwrap();
        c.run("CREATE TABLE kept (x int)").unwrap();
        c.commit().unwrap();
        assert!(db.connect().table_exists("kept").unwrap());
        assert!(c.transactional_ddl());
        assert!(!c.lock_is_per_transaction());
    }

    #[test]
    fn statement_errors_carry_message_sqlstate_and_position() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        let e = c.run("SELECT * FROM nope").unwrap_err();
        assert_eq!(
            e.message,
            "relation \"nope\" does not exist (SQLSTATE 42P01)"
        );
        assert_eq!(e.position, Some(15));
        assert!(!e.lock_timeout);
        assert_eq!(
            e.to_string(),
            "relation \"nope\" does not exist (SQLSTATE 42P01) (at character 15)"
        );

        let e = c.run("SELEC 1").unwrap_err();
        assert!(e
            .message
            .starts_with("syntax error at or near \"SELEC\" (SQLSTATE 42601)"));
        assert_eq!(e.position, Some(1));

        c.run("CREATE TABLE u (id int PRIMARY KEY)").unwrap();
        c.run("INSERT INTO u VALUES (1)").unwrap();
        let e = c
            .execute("INSERT INTO u VALUES ($1)", &[Value::Int(1)])
            .unwrap_err();
        assert_eq!(
            e.message,
            "duplicate key value violates unique constraint \"u_pkey\" (SQLSTATE 23505)\nDETAIL: Key (id)=(1) already exists."
        );

        let e = c.query("SELECT no_such_function(1)", &[]).unwrap_err();
        assert!(
            e.message
                .contains("(SQLSTATE 42883)\nHINT: No function matches"),
            "{}",
            e.message
        );
        assert_eq!(e.position, Some(8));

        let e = c
            .run("DO $$ BEGIN RAISE EXCEPTION 'boom %', 42 USING HINT = 'fix it'; END $$")
            .unwrap_err();
        assert!(
            e.message.starts_with("boom 42 (SQLSTATE P0001)\nHINT: fix it\nCONTEXT: PL/pgSQL function inline_code_block line 1 at RAISE"),
            "{}",
            e.message
        );
    }

    #[test]
    fn table_exists_looks_in_the_current_schema_only() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        c.run("CREATE TABLE t1 (x int)").unwrap();
        c.run("CREATE SCHEMA other").unwrap();
        c.run("CREATE TABLE other.t2 (x int)").unwrap();
        c.run("CREATE VIEW w AS SELECT 1").unwrap();
        assert!(c.table_exists("t1").unwrap());
        assert!(!c.table_exists("t2").unwrap());
        assert!(!c.table_exists("w").unwrap());
        assert!(!c.table_exists("nope").unwrap());

        // With a schema: search_path is that schema alone, even before it exists.
        let opts = |schema: &str| ConnectOptions {
            schema: Some(schema.into()),
            ..quick()
        };
        let mut s = db.with(opts("app"));
        assert!(!s.table_exists("t1").unwrap());
        let e = s.run("CREATE TABLE t3 (x int)").unwrap_err();
        assert!(e.message.contains("3F000"), "{}", e.message);
        s.ensure_schema().unwrap();
        s.ensure_schema().unwrap(); // idempotent
        s.run("CREATE TABLE t3 (x int)").unwrap();
        assert!(s.table_exists("t3").unwrap());
        assert!(!c.table_exists("t3").unwrap());
        assert_eq!(
            one(
                &mut s,
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 't3'"
            ),
            text("app")
        );
        let mut o = db.with(opts("other"));
        assert!(o.table_exists("t2").unwrap());
        assert!(!o.table_exists("t1").unwrap());

        // A name needing quotes.
        let mut q = db.with(opts("Mixed \"Case\""));
        q.ensure_schema().unwrap();
        q.run("CREATE TABLE t4 (x int)").unwrap();
        assert!(q.table_exists("t4").unwrap());
        assert_eq!(
            one(&mut q, "SELECT current_schema()"),
            text("Mixed \"Case\"")
        );
    }

    #[test]
    fn ensure_schema_follows_search_path_in_options() {
        let Some(db) = TestDb::new() else { return };
        let schemas = |c: &mut PostgresConnection| {
            one(c, "SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'")
        };
        let mut plain = db.connect();
        let before = schemas(&mut plain);
        plain.ensure_schema().unwrap(); // nothing configured: creates nothing ("$user" stays alone)
        assert_eq!(schemas(&mut plain), before);

        for (query, schema) in [
            ("options=-csearch_path%3Dapp2", "app2"),
            ("options=-c%20search_path%3DApp3,public", "app3"),
        ] {
            let mut c = connect(&db.url_with(query)).unwrap();
            assert!(!c.table_exists("t").unwrap());
            c.ensure_schema().unwrap();
            c.run("CREATE TABLE t (x int)").unwrap();
            assert!(c.table_exists("t").unwrap());
            assert_eq!(one(&mut c, "SELECT current_schema()"), text(schema));
        }
        // ConnectOptions::schema wins over the URL's search_path.
        let mut both = PostgresConnection::connect(
            &url(&db.url_with("options=-csearch_path%3Dapp4")),
            &ConnectOptions {
                schema: Some("app5".into()),
                ..quick()
            },
        )
        .unwrap();
        both.ensure_schema().unwrap();
        assert_eq!(one(&mut both, "SELECT current_schema()"), text("app5"));
    }

    #[test]
    fn lock_waits_times_out_and_is_released_by_unlock() {
        let Some(db) = TestDb::new() else { return };
        let mut a = db.connect();
        let mut b = db.connect();
        a.lock(&mut || panic!("the first lock does not wait"))
            .unwrap();
        let a_pid = one(&mut a, "SELECT pg_backend_pid()");

        let started = Instant::now();
        let mut calls = 0;
        let e = b.lock(&mut || calls += 1).unwrap_err();
        let waited = started.elapsed();
        assert!(e.lock_timeout);
        assert_eq!(calls, 1);
        assert!(waited >= Duration::from_millis(300), "{waited:?}");
        assert!(waited < Duration::from_secs(2), "{waited:?}");
        assert!(
            e.message.starts_with(
                "timed out after 300ms waiting for the migration lock: another retort run"
            ),
            "{}",
            e.message
        );
        // The holder is named, and the query in the message finds it.
        let pid = a_pid.as_i64().unwrap();
        assert!(
            e.message
                .contains(&format!("(server process {pid}, application `retort`")),
            "{}",
            e.message
        );
        let holder = e.message.split('`').nth(3).unwrap();
        assert!(holder.starts_with("SELECT pid FROM pg_locks"), "{holder}");
        assert_eq!(b.query(holder, &[]).unwrap(), [vec![a_pid]]);

        // Another lock name is another lock.
        let mut other = db.with(ConnectOptions {
            lock_name: "retort:other_table".into(),
            ..quick()
        });
        other
            .lock(&mut || panic!("a different lock name must not wait"))
            .unwrap();

        a.unlock().unwrap();
        let mut calls = 0;
        b.lock(&mut || calls += 1).unwrap();
        assert_eq!(calls, 0);
        b.unlock().unwrap();

        // Released while waiting: the waiter gets it.
        a.lock(&mut || {}).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(250));
            a.unlock().unwrap();
            a
        });
        let mut patient = db.with(ConnectOptions {
            lock_timeout: Duration::from_secs(5),
            ..quick()
        });
        let mut calls = 0;
        let started = Instant::now();
        patient.lock(&mut || calls += 1).unwrap();
        assert_eq!(calls, 1);
        assert!(started.elapsed() >= Duration::from_millis(200));
        drop(releaser.join().unwrap());
        patient.unlock().unwrap();
    }

    #[test]
    fn tls_modes() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        if one(&mut c, "SHOW ssl") != text("on") {
            eprintln!("skipping tls_modes: the server has ssl = off");
            return;
        }
        let port = one(&mut c, "SHOW port");
        let port = port.as_str().unwrap();
        let in_tls = |u: &str| -> Result<Value, DbError> {
            let mut c = connect(u)?;
            Ok(one(
                &mut c,
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            ))
        };
        // Over TCP to 127.0.0.1 (the snakeoil certificate names a host, never an address).
        let at = |query: &str| db.url_at(&format!("127.0.0.1:{port}"), query);

        assert_eq!(in_tls(&at("sslmode=disable")).unwrap(), text("f"));
        assert_eq!(in_tls(&at("sslmode=prefer")).unwrap(), text("t"));
        assert_eq!(in_tls(&at("")).unwrap(), text("t")); // prefer is the default
        assert_eq!(in_tls(&at("sslmode=require")).unwrap(), text("t"));

        // verify-ca / verify-full with no root file at all: a clear refusal.
        let home_root =
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".postgresql/root.crt"));
        if !home_root.as_ref().is_some_and(|p| p.exists()) {
            let e = in_tls(&at("sslmode=verify-ca")).unwrap_err();
            assert!(e.message.contains("sslrootcert"), "{}", e.message);
        }

        // A different certificate as the root: refused, in every verifying mode.
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.pem");
        std::fs::write(&other, SELF_SIGNED_CA).unwrap();
        for mode in ["verify-ca", "verify-full", "require", "prefer"] {
            let e = in_tls(&at(&format!(
                "sslmode={mode}&sslrootcert={}",
                other.display()
            )))
            .unwrap_err();
            assert!(
                e.message.starts_with("TLS connection to 127.0.0.1:"),
                "{mode}: {}",
                e.message
            );
            assert!(
                e.message.contains("is not signed by"),
                "{mode}: {}",
                e.message
            );
        }
        let e = in_tls(&at("sslmode=verify-ca&sslrootcert=/nonexistent/root.crt")).unwrap_err();
        assert!(
            e.message
                .contains("cannot read sslrootcert /nonexistent/root.crt"),
            "{}",
            e.message
        );

        // The server's own certificate as the root.
        let cert_file = one(&mut c, "SHOW ssl_cert_file");
        let cert_file = PathBuf::from(cert_file.as_str().unwrap());
        let Ok(pem) = std::fs::read(&cert_file) else {
            eprintln!(
                "skipping verify-ca/verify-full acceptance: cannot read {}",
                cert_file.display()
            );
            return;
        };
        let root = format!("sslrootcert={}", cert_file.display());
        assert_eq!(
            in_tls(&at(&format!("sslmode=verify-ca&{root}"))).unwrap(),
            text("t")
        );
        assert_eq!(
            in_tls(&at(&format!("sslmode=require&{root}"))).unwrap(),
            text("t")
        );
        // verify-full to an address the certificate does not name: refused.
        let e = in_tls(&at(&format!("sslmode=verify-full&{root}"))).unwrap_err();
        assert!(
            e.message.contains("does not name the host"),
            "{}",
            e.message
        );
        // verify-full to `localhost`, when the certificate names it.
        let der = CertificateDer::pem_slice_iter(&pem)
            .next()
            .unwrap()
            .unwrap();
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, ServerName};
        let names_localhost = rustls::server::ParsedCertificate::try_from(&der).is_ok_and(|cert| {
            rustls::client::verify_server_name(&cert, &ServerName::try_from("localhost").unwrap())
                .is_ok()
        });
        if names_localhost {
            let u = db.url_at(
                &format!("localhost:{port}"),
                &format!("sslmode=verify-full&{root}"),
            );
            assert_eq!(in_tls(&u).unwrap(), text("t"));
        } else {
            eprintln!(
                "skipping verify-full acceptance: the server certificate does not name localhost"
            );
        }
    }

    #[test]
    fn unix_socket() {
        let Some(db) = TestDb::new() else { return };
        let mut c = db.connect();
        let port = one(&mut c, "SHOW port");
        let port = port.as_str().unwrap();
        let dirs = one(&mut c, "SHOW unix_socket_directories");
        let Some(dir) = dirs
            .as_str()
            .unwrap()
            .split(',')
            .map(str::trim)
            .find(|d| socket_path(Path::new(d), port.parse().unwrap()).exists())
        else {
            eprintln!("skipping unix_socket: no socket of the server on this machine");
            return;
        };
        let encoded = dir.replace('/', "%2F");
        let over_socket = |u: &str| {
            let mut c = connect(u).unwrap();
            assert_eq!(one(&mut c, "SELECT inet_server_addr()"), Value::Null, "{u}");
        };
        over_socket(&db.url_at(&format!("{encoded}:{port}"), ""));
        over_socket(&db.url_at("", &format!("host={dir}&port={port}")));
        // sslmode is ignored on sockets, as in libpq.
        over_socket(&db.url_at("", &format!("host={dir}&port={port}&sslmode=require")));
        // No host at all: the usual socket directories.
        if ["/var/run/postgresql", "/run/postgresql", "/tmp"].contains(&dir) {
            over_socket(&db.url_at("", &format!("port={port}")));
        }
        // A directory without the socket.
        let e = connect(&db.url_at("", "host=/nonexistent&port=5999"))
            .err()
            .unwrap();
        assert_eq!(
            e.message,
            "no server is listening on socket /nonexistent/.s.PGSQL.5999: is the server running, and is this its socket directory?"
        );
    }

    #[test]
    fn connection_errors_are_clear_and_never_show_the_password() {
        // Refused.
        let e = connect("postgres://postgres:hunter2-pw@127.0.0.1:1/db")
            .err()
            .unwrap();
        assert_eq!(
            e.message,
            "connection refused by 127.0.0.1:1: is the server running and accepting TCP/IP connections on that port?"
        );
        // A server that accepts and never answers: the timeout covers the whole handshake.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let started = Instant::now();
        let e = PostgresConnection::connect(
            &url(&format!("postgres://u:hunter2-pw@127.0.0.1:{port}/db")),
            &ConnectOptions {
                connect_timeout: Duration::from_millis(300),
                ..quick()
            },
        )
        .err()
        .unwrap();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(
            e.message,
            format!("timed out after 300ms connecting to 127.0.0.1:{port} (connect_timeout): is the host reachable, the port right and the server up?")
        );
        drop(silent);
        // A host name that does not resolve.
        let e = connect("postgres://u:hunter2-pw@no-such-host.invalid/db")
            .err()
            .unwrap();
        assert!(
            e.message
                .starts_with("could not resolve host name `no-such-host.invalid`"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("hunter2"), "{}", e.message);

        // A missing database, on the real server.
        let Some(db) = TestDb::new() else { return };
        let missing = format!("{}_missing", db.name);
        let (prefix, hosts, query, _) = url_parts(&db.url);
        let u = add_query(&format!("{prefix}{hosts}/{missing}"), &query);
        let e = connect(&u).err().unwrap();
        assert_eq!(
            e.message,
            format!("database \"{missing}\" does not exist (SQLSTATE 3D000); create the database first (CREATE DATABASE), or fix its name in the URL")
        );
    }

    /// A one-connection imitation of a server: answers `N` to SSLRequest, then (if it gets a
    /// startup message) asks for a cleartext password and refuses it. Yields the password.
    fn fake_server() -> (u16, std::thread::JoinHandle<Option<String>>) {
        fn packet(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
            let mut len = [0u8; 4];
            s.read_exact(&mut len)?;
            let mut body = vec![0u8; u32::from_be_bytes(len) as usize - 4];
            s.read_exact(&mut body)?;
            Ok(body)
        }
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().ok()?;
            let mut body = packet(&mut s).ok()?;
            while body[..4] == 80877103u32.to_be_bytes() {
                s.write_all(b"N").ok()?; // no TLS here
                body = packet(&mut s).ok()?;
            }
            // AuthenticationCleartextPassword
            s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]).ok()?;
            let mut tag = [0u8; 1];
            s.read_exact(&mut tag).ok()?;
            let password = packet(&mut s).ok()?;
            let password = String::from_utf8_lossy(&password[..password.len() - 1]).into_owned();
            let mut fields = Vec::new();
            for (code, value) in [
                (b'S', "FATAL"),
                (b'V', "FATAL"),
                (b'C', "28P01"),
                (b'M', "password authentication failed for user \"bob\""),
            ] {
                fields.push(code);
                fields.extend_from_slice(value.as_bytes());
                fields.push(0);
            }
            fields.push(0);
            let mut msg = vec![b'E'];
            msg.extend_from_slice(&(fields.len() as u32 + 4).to_be_bytes());
            msg.extend_from_slice(&fields);
            s.write_all(&msg).ok()?;
            Some(password)
        });
        (port, handle)
    }

    #[test]
    fn wrong_password_message_hides_the_password() {
        let (port, server) = fake_server();
        // sslmode=prefer (the default): the server declines TLS, and the driver goes on in
        // plain text, as libpq does.
        let e = connect(&format!("postgres://bob:s3cr%2Ft-pw@127.0.0.1:{port}/db"))
            .err()
            .unwrap();
        assert_eq!(server.join().unwrap().as_deref(), Some("s3cr/t-pw"));
        assert_eq!(
            e.message,
            "password authentication failed for user \"bob\" (SQLSTATE 28P01); check the user name and password (in a URL, percent-encode special characters of the password)"
        );
        assert!(!e.message.contains("s3cr"));
    }

    #[test]
    fn require_refuses_a_server_without_tls() {
        let (port, server) = fake_server();
        let e = connect(&format!(
            "postgres://bob:s3cr3t-pw@127.0.0.1:{port}/db?sslmode=require"
        ))
        .err()
        .unwrap();
        assert_eq!(
            server.join().unwrap(),
            None,
            "no password may be sent in plain text"
        );
        assert_eq!(
            e.message,
            format!("127.0.0.1:{port} does not accept TLS connections, but sslmode=require requires TLS: use sslmode=prefer or disable, or turn ssl on in the server's configuration")
        );
    }
}
