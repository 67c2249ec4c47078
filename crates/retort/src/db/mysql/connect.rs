//! Opening a session from parsed options, the whole handshake within the connect timeout.

use std::sync::{mpsc, Arc};
use std::time::Duration;

use super::connection::{lock_name, KillQuery, MysqlConnection, Server};
use super::errors::{connect_error, connect_timeout_error};
use super::options::{MysqlOptions, SslMode};
use crate::db::{ConnectOptions, Connection, DbError};

impl MysqlConnection {
    /// Connects to the database a `mysql://` or `mariadb://` URL named (see
    /// [`MysqlOptions`]); the URL's `connect_timeout` overrides `opts.connect_timeout`.
    pub fn connect(
        target: &MysqlOptions,
        opts: &ConnectOptions,
    ) -> Result<MysqlConnection, DbError> {
        let timeout = target.connect_timeout.unwrap_or(opts.connect_timeout);
        let conn = open(target, Some(&target.database), timeout)?;
        let cancel = Arc::new(KillQuery {
            session: conn.connection_id(),
            server: Server::Url(target.clone()),
            timeout,
        });
        Ok(MysqlConnection {
            conn,
            cancel,
            lock_name: database_lock_name(opts, &target.database),
            lock_timeout: opts.lock_timeout,
            locked: false,
        })
    }

    /// Wraps a session the application opened itself, so its migrations run without a
    /// second login. The session's current database (`SELECT DATABASE()`, asked here) is
    /// the one migrated and names the lock, as with [`MysqlConnection::connect`]; a session
    /// with no database selected is refused.
    ///
    /// `server` is what the session was opened with (mysql 28's `Conn` does not hand its
    /// own back): a stop request sends `KILL QUERY` from a second session opened with it,
    /// within `opts.connect_timeout`. [`MysqlConnection::into_inner`] gives the session back.
    ///
    /// ```no_run
    /// use retort::db::MysqlConnection;
    /// use retort::{Migrator, Project, Target};
    ///
    /// let project = Project::from_dir("migrations")?;
    /// let server = mysql::Opts::from_url("mysql://app:secret@127.0.0.1:3306/shop")?;
    /// let app = mysql::Conn::new(server.clone())?;
    /// let mut conn = MysqlConnection::from_conn(app, server, &project.config.connect_options())?;
    /// Migrator::new(&project, &mut conn).upgrade(&"head".parse::<Target>()?, &mut |_| {})?;
    /// let app = conn.into_inner();
    /// # drop(app);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_conn(
        conn: mysql::Conn,
        server: mysql::Opts,
        opts: &ConnectOptions,
    ) -> Result<MysqlConnection, DbError> {
        let cancel = Arc::new(KillQuery {
            session: conn.connection_id(),
            server: Server::Opts(server),
            timeout: opts.connect_timeout,
        });
        let mut wrapped = MysqlConnection {
            conn,
            cancel,
            lock_name: String::new(),
            lock_timeout: opts.lock_timeout,
            locked: false,
        };
        let rows = wrapped.query("SELECT DATABASE()", &[])?;
        let database = rows
            .first()
            .and_then(|row| row.first())
            .and_then(|value| value.as_str().map(str::to_string))
            .ok_or_else(|| {
                DbError::new(
                    "the session has no database selected: select the one to migrate \
                     (a database name in its `mysql::Opts`, or `USE db`) before handing it \
                     to retort",
                )
            })?;
        wrapped.lock_name = database_lock_name(opts, &database);
        Ok(wrapped)
    }
}

/// `GET_LOCK` names are server-wide (PostgreSQL's advisory locks are per database): without
/// the database in the name, projects in different databases of one server would wait for
/// each other.
fn database_lock_name(opts: &ConnectOptions, database: &str) -> String {
    lock_name(&format!("{}@{database}", opts.lock_name))
}

/// Opens a session. `Conn::new` runs on a helper thread so that the timeout covers the
/// whole handshake (a port that accepts but never answers too), not only the TCP connect;
/// after it, no read timeout applies (a migration may legitimately run for hours).
pub(super) fn open(
    target: &MysqlOptions,
    database: Option<&str>,
    timeout: Duration,
) -> Result<mysql::Conn, DbError> {
    let timeout = timeout.max(Duration::from_millis(1));
    let base = mysql::OptsBuilder::new()
        .ip_or_hostname(Some(target.host.clone()))
        .tcp_port(target.port)
        .socket(target.socket.clone())
        .user(target.user.clone())
        .pass(target.password.clone())
        .db_name(database.map(str::to_string))
        // Connect where the URL says: no silent switch to the server's unix socket.
        .prefer_socket(false)
        .tcp_connect_timeout(Some(timeout));
    let tls = ssl_opts(target);
    let with_tls = tls.is_some();
    let result = match handshake(base.clone().ssl_opts(tls).into(), timeout)? {
        // PREFERRED, as MySQL's clients define it: plain when the server offers no TLS.
        Some(Err(mysql::Error::DriverError(mysql::DriverError::TlsNotSupported)))
            if with_tls && target.ssl_mode == SslMode::Preferred =>
        {
            handshake(base.into(), timeout)?
        }
        other => other,
    };
    match result {
        Some(result) => result.map_err(|e| connect_error(target, database, timeout, e)),
        None => Err(connect_timeout_error(target, timeout)),
    }
}

/// What `ssl-mode` asks of the driver. A unix socket is never encrypted (MySQL's clients
/// count it as a secure transport), whatever the mode.
fn ssl_opts(target: &MysqlOptions) -> Option<mysql::SslOpts> {
    if target.socket.is_some() {
        return None;
    }
    let opts = mysql::SslOpts::default().with_root_cert_path(target.ssl_ca.clone());
    match target.ssl_mode {
        SslMode::Disabled => None,
        // Encrypted, the certificate unchecked (as MySQL's clients do in these modes).
        SslMode::Preferred | SslMode::Required => Some(opts.with_danger_accept_invalid_certs(true)),
        SslMode::VerifyCa => Some(opts.with_danger_skip_domain_validation(true)),
        SslMode::VerifyIdentity => Some(opts),
    }
}

/// `Conn::new` on a helper thread, so that `timeout` bounds the whole handshake; `None`
/// when no answer came in time (the thread is left to finish or fail on its own).
pub(super) fn handshake(
    opts: mysql::Opts,
    timeout: Duration,
) -> Result<Option<mysql::Result<mysql::Conn>>, DbError> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("retort-mysql-connect".into())
        .spawn(move || {
            let _ = tx.send(mysql::Conn::new(opts));
        })
        .map_err(|e| DbError::new(format!("cannot start a thread to connect: {e}")))?;
    match rx.recv_timeout(timeout) {
        Ok(result) => Ok(Some(result)),
        Err(mpsc::RecvTimeoutError::Timeout) => Ok(None),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(DbError::new(
            "the connecting thread stopped without an answer",
        )),
    }
}
