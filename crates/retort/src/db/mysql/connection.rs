//! The MySQL/MariaDB session behind the [`Connection`] trait: statements, values, the
//! `GET_LOCK` lock, and `KILL QUERY` for a stop request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mysql_async::consts::ColumnType;
use mysql_async::prelude::{Protocol, Queryable};
use mysql_async::{Column, Conn, QueryResult, Row};
use sha2::{Digest, Sha256};
use tokio::runtime::Runtime;

use super::connect::{handshake, open, runtime};
use super::errors::{describe, error};
use super::options::MysqlOptions;
use crate::db::url::scrub;
use crate::db::{BatchError, Cancel, Connection, DbError, Value};
use crate::dialect::Dialect;

/// The longest lock name MySQL 5.7+ accepts (`GET_LOCK` fails with error 3057 beyond it;
/// MariaDB has no such limit, but one rule for both keeps the name the same on either).
pub(super) const MAX_LOCK_NAME: usize = 64;

/// While waiting for the lock with less than a second left, how often to ask again
/// (`GET_LOCK` is only given whole seconds: MySQL and MariaDB differ on fractions).
pub(super) const LOCK_POLL: Duration = Duration::from_millis(25);

/// A migration statement up to this size travels in one query with retort's statements
/// before it ([`Connection::run_batch_then`]); a longer one is sent on its own, so that
/// retort's few hundred bytes can never push it past the server's `max_allowed_packet`.
pub(super) const MAX_MERGED_STATEMENT: usize = 64 * 1024;

/// A session on a MySQL or MariaDB server, with its database selected.
pub struct MysqlConnection {
    /// The private runtime every request is awaited on.
    pub(super) runtime: Runtime,
    /// Always `Some` until [`MysqlConnection::into_inner`] takes it (or `Drop` closes it).
    pub(super) conn: Option<Conn>,
    pub(super) lock_name: String,
    pub(super) lock_timeout: Duration,
    pub(super) locked: bool,
    /// The database the session began in (the URL's, or the wrapped session's when it was
    /// handed over), before any migration could `USE` another: see `home_schema`.
    pub(super) home: Option<String>,
    /// `KILL QUERY` of this session from a second one, for a stop request.
    pub(super) cancel: Arc<KillQuery>,
}

/// MySQL's way to stop another session's statement: `KILL QUERY <id>` sent from a new
/// connection to the same server.
pub(super) struct KillQuery {
    pub(super) server: Server,
    pub(super) session: u32,
    pub(super) timeout: Duration,
}

/// How to open the second session: from the URL retort connected with, or with the
/// options the application opened its own session with.
pub(super) enum Server {
    Url(MysqlOptions),
    Opts(mysql_async::Opts),
}

impl KillQuery {
    fn open_other(&self, runtime: &Runtime) -> Result<Conn, DbError> {
        match &self.server {
            Server::Url(target) => open(runtime, target, None, self.timeout),
            Server::Opts(opts) => {
                let timeout = self.timeout.max(Duration::from_millis(1));
                let failed = |why: String| {
                    DbError::new(scrub(
                        format!("cannot open a second session to send KILL QUERY: {why}"),
                        opts.pass(),
                    ))
                };
                match handshake(runtime, opts.clone(), timeout) {
                    Some(result) => result.map_err(|e| failed(describe(&e))),
                    None => Err(failed(format!(
                        "no answer from the server within {}",
                        crate::db::human_duration(timeout)
                    ))),
                }
            }
        }
    }
}

impl Cancel for KillQuery {
    /// Runs on the thread asking to stop, with a runtime of its own: the session's is
    /// busy awaiting the statement being stopped.
    fn cancel(&self) -> Result<(), DbError> {
        let runtime = runtime("a stop request")?;
        let mut other = self.open_other(&runtime)?;
        runtime.block_on(async {
            let killed = other
                .query_drop(format!("KILL QUERY {}", self.session))
                .await
                .map_err(error);
            let _ = other.disconnect().await;
            killed
        })
    }
}

