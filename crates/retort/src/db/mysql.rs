//! MySQL and MariaDB through the `mysql` crate (sync, pure Rust, no TLS in this build).
//!
//! DDL is not transactional here: every `CREATE`/`ALTER`/`DROP` commits whatever transaction
//! is open, before and after itself. So [`Connection::transactional_ddl`] is `false` and the
//! migrator marks a version row `running` before a migration and `applied` after it.
//!
//! The migration lock is a named session lock (`GET_LOCK`), held from [`Connection::lock`] to
//! [`Connection::unlock`] across the many transactions of a run, and freed by the server if
//! the connection dies. Its name is `<lock_name>@<database>`: the lock namespace is the
//! whole server.

use std::fmt;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use mysql::consts::ColumnType;
use mysql::prelude::{Protocol, Queryable};
use mysql::{Column, QueryResult};
use sha2::{Digest, Sha256};

use crate::config::DatabaseUrl;
use crate::dialect::Dialect;

use super::{BatchError, ConnectOptions, Connection, DbError, Value};

/// The longest lock name MySQL 5.7+ accepts (`GET_LOCK` fails with error 3057 beyond it;
/// MariaDB has no such limit, but one rule for both keeps the name the same on either).
const MAX_LOCK_NAME: usize = 64;

/// While waiting for the lock with less than a second left, how often to ask again
/// (`GET_LOCK` is only given whole seconds: MySQL and MariaDB differ on fractions).
const LOCK_POLL: Duration = Duration::from_millis(25);

/// A migration statement up to this size travels in one query with retort's statements
/// before it ([`Connection::run_batch_then`]); a longer one is sent on its own, so that
/// retort's few hundred bytes can never push it past the server's `max_allowed_packet`.
const MAX_MERGED_STATEMENT: usize = 64 * 1024;

/// A session on a MySQL or MariaDB server, with its database selected.
pub struct MysqlConnection {
    conn: mysql::Conn,
    lock_name: String,
    lock_timeout: Duration,
    locked: bool,
    /// `KILL QUERY` of this session from a second one, for a stop request.
    cancel: Arc<KillQuery>,
}

/// MySQL's way to stop another session's statement: `KILL QUERY <id>` sent from a new
/// connection to the same server.
struct KillQuery {
    target: Target,
    session: u32,
    timeout: Duration,
}

impl super::Cancel for KillQuery {
    fn cancel(&self) -> Result<(), DbError> {
        let mut other = open(&self.target, None, self.timeout)?;
        other
            .query_drop(format!("KILL QUERY {}", self.session))
            .map_err(error)
    }
}

impl MysqlConnection {
    /// Connects to the database a `mysql://` or `mariadb://` URL names:
    /// `mysql://user:password@host:port/database?socket=/path&connect_timeout=SECS`.
    /// The user, password and database are percent-decoded; the port defaults to 3306.
    /// `?connect_timeout` (seconds, fractions allowed) overrides `opts.connect_timeout`.
    pub fn connect(url: &DatabaseUrl, opts: &ConnectOptions) -> Result<MysqlConnection, DbError> {
        let target = Target::parse(url.expose())?;
        let timeout = target.connect_timeout.unwrap_or(opts.connect_timeout);
        let conn = open(&target, Some(&target.database), timeout)?;
        let cancel = Arc::new(KillQuery {
            session: conn.connection_id(),
            target: target.clone(),
            timeout,
        });
        Ok(MysqlConnection {
            conn,
            cancel,
            // `GET_LOCK` names are server-wide (PostgreSQL's advisory locks are per
            // database): without the database in the name, projects in different databases
            // of one server would wait for each other.
            lock_name: lock_name(&format!("{}@{}", opts.lock_name, target.database)),
            lock_timeout: opts.lock_timeout,
            locked: false,
        })
    }

    /// Checks a `mysql://` / `mariadb://` URL without connecting: the database is named,
    /// every query option is known, the port and percent-encoding are valid. Lets a caller
    /// reject a bad URL as bad input before any connection is attempted.
    pub fn check_url(url: &DatabaseUrl) -> Result<(), DbError> {
        Target::parse(url.expose()).map(|_| ())
    }

    /// The underlying connection, for applications that migrate and then keep using it.
    pub fn inner_mut(&mut self) -> &mut mysql::Conn {
        &mut self.conn
    }

    /// The name given to `GET_LOCK`: the configured name, `@`, the database (hashed if
    /// over 64 characters).
    pub fn lock_name(&self) -> &str {
        &self.lock_name
    }

    /// One `GET_LOCK` call waiting up to `secs` seconds; `true` when the lock is ours.
    fn get_lock(&mut self, secs: u64) -> Result<bool, DbError> {
        let rows = self.query(
            "SELECT GET_LOCK(?, ?)",
            &[
                Value::Text(self.lock_name.clone()),
                Value::Int(i64::try_from(secs).unwrap_or(i64::MAX)),
            ],
        )?;
        match rows.first().and_then(|r| r.first()) {
            Some(v) if v.as_i64() == Some(1) => Ok(true),
            Some(v) if v.as_i64() == Some(0) => Ok(false),
            _ => Err(DbError::new(format!(
                "GET_LOCK('{}') returned NULL: the server could not take the lock \
                 (was this session killed?)",
                self.lock_name
            ))),
        }
    }

    /// The error for a lock not obtained in time, naming who holds it when the server says.
    fn lock_timeout_error(&mut self) -> DbError {
        let holder = self
            .query(
                "SELECT IS_USED_LOCK(?)",
                &[Value::Text(self.lock_name.clone())],
            )
            .ok()
            .and_then(|rows| rows.first().and_then(|r| r.first()).and_then(Value::as_i64))
            .map(|id| format!(" (MySQL connection id {id})"))
            .unwrap_or_default();
        let quoted = self.lock_name.replace('\'', "''");
        let mut e = DbError::new(format!(
            "timed out after {} waiting for the migration lock `{}`: another retort run \
             (another deploy?) holds it{holder}. Wait for it to finish and retry, or raise \
             the lock timeout; `SELECT IS_USED_LOCK('{quoted}')` shows the id of the \
             connection holding it",
            super::human_duration(self.lock_timeout),
            self.lock_name,
        ));
        e.lock_timeout = true;
        e
    }
}

