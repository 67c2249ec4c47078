//! Opening a session from parsed options, the whole handshake within the connect timeout.

use std::sync::{mpsc, Arc};
use std::time::Duration;

use super::connection::{lock_name, KillQuery, MysqlConnection};
use super::errors::{connect_error, connect_timeout_error};
use super::options::MysqlOptions;
use crate::db::{ConnectOptions, DbError};

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