impl MysqlConnection {
    /// The underlying connection, for applications that migrate and then keep using it.
    pub fn inner_mut(&mut self) -> &mut Conn {
        match &mut self.conn {
            Some(conn) => conn,
            None => unreachable!("the session is only taken by into_inner and drop"),
        }
    }

    /// Gives the session back to the application once its migrations ran. The migrator
    /// releases its lock at the end of every run; a lock still held (taken through
    /// [`Connection::lock`] by hand and never released) is released here, so the
    /// application's session never keeps retort's lock.
    pub fn into_inner(mut self) -> Conn {
        if self.locked {
            let _ = self.unlock();
        }
        match self.conn.take() {
            Some(conn) => conn,
            None => unreachable!("the session is only taken by into_inner and drop"),
        }
    }

    /// The runtime and the session, to await a request on.
    pub(super) fn session(&mut self) -> Blocking<'_> {
        Blocking {
            runtime: &self.runtime,
            conn: match &mut self.conn {
                Some(conn) => conn,
                None => unreachable!("the session is only taken by into_inner and drop"),
            },
        }
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
            crate::db::human_duration(self.lock_timeout),
            self.lock_name,
        ));
        e.lock_timeout = true;
        e
    }
}

/// Closes the session politely (`COM_QUIT`), as a blocking driver would on drop; the
/// driver alone can only do that from inside a runtime.
impl Drop for MysqlConnection {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let _ = self.runtime.block_on(conn.disconnect());
        }
    }
}

/// A session and the runtime its requests are awaited on.
pub(super) struct Blocking<'a> {
    pub(super) runtime: &'a Runtime,
    pub(super) conn: &'a mut Conn,
}

impl Connection for MysqlConnection {
    /// Known when the session was opened or handed over: no round trip per run.
    fn home_schema(&mut self) -> Result<Option<String>, DbError> {
        Ok(self.home.clone())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    /// Sends the statement as is (text protocol), so procedure and trigger bodies,
    /// `PREPARE`/`EXECUTE` and statements returning rows all work. Every result set is
    /// read to the end: an error raised after the first one (a `SIGNAL` in a procedure
    /// that selected first) is reported, not dropped.
    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        let s = self.session();
        s.runtime.block_on(async {
            let result = s.conn.query_iter(sql).await.map_err(error)?;
            result.drop_result().await.map_err(error)
        })
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
        let ours_len = ours.len();
        let s = self.session();
        s.runtime.block_on(async move {
            // An error in the first result comes from `query_iter` itself.
            let mut result = s
                .conn
                .query_iter(sql)
                .await
                .map_err(|e| BatchError::Ours(error(e)))?;
            // The driver keeps a later statement's error as that statement's result, and
            // returns it when that result is read: result `index` is statement `index`'s.
            let mut index = 0;
            loop {
                if let Err(e) = result.collect::<Row>().await {
                    return Err(if index < ours_len {
                        BatchError::Ours(error(e))
                    } else {
                        BatchError::Statement(error(e))
                    });
                }
                if result.is_empty() {
                    break;
                }
                index += 1;
            }
            // A statement's error right after the last result read may be left pending
            // (the driver then no longer reports more results): it is the next one's.
            result.drop_result().await.map_err(|e| {
                if index + 1 < ours_len {
                    BatchError::Ours(error(e))
                } else {
                    BatchError::Statement(error(e))
                }
            })
        })
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let s = self.session();
        s.runtime.block_on(async {
            if params.is_empty() {
                let result = s.conn.query_iter(sql).await.map_err(error)?;
                let n = result.affected_rows();
                result.drop_result().await.map_err(error)?;
                Ok(n)
            } else {
                let result = s
                    .conn
                    .exec_iter(sql, to_params(params))
                    .await
                    .map_err(error)?;
                let n = result.affected_rows();
                result.drop_result().await.map_err(error)?;
                Ok(n)
            }
        })
    }