impl Connection for MysqlConnection {
    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    /// Sends the statement as is (text protocol), so procedure and trigger bodies,
    /// `PREPARE`/`EXECUTE` and statements returning rows all work. Every result set is
    /// read to the end: an error raised after the first one (a `SIGNAL` in a procedure
    /// that selected first) is reported, not dropped.
    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        let mut result = self.conn.query_iter(sql).map_err(error)?;
        drain(&mut result)
    }

    /// One round trip: the statements go as one multi-statement query (the driver always
    /// enables `CLIENT_MULTI_STATEMENTS`). The server stops at the first failing statement,
    /// and its error is reported like any other.
    fn run_batch(&mut self, statements: &[String]) -> Result<(), DbError> {
        if statements.is_empty() {
            return Ok(());
        }
        self.run(&statements.join(";\n"))
    }

    /// One round trip: `ours` and the statement go as one multi-statement query, the
    /// statement last. The server runs them in order and stops at the first error; each of
    /// retort's statements has exactly one result, so the index of the result carrying the
    /// error says whose it is (the migration's statement may have several, like a `CALL`,
    /// but nothing follows it). Error positions and messages are the server's own, per
    /// statement, as with [`Connection::run`].
    fn run_batch_then(&mut self, ours: &[String], statement: &str) -> Result<(), BatchError> {
        if ours.is_empty() {
            return self.run(statement).map_err(BatchError::Statement);
        }
        if statement.len() > MAX_MERGED_STATEMENT {
            self.run_batch(ours).map_err(BatchError::Ours)?;
            return self.run(statement).map_err(BatchError::Statement);
        }
        let mut sql = ours.join(";\n");
        sql.push_str(";\n");
        sql.push_str(statement);
        // An error in the first result comes from `query_iter` itself.
        let mut result = self
            .conn
            .query_iter(sql)
            .map_err(|e| BatchError::Ours(error(e)))?;
        let mut index = 0;
        while let Some(set) = result.iter() {
            for row in set {
                if let Err(e) = row {
                    return Err(if index < ours.len() {
                        BatchError::Ours(error(e))
                    } else {
                        BatchError::Statement(error(e))
                    });
                }
            }
            index += 1;
        }
        Ok(())
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        if params.is_empty() {
            let mut result = self.conn.query_iter(sql).map_err(error)?;
            let n = result.affected_rows();
            drain(&mut result)?;
            Ok(n)
        } else {
            let mut result = self.conn.exec_iter(sql, to_params(params)).map_err(error)?;
            let n = result.affected_rows();
            drain(&mut result)?;
            Ok(n)
        }
    }

    /// Rows of the first result set. Without parameters the text protocol is used (any
    /// statement works); with them, a prepared statement (cached by the driver).
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        if params.is_empty() {
            let mut result = self.conn.query_iter(sql).map_err(error)?;
            collect(&mut result)
        } else {
            let mut result = self.conn.exec_iter(sql, to_params(params)).map_err(error)?;
            collect(&mut result)
        }
    }

    fn table_exists(&mut self, name: &str) -> Result<bool, DbError> {
        let rows = self.query(
            "SELECT 1 FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = ?",
            &[Value::Text(name.to_string())],
        )?;
        Ok(!rows.is_empty())
    }

    /// `GET_LOCK` without waiting first; if another session holds the lock, `waiting` is
    /// called once and the lock is asked for again until `lock_timeout` has passed
    /// (whole seconds inside `GET_LOCK`, which returns as soon as the lock is free; the
    /// last fraction of a second by polling).
    fn lock(&mut self, waiting: &mut dyn FnMut()) -> Result<(), DbError> {
        if self.locked {
            return Ok(());
        }
        if self.get_lock(0)? {
            self.locked = true;
            return Ok(());
        }
        waiting();
        let deadline = Instant::now() + self.lock_timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.lock_timeout_error());
            }
            let got = if left.as_secs() >= 1 {
                self.get_lock(left.as_secs())?
            } else {
                std::thread::sleep(left.min(LOCK_POLL));
                self.get_lock(0)?
            };
            if got {
                self.locked = true;
                return Ok(());
            }
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        if !self.locked {
            return Ok(());
        }
        self.locked = false;
        let rows = self.query(
            "SELECT RELEASE_LOCK(?)",
            &[Value::Text(self.lock_name.clone())],
        )?;
        match rows.first().and_then(|r| r.first()).and_then(Value::as_i64) {
            Some(1) => Ok(()),
            _ => Err(DbError::new(format!(
                "the migration lock `{}` was no longer held by this session when releasing it",
                self.lock_name
            ))),
        }
    }

    fn canceller(&self) -> Option<Arc<dyn super::Cancel>> {
        Some(self.cancel.clone())
    }

    fn lock_is_per_transaction(&self) -> bool {
        false
    }

    fn transactional_ddl(&self) -> bool {
        false
    }
}

/// Where and how to connect, parsed from the URL. Never printed whole: `Debug` hides
/// the password.
#[derive(Clone, PartialEq, Eq)]
struct Target {
    user: Option<String>,
    password: Option<String>,
    /// As written, IPv6 addresses in brackets (`[::1]`), as the driver wants them.
    host: String,
    port: u16,
    socket: Option<String>,
    database: String,
    connect_timeout: Option<Duration>,
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("host", &self.host)
            .field("port", &self.port)
            .field("socket", &self.socket)
            .field("database", &self.database)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl Target {
    /// Parses `mysql://` / `mariadb://` URLs. Error messages never quote the user-info part.
    fn parse(raw: &str) -> Result<Target, DbError> {
        let (scheme, rest) = raw
            .split_once("://")
            .ok_or_else(|| DbError::new("expected mysql://user@host/dbname"))?;
        if !matches!(scheme.to_ascii_lowercase().as_str(), "mysql" | "mariadb") {
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
        let mut target = Target {
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
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key, "query option")?;
            let value = decode(value, "query option")?;
            match key.as_str() {
                "socket" if !value.is_empty() => target.socket = Some(value),
                "connect_timeout" => target.connect_timeout = Some(parse_seconds(&key, &value)?),
                "socket" => {
                    return Err(DbError::new(
                        "option `socket` needs a path: ?socket=/run/mysqld/mysqld.sock",
                    ))
                }
                other => {
                    return Err(DbError::new(format!(
                        "unknown option `{other}` in the MySQL URL (supported: socket, connect_timeout)"
                    )))
                }
            }
        }
        Ok(target)
    }

    /// Where the server is, for messages: `host:port` or `socket /path`.
    fn place(&self) -> String {
        match &self.socket {
            Some(path) => format!("socket {path}"),
            None => format!("{}:{}", self.host, self.port),
        }
    }
}

fn split_host_port(hostport: &str) -> Result<(String, u16), DbError> {
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

fn parse_seconds(key: &str, value: &str) -> Result<Duration, DbError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| crate::config::wait_from_secs(s).ok())
        .ok_or_else(|| {
            DbError::new(format!(
                "option `{key}` must be a number of seconds above 0 and at most {} (a day), not `{value}`",
                crate::config::MAX_WAIT_SECS
            ))
        })
}

/// Percent-decoding of one URL component. `what` names the component in errors (never
/// its text: it may be the password).
fn decode(text: &str, what: &str) -> Result<String, DbError> {
    let bad = || DbError::new(format!("invalid percent-encoding in the URL's {what}"));
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| DbError::new(format!("the URL's {what} is not UTF-8")))
}

/// Opens a session. `Conn::new` runs on a helper thread so that the timeout covers the
/// whole handshake (a port that accepts but never answers too), not only the TCP connect;
/// after it, no read timeout applies (a migration may legitimately run for hours).
fn open(
    target: &Target,
    database: Option<&str>,
    timeout: Duration,
) -> Result<mysql::Conn, DbError> {
    let timeout = timeout.max(Duration::from_millis(1));
    let opts = mysql::OptsBuilder::new()
        .ip_or_hostname(Some(target.host.clone()))
        .tcp_port(target.port)
        .socket(target.socket.clone())
        .user(target.user.clone())
        .pass(target.password.clone())
        .db_name(database.map(str::to_string))
        // Connect where the URL says: no silent switch to the server's unix socket.
        .prefer_socket(false)
        .tcp_connect_timeout(Some(timeout));
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("retort-mysql-connect".into())
        .spawn(move || {
            let _ = tx.send(mysql::Conn::new(opts));
        })
        .map_err(|e| DbError::new(format!("cannot start a thread to connect: {e}")))?;
    let result = match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            return Err(connect_timeout_error(target, timeout));
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            return Err(DbError::new(
                "the connecting thread stopped without an answer",
            ));
        }
    };
    result.map_err(|e| connect_error(target, database, timeout, e))
}

fn connect_timeout_error(target: &Target, timeout: Duration) -> DbError {
    DbError::new(format!(
        "no answer from the server at {} within {} (connect timeout); check the host, the \
         port and the firewall, or wait longer with ?connect_timeout=SECS",
        target.place(),
        super::human_duration(timeout)
    ))
}

/// Explains a failed connection in words a user can act on. Built from the parsed parts
/// (never the URL itself) and scrubbed of the password in case a driver message echoed it.
fn connect_error(
    target: &Target,
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

fn unreachable_message(target: &Target, desc: &str, kind: std::io::ErrorKind) -> String {
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

/// Removes a password of 4+ characters from a message (shorter ones would mangle words;
/// no message built here contains the password in the first place).
fn scrub(message: String, password: Option<&str>) -> String {
    match password {
        Some(p) if p.len() >= 4 && message.contains(p) => message.replace(p, "***"),
        _ => message,
    }
}

fn server_message(e: &mysql::MySqlError) -> String {
    format!(
        "{} (MySQL error {}, SQLSTATE {})",
        e.message, e.code, e.state
    )
}

/// The driver's error in plain words (its own `Display` wraps them in `IoError { … }`).
fn describe(e: &mysql::Error) -> String {
    match e {
        mysql::Error::MySqlError(server) => server_message(server),
        mysql::Error::IoError(io) => format!("lost the connection to the server: {io}"),
        mysql::Error::CodecError(c) => format!("lost the connection to the server: {c}"),
        mysql::Error::DriverError(d) => d.to_string(),
        mysql::Error::UrlError(u) => u.to_string(),
        other => other.to_string(),
    }
}

fn error(e: mysql::Error) -> DbError {
    DbError::new(describe(&e))
}

fn to_params(values: &[Value]) -> mysql::Params {
    mysql::Params::Positional(
        values
            .iter()
            .map(|v| match v {
                Value::Null => mysql::Value::NULL,
                Value::Int(i) => mysql::Value::Int(*i),
                Value::Text(s) => mysql::Value::Bytes(s.clone().into_bytes()),
            })
            .collect(),
    )
}

/// Reads every row of every result set, returning the first error.
fn drain<T: Protocol>(result: &mut QueryResult<'_, '_, '_, T>) -> Result<(), DbError> {
    while let Some(set) = result.iter() {
        for row in set {
            row.map_err(error)?;
        }
    }
    Ok(())
}

/// The rows of the first result set; the others are read (and their errors reported).
fn collect<T: Protocol>(
    result: &mut QueryResult<'_, '_, '_, T>,
) -> Result<Vec<Vec<Value>>, DbError> {
    let mut out = Vec::new();
    if let Some(set) = result.iter() {
        for row in set {
            let row = row.map_err(error)?;
            let columns = row.columns();
            let values = row.unwrap();
            out.push(
                values
                    .into_iter()
                    .zip(columns.iter())
                    .map(|(v, c)| from_mysql(v, c))
                    .collect(),
            );
        }
    }
    drain(result)?;
    Ok(out)
}

fn is_integer(t: ColumnType) -> bool {
    matches!(
        t,
        ColumnType::MYSQL_TYPE_TINY
            | ColumnType::MYSQL_TYPE_SHORT
            | ColumnType::MYSQL_TYPE_INT24
            | ColumnType::MYSQL_TYPE_LONG
            | ColumnType::MYSQL_TYPE_LONGLONG
            | ColumnType::MYSQL_TYPE_YEAR
    )
}

/// Integers become `Int` (from either protocol), text and bytes `Text` (lossy UTF-8),
/// everything else its text form, as the text protocol would have sent it.
fn from_mysql(v: mysql::Value, column: &Column) -> Value {
    let fraction = |micros: u32| match column.decimals() {
        d @ 1..=6 => format!(".{:06}", micros)[..=usize::from(d)].to_string(),
        _ if micros > 0 => format!(".{micros:06}"),
        _ => String::new(),
    };
    match v {
        mysql::Value::NULL => Value::Null,
        mysql::Value::Int(i) => Value::Int(i),
        mysql::Value::UInt(u) => i64::try_from(u)
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Text(u.to_string())),
        mysql::Value::Bytes(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match text.parse::<i64>() {
                Ok(i) if is_integer(column.column_type()) => Value::Int(i),
                _ => Value::Text(text),
            }
        }
        mysql::Value::Float(f) => Value::Text(f.to_string()),
        mysql::Value::Double(d) => Value::Text(d.to_string()),
        mysql::Value::Date(y, mo, d, h, mi, s, us) => {
            Value::Text(if column.column_type() == ColumnType::MYSQL_TYPE_DATE {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!(
                    "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}{}",
                    fraction(us)
                )
            })
        }
        mysql::Value::Time(negative, days, h, mi, s, us) => Value::Text(format!(
            "{}{:02}:{mi:02}:{s:02}{}",
            if negative { "-" } else { "" },
            u64::from(days) * 24 + u64::from(h),
            fraction(us)
        )),
    }
}

/// MySQL refuses lock names over 64 characters; longer names keep a readable prefix and
/// end in a hash of the whole name, so two long names still get two locks.
fn lock_name(name: &str) -> String {
    if name.len() <= MAX_LOCK_NAME {
        return name.to_string();
    }
    let digest = Sha256::digest(name.as_bytes());
    let hash: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let mut cut = MAX_LOCK_NAME - 1 - hash.len();
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}~{hash}", &name[..cut])
}