    /// Rows of the first result set. Without parameters the text protocol is used (any
    /// statement works); with them, a prepared statement (cached by the driver).
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let s = self.session();
        s.runtime.block_on(async {
            if params.is_empty() {
                let result = s.conn.query_iter(sql).await.map_err(error)?;
                collect(result).await
            } else {
                let result = s
                    .conn
                    .exec_iter(sql, to_params(params))
                    .await
                    .map_err(error)?;
                collect(result).await
            }
        })
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
        // Only a release the server answered clears the mark: after a failed one the
        // session may still hold the lock, and `into_inner` (or a retry) must try again.
        let rows = self.query(
            "SELECT RELEASE_LOCK(?)",
            &[Value::Text(self.lock_name.clone())],
        )?;
        self.locked = false;
        match rows.first().and_then(|r| r.first()).and_then(Value::as_i64) {
            Some(1) => Ok(()),
            _ => Err(DbError::new(format!(
                "the migration lock `{}` was no longer held by this session when releasing it",
                self.lock_name
            ))),
        }
    }

    fn canceller(&self) -> Option<Arc<dyn Cancel>> {
        Some(self.cancel.clone())
    }

    fn lock_is_per_transaction(&self) -> bool {
        false
    }

    fn transactional_ddl(&self) -> bool {
        false
    }

    /// The current database, read with a fixed number of `information_schema` queries
    /// (`inspect`).
    fn inspect(&mut self, exclude: &[&str]) -> Result<crate::schema::Schema, DbError> {
        super::inspect::inspect(&mut self.session(), exclude)
    }
}

pub(super) fn to_params(values: &[Value]) -> mysql_async::Params {
    mysql_async::Params::Positional(
        values
            .iter()
            .map(|v| match v {
                Value::Null => mysql_async::Value::NULL,
                Value::Int(i) => mysql_async::Value::Int(*i),
                Value::Text(s) => mysql_async::Value::Bytes(s.clone().into_bytes()),
            })
            .collect(),
    )
}

/// The rows of the first result set; the others are read (and their errors reported).
pub(super) async fn collect<T: Protocol>(
    mut result: QueryResult<'_, 'static, T>,
) -> Result<Vec<Vec<Value>>, DbError> {
    let rows: Vec<Row> = result.collect().await.map_err(error)?;
    result.drop_result().await.map_err(error)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let columns = row.columns();
        let values = row.unwrap();
        out.push(
            values
                .into_iter()
                .zip(columns.iter())
                .map(|(v, c)| from_mysql(v, c))
                .collect::<Result<_, _>>()?,
        );
    }
    Ok(out)
}

pub(super) fn is_integer(t: ColumnType) -> bool {
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

/// Integers become `Int` (from either protocol), text and bytes `Text` (lossy UTF-8): what
/// the version table, the audit log and the lock functions hold. The text protocol sends
/// every other type as text too; from the binary protocol (a query with parameters) other
/// types are refused with the cast that reads them.
pub(super) fn from_mysql(v: mysql_async::Value, column: &Column) -> Result<Value, DbError> {
    match v {
        mysql_async::Value::NULL => Ok(Value::Null),
        mysql_async::Value::Int(i) => Ok(Value::Int(i)),
        mysql_async::Value::UInt(u) => Ok(i64::try_from(u)
            .map(Value::Int)
            .unwrap_or_else(|_| Value::Text(u.to_string()))),
        mysql_async::Value::Bytes(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            Ok(match text.parse::<i64>() {
                Ok(i) if is_integer(column.column_type()) => Value::Int(i),
                _ => Value::Text(text),
            })
        }
        _ => Err(DbError::new(format!(
            "retort cannot read values of column `{}` ({:?}); cast it to text in the query (CAST(column AS CHAR))",
            column.name_str(),
            column.column_type()
        ))),
    }
}

/// MySQL refuses lock names over 64 characters; longer names keep a readable prefix and
/// end in a hash of the whole name, so two long names still get two locks.
pub(super) fn lock_name(name: &str) -> String {
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