#[cfg(test)]
mod tests {
    //! Against a real server: `RETORT_TEST_MYSQL_URL` (default
    //! `mysql://root@127.0.0.1:3306/test`). Each test works in a database of its own,
    //! dropped at the end. Without a server the tests print a skip message and pass,
    //! except under `CI=true`, where they fail.

    use super::*;
    use crate::config::mask;
    use std::net::TcpListener;

    const DEFAULT_URL: &str = "mysql://root@127.0.0.1:3306/test";

    fn server_url() -> String {
        std::env::var("RETORT_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_URL.to_string())
    }

    fn hex_id() -> String {
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).expect("random bytes");
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// `url` naming database `db` instead (query options kept).
    fn with_database(url: &str, db: &str) -> String {
        let (head, query) = url
            .split_once('?')
            .map_or((url, None), |(h, q)| (h, Some(q)));
        let start = head.find("://").expect("scheme") + 3;
        let base = head[start..].find('/').map_or(head, |i| &head[..start + i]);
        match query {
            Some(q) => format!("{base}/{db}?{q}"),
            None => format!("{base}/{db}"),
        }
    }

    /// `url` with one more query option.
    fn with_option(url: &str, option: &str) -> String {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}{option}")
    }

    fn server() -> Target {
        Target::parse(&server_url()).expect("RETORT_TEST_MYSQL_URL")
    }

    /// A session without a database selected, or `None` (skip) when no server answers.
    fn admin() -> Option<mysql::Conn> {
        match open(&server(), None, Duration::from_secs(5)) {
            Ok(conn) => Some(conn),
            Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
                panic!("no MySQL server at {} ({e})", mask(&server_url()))
            }
            Err(e) => {
                eprintln!(
                    "skipping: no MySQL server at {} ({e}); set RETORT_TEST_MYSQL_URL",
                    mask(&server_url())
                );
                None
            }
        }
    }

    /// A database of the test's own, dropped when the test ends, also on panic.
    struct TestDb {
        name: String,
        url: String,
    }

    impl TestDb {
        fn create() -> Option<TestDb> {
            let mut conn = admin()?;
            let name = format!("retort_mydrv_{}", hex_id());
            conn.query_drop(format!("CREATE DATABASE `{name}`"))
                .expect("create the test database");
            Some(TestDb {
                url: with_database(&server_url(), &name),
                name,
            })
        }

        fn connect(&self) -> MysqlConnection {
            self.connect_with(&ConnectOptions::default())
        }

        fn connect_with(&self, opts: &ConnectOptions) -> MysqlConnection {
            let url = DatabaseUrl::parse(&self.url).unwrap();
            MysqlConnection::connect(&url, opts).expect("connect to the test database")
        }
    }

    impl Drop for TestDb {
        fn drop(&mut self) {
            if let Ok(mut conn) = open(&server(), None, Duration::from_secs(5)) {
                let _ = conn.query_drop(format!("DROP DATABASE IF EXISTS `{}`", self.name));
            }
        }
    }

    /// A user created for one test, dropped at its end.
    struct TestUser(String);

    impl Drop for TestUser {
        fn drop(&mut self) {
            if let Ok(mut conn) = open(&server(), None, Duration::from_secs(5)) {
                let _ = conn.query_drop(format!("DROP USER IF EXISTS '{}'@'%'", self.0));
            }
        }
    }

    fn connect_err(url: &str, opts: &ConnectOptions) -> DbError {
        match MysqlConnection::connect(&DatabaseUrl::parse(url).unwrap(), opts) {
            Ok(_) => panic!("connected to {}", mask(url)),
            Err(e) => e,
        }
    }

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn run_execute_query_round_trip() {
        let Some(db) = TestDb::create() else { return };
        let mut c = db.connect();
        c.run(
            "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(20), note TEXT NULL, \
             price DECIMAL(6,2), big BIGINT UNSIGNED)",
        )
        .unwrap();
        let n = c
            .execute(
                "INSERT INTO t (id, name, note, price, big) VALUES (?, ?, ?, 1.5, 18446744073709551615)",
                &[Value::Int(1), text("héllo ✓"), Value::Null],
            )
            .unwrap();
        assert_eq!(n, 1);
        let n = c
            .execute(
                "INSERT INTO t (id, name) VALUES (2, 'two'), (3, 'three')",
                &[],
            )
            .unwrap();
        assert_eq!(n, 2);
        let expected = vec![
            Value::Int(1),
            text("héllo ✓"),
            Value::Null,
            text("1.50"),
            text("18446744073709551615"),
        ];
        let sql = "SELECT id, name, note, price, big FROM t WHERE id";
        // With parameters: a prepared statement (binary protocol).
        let rows = c.query(&format!("{sql} = ?"), &[Value::Int(1)]).unwrap();
        assert_eq!(rows, vec![expected.clone()]);
        // Without: the text protocol; the same values come back.
        let rows = c.query(&format!("{sql} = 1"), &[]).unwrap();
        assert_eq!(rows, vec![expected]);
        let n = c
            .execute(
                "UPDATE t SET note = ? WHERE id > ? AND note IS NULL",
                &[text("x"), Value::Int(1)],
            )
            .unwrap();
        assert_eq!(n, 2);
        let rows = c
            .query(
                "SELECT id FROM t WHERE note <=> ? ORDER BY id",
                &[Value::Null],
            )
            .unwrap();
        assert_eq!(rows, vec![vec![Value::Int(1)]]);
        // `run` accepts statements returning rows and discards them.
        c.run("SELECT * FROM t").unwrap();
        assert!(c
            .query("SELECT id FROM t WHERE id = ?", &[Value::Int(9)])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn other_types_in_text_form_from_both_protocols() {
        let Some(db) = TestDb::create() else { return };
        let mut c = db.connect();
        c.run(
            "CREATE TABLE ty (id INT, d DATE, t TIME(1), dt DATETIME(3), ts DATETIME, \
             f DOUBLE, y YEAR, b VARBINARY(8), small TINYINT)",
        )
        .unwrap();
        c.run(
            "INSERT INTO ty VALUES (1, '2026-11-22', '-26:01:02.5', '2026-11-22 10:30:00.25', \
             '2026-11-22 10:30:00', 2.5, 2026, 'ab\\0', -7)",
        )
        .unwrap();
        let expected = vec![
            text("2026-11-22"),
            text("-26:01:02.5"),
            text("2026-11-22 10:30:00.250"),
            text("2026-11-22 10:30:00"),
            text("2.5"),
            Value::Int(2026),
            text("ab\0"),
            Value::Int(-7),
        ];
        let sql = "SELECT d, t, dt, ts, f, y, b, small FROM ty WHERE id";
        assert_eq!(
            c.query(&format!("{sql} = ?"), &[Value::Int(1)]).unwrap(),
            vec![expected.clone()]
        );
        assert_eq!(c.query(&format!("{sql} = 1"), &[]).unwrap(), vec![expected]);
    }

    /// MySQL commits the open transaction when DDL runs (an implicit COMMIT before and after
    /// the statement), so a ROLLBACK after DDL cannot undo what came before it. This is why
    /// `transactional_ddl()` is false and the migrator records a `running` row first.
    #[test]
    fn ddl_commits_the_open_transaction() {
        let Some(db) = TestDb::create() else { return };
        let mut c = db.connect();
        assert!(!c.transactional_ddl());
        assert!(!c.lock_is_per_transaction());
        c.run("CREATE TABLE t (id INT)").unwrap();
        c.begin().unwrap();
        c.execute("INSERT INTO t VALUES (?)", &[Value::Int(1)])
            .unwrap();
        c.run("CREATE TABLE u (id INT)").unwrap();
        // The DDL ended the transaction: this insert autocommits.
        c.execute("INSERT INTO t VALUES (?)", &[Value::Int(2)])
            .unwrap();
        // Not an error outside a transaction, and undoes nothing.
        c.rollback().unwrap();
        let ids = |c: &mut MysqlConnection| c.query("SELECT id FROM t ORDER BY id", &[]).unwrap();
        assert_eq!(ids(&mut c), vec![vec![Value::Int(1)], vec![Value::Int(2)]]);
        assert!(c.table_exists("u").unwrap());
        // Without DDL a transaction does roll back, and commits when asked.
        c.begin().unwrap();
        c.execute("INSERT INTO t VALUES (?)", &[Value::Int(3)])
            .unwrap();
        c.rollback().unwrap();
        assert_eq!(ids(&mut c).len(), 2);
        c.begin().unwrap();
        c.execute("INSERT INTO t VALUES (?)", &[Value::Int(3)])
            .unwrap();
        c.commit().unwrap();
        assert_eq!(ids(&mut c).len(), 3);
        c.rollback().unwrap();
    }

    #[test]
    fn statement_errors_carry_code_and_state() {
        let Some(db) = TestDb::create() else { return };
        let mut c = db.connect();
        let e = c.run("SELEC 1").unwrap_err();
        assert!(e.message.contains("error in your SQL syntax"), "{e}");
        assert!(
            e.message.ends_with("(MySQL error 1064, SQLSTATE 42000)"),
            "{e}"
        );
        assert_eq!(e.position, None);
        assert!(!e.lock_timeout);
        let e = c
            .query("SELECT * FROM missing WHERE id = ?", &[Value::Int(1)])
            .unwrap_err();
        assert_eq!(
            e.message,
            format!(
                "Table '{}.missing' doesn't exist (MySQL error 1146, SQLSTATE 42S02)",
                db.name
            )
        );
        // An error raised after a first result set is reported, not dropped with the rows.
        c.run(
            "CREATE PROCEDURE boom() BEGIN SELECT 1; \
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'boom'; END",
        )
        .unwrap();
        let e = c.run("CALL boom()").unwrap_err();
        assert_eq!(e.message, "boom (MySQL error 1644, SQLSTATE 45000)");
        let e = c.query("CALL boom()", &[]).unwrap_err();
        assert_eq!(e.message, "boom (MySQL error 1644, SQLSTATE 45000)");
        // The session is still usable.
        assert_eq!(c.query("SELECT 1", &[]).unwrap(), vec![vec![Value::Int(1)]]);
    }

    #[test]
    fn run_batch_sends_statements_together_and_stops_at_an_error() {
        let Some(db) = TestDb::create() else { return };
        let mut c = db.connect();
        c.run("CREATE TABLE t (id INT PRIMARY KEY)").unwrap();
        let batch = |sql: &[&str]| sql.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        c.run_batch(&batch(&[
            "START TRANSACTION",
            "INSERT INTO t VALUES (1)",
            "INSERT INTO t VALUES (2)",
            "COMMIT",
        ]))
        .unwrap();
        let e = c
            .run_batch(&batch(&[
                "START TRANSACTION",
                "INSERT INTO t VALUES (3)",
                "INSERT INTO t VALUES (1)",
                "INSERT INTO t VALUES (4)",
                "COMMIT",
            ]))
            .unwrap_err();
        assert!(
            e.message.contains("(MySQL error 1062, SQLSTATE 23000)"),
            "{e}"
        );
        // The statements after the error did not run: the transaction is still open.
        c.rollback().unwrap();
        assert_eq!(
            c.query("SELECT id FROM t ORDER BY id", &[]).unwrap(),
            vec![vec![Value::Int(1)], vec![Value::Int(2)]]
        );
        c.run_batch(&[]).unwrap();
    }

    /// The migrator's round trip outside a transaction: its bookkeeping, committed, then the
    /// migration's statement, which runs only if the bookkeeping did; errors say whose.
    #[test]
    fn run_batch_then_runs_ours_first_and_names_the_failing_side() {
        let Some(db) = TestDb::create() else { return };
        let mut c = db.connect();
        c.run("CREATE TABLE v (id INT PRIMARY KEY, state VARCHAR(16) NOT NULL)")
            .unwrap();
        let ours = |id: i32| {
            vec![
                "START TRANSACTION".to_string(),
                format!("INSERT INTO v VALUES ({id}, 'running')"),
                "COMMIT".to_string(),
            ]
        };
        let ids = |c: &mut MysqlConnection, sql: &str| c.query(sql, &[]).unwrap();

        c.run_batch_then(&ours(1), "CREATE TABLE t1 (id INT)")
            .unwrap();
        assert!(c.table_exists("t1").unwrap());
        assert_eq!(
            ids(&mut c, "SELECT id, state FROM v"),
            vec![vec![Value::Int(1), text("running")]]
        );

        // One of ours fails (a duplicate key): the statement did not run, and the
        // transaction ours opened is still open (the caller rolls it back).
        let e = c
            .run_batch_then(
                &[
                    "START TRANSACTION".to_string(),
                    "INSERT INTO v VALUES (2, 'running')".to_string(),
                    "INSERT INTO v VALUES (1, 'running')".to_string(),
                    "COMMIT".to_string(),
                ],
                "CREATE TABLE t2 (id INT)",
            )
            .unwrap_err();
        let BatchError::Ours(e) = e else {
            panic!("{e:?}")
        };
        assert!(e.message.contains("(MySQL error 1062"), "{e}");
        c.rollback().unwrap();
        assert!(!c.table_exists("t2").unwrap());
        assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 1);
        // The very first of ours fails: the error comes with the query's first answer.
        let e = c
            .run_batch_then(&["SELEC 1".to_string()], "CREATE TABLE t2 (id INT)")
            .unwrap_err();
        assert!(matches!(e, BatchError::Ours(_)), "{e:?}");
        assert!(!c.table_exists("t2").unwrap());

        // The statement fails: ours were committed before it ran. The server's message
        // counts lines within the statement, not within the whole query.
        let e = c
            .run_batch_then(&ours(3), "CREATE TABLE t3 (\n  id INT,\n  x INT,,\n)")
            .unwrap_err();
        let BatchError::Statement(e) = e else {
            panic!("{e:?}")
        };
        assert!(e.message.contains("(MySQL error 1064"), "{e}");
        assert!(e.message.contains("at line 3"), "{e}");
        c.rollback().unwrap(); // changes nothing: ours committed
        assert_eq!(ids(&mut c, "SELECT id FROM v ORDER BY id").len(), 2);
        assert!(!c.table_exists("t3").unwrap());

        // Statements with bodies, result sets, and an error after a result set.
        c.run_batch_then(
            &ours(4),
            "CREATE PROCEDURE p(IN k INT)\nBEGIN\n  SELECT k;\n  SELECT k + 1;\n  \
             IF k < 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative'; END IF;\nEND",
        )
        .unwrap();
        c.run_batch_then(&ours(5), "CALL p(1)").unwrap();
        let e = c.run_batch_then(&ours(6), "CALL p(-1)").unwrap_err();
        assert_eq!(
            e,
            BatchError::Statement(DbError::new("negative (MySQL error 1644, SQLSTATE 45000)"))
        );
        assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 5);

        // Nothing of ours: the statement alone. A long statement goes in a round trip of
        // its own, after ours.
        c.run_batch_then(&[], "CREATE TABLE t7 (note MEDIUMTEXT)")
            .unwrap();
        let long = format!(
            "INSERT INTO t7 VALUES ('{}')",
            "x".repeat(MAX_MERGED_STATEMENT)
        );
        c.run_batch_then(&ours(8), &long).unwrap();
        assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 6);
        assert_eq!(
            ids(&mut c, "SELECT LENGTH(note) FROM t7"),
            vec![vec![Value::Int(MAX_MERGED_STATEMENT as i64)]]
        );
        let e = c
            .run_batch_then(&ours(9), &format!("{long} trailing garbage"))
            .unwrap_err();
        assert!(matches!(e, BatchError::Statement(_)), "{e:?}");
        assert_eq!(ids(&mut c, "SELECT id FROM v").len(), 7);
        let e = c.run_batch_then(&ours(9), &long).unwrap_err();
        assert!(matches!(e, BatchError::Ours(_)), "{e:?}");
        c.rollback().unwrap();
        assert_eq!(ids(&mut c, "SELECT LENGTH(note) FROM t7").len(), 1);
        // The session is still usable.
        assert_eq!(ids(&mut c, "SELECT 1"), vec![vec![Value::Int(1)]]);
    }

    #[test]
    fn table_exists_looks_in_the_current_database_only() {
        let Some(db) = TestDb::create() else { return };
        let Some(other) = TestDb::create() else {
            return;
        };
        let mut c = db.connect();
        assert!(!c.table_exists("retort_version").unwrap());
        c.run("CREATE TABLE retort_version (revision VARCHAR(64))")
            .unwrap();
        assert!(c.table_exists("retort_version").unwrap());
        other
            .connect()
            .run("CREATE TABLE elsewhere (id INT)")
            .unwrap();
        assert!(!c.table_exists("elsewhere").unwrap());
    }

    #[test]
    fn procedure_trigger_and_prepare_through_run() {
        let Some(db) = TestDb::create() else { return };
        let mut c = db.connect();
        c.run("CREATE TABLE counter (n INT NOT NULL)").unwrap();
        c.run("CREATE TABLE audit (n INT NOT NULL)").unwrap();
        c.run("INSERT INTO counter VALUES (0)").unwrap();
        c.run(
            "CREATE PROCEDURE bump(IN step INT)\nBEGIN\n  DECLARE x INT DEFAULT 0;\n  \
             SET x = step;\n  UPDATE counter SET n = n + x;\n  SELECT n FROM counter;\nEND",
        )
        .unwrap();
        c.run("CALL bump(2)").unwrap();
        assert_eq!(
            c.query("CALL bump(?)", &[Value::Int(3)]).unwrap(),
            vec![vec![Value::Int(5)]]
        );
        c.run(
            "CREATE TRIGGER counter_audit AFTER UPDATE ON counter FOR EACH ROW\nBEGIN\n  \
             INSERT INTO audit VALUES (NEW.n);\nEND",
        )
        .unwrap();
        c.run("PREPARE s FROM 'UPDATE counter SET n = n * ?'")
            .unwrap();
        c.run("SET @k = 10").unwrap();
        c.run("EXECUTE s USING @k").unwrap();
        c.run("DEALLOCATE PREPARE s").unwrap();
        assert_eq!(
            c.query("SELECT n FROM counter", &[]).unwrap(),
            vec![vec![Value::Int(50)]]
        );
        assert_eq!(
            c.query("SELECT n FROM audit", &[]).unwrap(),
            vec![vec![Value::Int(50)]]
        );
    }

    #[test]
    fn lock_waits_times_out_and_is_released() {
        let Some(db) = TestDb::create() else { return };
        // The default name: every test database on the server uses it at once.
        let opts = ConnectOptions {
            lock_timeout: Duration::from_millis(300),
            ..ConnectOptions::default()
        };
        let mut a = db.connect_with(&opts);
        let mut b = db.connect_with(&opts);
        let name = format!("retort:retort_version@{}", db.name);
        assert_eq!(a.lock_name(), name);
        let mut waits = 0;
        a.lock(&mut || waits += 1).unwrap();
        a.lock(&mut || waits += 1).unwrap(); // already ours: nothing to do
        assert_eq!(waits, 0);

        // The same configured name in another database of the server is another lock.
        if let Some(other) = TestDb::create() {
            let mut o = other.connect_with(&opts);
            o.lock(&mut || panic!("blocked by another database's lock"))
                .unwrap();
            o.unlock().unwrap();
        }

        let t0 = Instant::now();
        let e = b.lock(&mut || waits += 1).unwrap_err();
        let waited = t0.elapsed();
        assert_eq!(waits, 1, "`waiting` is called once");
        assert!(e.lock_timeout, "{e}");
        assert!(waited >= Duration::from_millis(300), "{waited:?}");
        assert!(waited < Duration::from_secs(3), "{waited:?}");
        for part in ["300ms", &name, "IS_USED_LOCK(", "connection id"] {
            assert!(e.message.contains(part), "{part} in {e}");
        }

        a.unlock().unwrap();
        a.unlock().unwrap(); // not held: nothing to do
        waits = 0;
        b.lock(&mut || waits += 1).unwrap();
        assert_eq!(waits, 0);

        // A waiter gets the lock as soon as it is released (GET_LOCK with a wait).
        let long = ConnectOptions {
            lock_timeout: Duration::from_secs(5),
            ..opts.clone()
        };
        let mut c = db.connect_with(&long);
        let waiter = std::thread::spawn(move || {
            let mut waits = 0;
            let t0 = Instant::now();
            let result = c.lock(&mut || waits += 1);
            (result, waits, t0.elapsed(), c)
        });
        std::thread::sleep(Duration::from_millis(200));
        b.unlock().unwrap();
        let (result, waits, waited, mut c) = waiter.join().unwrap();
        result.unwrap();
        assert_eq!(waits, 1);
        assert!(waited < Duration::from_secs(3), "{waited:?}");
        c.unlock().unwrap();
    }

    #[test]
    fn long_lock_names_are_hashed() {
        assert_eq!(lock_name("retort:retort_version"), "retort:retort_version");
        let long_a = format!("retort:{}a", "x".repeat(80));
        let long_b = format!("retort:{}b", "x".repeat(80));
        let (a, b) = (lock_name(&long_a), lock_name(&long_b));
        assert!(
            a.len() <= MAX_LOCK_NAME && b.len() <= MAX_LOCK_NAME,
            "{a} {b}"
        );
        assert!(a.starts_with("retort:xxx"), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, lock_name(&long_a));
        let wide = lock_name(&"é".repeat(40));
        assert!(wide.len() <= MAX_LOCK_NAME, "{wide}");

        let Some(db) = TestDb::create() else { return };
        let opts = ConnectOptions {
            lock_name: long_a,
            ..ConnectOptions::default()
        };
        let mut c = db.connect_with(&opts);
        assert!(c.lock_name().len() <= MAX_LOCK_NAME, "{}", c.lock_name());
        c.lock(&mut || {}).unwrap();
        c.unlock().unwrap();
    }

    #[test]
    fn connects_over_the_unix_socket() {
        let Some(db) = TestDb::create() else { return };
        let rows = db.connect().query("SELECT @@socket", &[]).unwrap();
        let socket = rows[0][0].as_str().unwrap_or("").to_string();
        if socket.is_empty() || !std::path::Path::new(&socket).exists() {
            eprintln!("skipping: the server's socket `{socket}` is not on this machine");
            return;
        }
        let url = with_option(&db.url, &format!("socket={socket}"));
        let mut c = MysqlConnection::connect(
            &DatabaseUrl::parse(&url).unwrap(),
            &ConnectOptions::default(),
        )
        .unwrap();
        // Over a socket the server sees the client as `localhost`, never `ip:port`.
        let rows = c
            .query(
                "SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()",
                &[],
            )
            .unwrap();
        assert_eq!(rows, vec![vec![text("localhost")]]);

        let e = connect_err(
            &with_option(&db.url, "socket=/nonexistent/mysqld.sock"),
            &ConnectOptions::default(),
        );
        assert!(e.message.contains("socket /nonexistent/mysqld.sock"), "{e}");
        assert!(e.message.contains("@@socket"), "{e}");
    }

    #[test]
    fn wrong_password_and_missing_database_hide_the_password() {
        let Some(db) = TestDb::create() else { return };
        let mut admin = admin().unwrap();
        let user = TestUser(format!("retort_u_{}", hex_id()));
        let missing = format!("retort_mydrv_missing_{}", hex_id());
        admin
            .query_drop(format!(
                "CREATE USER '{}'@'%' IDENTIFIED BY 'p@ss:w/rd%1 ok'",
                user.0
            ))
            .unwrap();
        for name in [&db.name, &missing] {
            admin
                .query_drop(format!("GRANT ALL ON `{name}`.* TO '{}'@'%'", user.0))
                .unwrap();
        }
        let s = server();
        let url = |password: &str, db: &str| {
            format!("mysql://{}:{password}@{}:{}/{db}", user.0, s.host, s.port)
        };
        let opts = ConnectOptions::default();

        // The right password, percent-encoded, works.
        let ok = url("p%40ss%3Aw%2Frd%251%20ok", &db.name);
        let mut c = MysqlConnection::connect(&DatabaseUrl::parse(&ok).unwrap(), &opts).unwrap();
        let rows = c.query("SELECT CURRENT_USER()", &[]).unwrap();
        assert!(
            rows[0][0].as_str().unwrap().starts_with(&user.0),
            "{rows:?}"
        );

        let e = connect_err(&url("Wr0ngPassw0rd", &db.name), &opts);
        assert!(e.message.contains("Access denied"), "{e}");
        assert!(
            e.message.contains("(MySQL error 1045, SQLSTATE 28000)"),
            "{e}"
        );
        assert!(e.message.contains("password"), "{e}");
        assert!(!e.message.contains("Wr0ngPassw0rd"), "{e}");

        let e = connect_err(&url("p%40ss%3Aw%2Frd%251%20ok", &missing), &opts);
        assert!(
            e.message.contains(&format!("Unknown database '{missing}'")),
            "{e}"
        );
        assert!(e.message.contains("(MySQL error 1049"), "{e}");
        assert!(e.message.contains("CREATE DATABASE"), "{e}");
        assert!(
            !e.message.contains("p@ss") && !e.message.contains("p%40ss"),
            "{e}"
        );
    }

    #[test]
    fn unreachable_server_is_named_without_the_password() {
        let e = connect_err(
            "mysql://root:Sekr3tPass@127.0.0.1:1/db",
            &ConnectOptions::default(),
        );
        assert!(e.message.contains("127.0.0.1:1"), "{e}");
        assert!(e.message.contains("is the server running"), "{e}");
        assert!(!e.message.contains("Sekr3tPass"), "{e}");
    }

    #[test]
    fn connect_timeout_covers_a_silent_server() {
        // Accepts TCP connections (the kernel does) but never sends the server greeting.
        let silent = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let url = format!("mysql://root:Sekr3tPass@127.0.0.1:{port}/db");
        let opts = ConnectOptions {
            connect_timeout: Duration::from_millis(300),
            ..ConnectOptions::default()
        };
        let t0 = Instant::now();
        let e = connect_err(&url, &opts);
        assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
        assert!(e.message.contains("within 300ms"), "{e}");
        assert!(e.message.contains(&format!("127.0.0.1:{port}")), "{e}");
        assert!(!e.message.contains("Sekr3tPass"), "{e}");
        // The URL's option wins over the connect options.
        let t0 = Instant::now();
        let e = connect_err(
            &format!("{url}?connect_timeout=0.2"),
            &ConnectOptions::default(),
        );
        assert!(t0.elapsed() < Duration::from_secs(3), "{:?}", t0.elapsed());
        assert!(e.message.contains("within 200ms"), "{e}");
    }

    #[test]
    fn mariadb_scheme() {
        let Some(db) = TestDb::create() else { return };
        let (_, rest) = db.url.split_once("://").unwrap();
        let url = DatabaseUrl::parse(&format!("mariadb://{rest}")).unwrap();
        let mut c = MysqlConnection::connect(&url, &ConnectOptions::default()).unwrap();
        assert_eq!(c.dialect(), Dialect::Mysql);
        assert_eq!(
            c.query("SELECT DATABASE()", &[]).unwrap(),
            vec![vec![text(&db.name)]]
        );
    }

    #[test]
    fn parses_urls() {
        let t = Target::parse("mysql://app:p%40ss%3Aw@db.example.com:3307/my%2Ddb").unwrap();
        assert_eq!(t.user.as_deref(), Some("app"));
        assert_eq!(t.password.as_deref(), Some("p@ss:w"));
        assert_eq!((t.host.as_str(), t.port), ("db.example.com", 3307));
        assert_eq!(t.database, "my-db");
        assert!(!format!("{t:?}").contains("p@ss"));

        let t = Target::parse("MariaDB://root@[::1]/app?connect_timeout=2.5").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("[::1]", 3306));
        assert_eq!(t.password, None);
        assert_eq!(t.connect_timeout, Some(Duration::from_millis(2500)));

        let t = Target::parse("mysql:///app?socket=%2Frun%2Fmysqld%2Fmysqld.sock").unwrap();
        assert_eq!(t.socket.as_deref(), Some("/run/mysqld/mysqld.sock"));
        assert_eq!((t.user.as_deref(), t.host.as_str()), (None, "localhost"));
        assert_eq!(t.place(), "socket /run/mysqld/mysqld.sock");

        // Unencoded `/`, `?`, `#` and `@` in a password: the user info ends at the last `@`.
        let t = Target::parse("mysql://u:pa/ss?#@x@h:3307/app?connect_timeout=1").unwrap();
        assert_eq!(t.password.as_deref(), Some("pa/ss?#@x"));
        assert_eq!(
            (t.host.as_str(), t.port, t.database.as_str()),
            ("h", 3307, "app")
        );

        let t = Target::parse("mysql://u:@h/app/").unwrap();
        assert_eq!(
            (t.password.as_deref(), t.database.as_str()),
            (Some(""), "app")
        );
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
            let e = Target::parse(url).unwrap_err();
            assert!(e.message.contains(wanted), "{url}: {e}");
            assert!(!e.message.contains("Sekr3tPass"), "{url}: {e}");
        }
        let url = DatabaseUrl::parse("mysql://u:Sekr3t/Pass@h:port/db").unwrap();
        let e = MysqlConnection::check_url(&url).unwrap_err();
        assert!(e.message.contains("invalid port `port`"), "{e}");
        assert!(
            !e.message.contains("Sekr3t") && !e.message.contains("Pass"),
            "{e}"
        );
        let url = DatabaseUrl::parse("mariadb://u:p@h/db?socket=/s.sock").unwrap();
        MysqlConnection::check_url(&url).unwrap();
        // Through the public constructor too, before any network access.
        let e = connect_err(
            "mysql://root@127.0.0.1:1/db?bogus=1",
            &ConnectOptions::default(),
        );
        assert!(e.message.contains("`bogus`"), "{e}");
    }
}
