//! The PostgreSQL session behind the [`Connection`] trait: statements, values, the
//! advisory lock, and the cancel request.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio::runtime::Runtime;
use tokio::task::JoinHandle;
use tokio_postgres::types::{FromSql, IsNull, Kind, ToSql, Type};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::errors::pg_err;
use crate::db::{Cancel, Connection, DbError, Value};
use crate::dialect::Dialect;

/// How often `lock` tries again while another session holds the lock.
pub(super) const LOCK_RETRY: Duration = Duration::from_millis(100);

/// A PostgreSQL session.
pub struct PostgresConnection {
    pub(super) runtime: Runtime,
    /// `None` only while dropping (or giving it back: `into_inner`).
    pub(super) client: Option<tokio_postgres::Client>,
    /// The task reading and writing the socket; it runs whenever `runtime.block_on` does.
    /// `None` for a client the application drives (`from_client`).
    pub(super) io_task: Option<JoinHandle<()>>,
    /// Why the server ended the session, when its last words reached the I/O task while
    /// no request was waiting (otherwise they answer the request, as a statement error).
    pub(super) closed_because: Arc<Mutex<Option<String>>>,
    pub(super) lock_key: i64,
    pub(super) lock_timeout: Duration,
    /// What `ensure_schema` creates: `ConnectOptions::schema`, else the first schema of a
    /// `search_path` given in the URL's `options`.
    pub(super) schema: Option<String>,
    /// Without `schema`: the server's `current_schema()` when first asked (see
    /// `home_schema`); `None` until then.
    pub(super) home: Option<Option<String>>,
    /// The session's cancel key, for a stop request from another thread.
    pub(super) cancel: Arc<CancelRequest>,
}

/// PostgreSQL's cancel request: a new connection (with the session's TLS settings) that
/// names the session by its key; the server then cancels the statement it is running.
pub(super) struct CancelRequest {
    pub(super) token: tokio_postgres::CancelToken,
    pub(super) tls: MakeRustlsConnect,
}

impl Cancel for CancelRequest {
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
// Connecting

/// The i64 key of the advisory lock: the first 8 bytes of SHA-256 of the lock name, so
/// every retort (and every version of it) agrees on the key for a name.
pub(super) fn lock_key(name: &str) -> i64 {
    let digest = Sha256::digest(name.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

impl PostgresConnection {
    /// The underlying client, for applications that migrate and then keep using it. Calls
    /// are async: run them with [`PostgresConnection::block_on`].
    pub fn client(&self) -> &tokio_postgres::Client {
        self.client.as_ref().expect("the client lives until drop")
    }

    /// Gives the client back to the application once its migrations ran (the migrator
    /// releases its advisory lock at the end of every run). This is for clients from
    /// [`PostgresConnection::from_client`], whose connection the application drives; one
    /// from [`PostgresConnection::connect`] comes back closed, since retort's own runtime
    /// drove its socket and stops here.
    pub fn into_inner(mut self) -> tokio_postgres::Client {
        if let Some(task) = self.io_task.take() {
            task.abort();
        }
        let client = self.client.take();
        client.expect("the client lives until drop")
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
                crate::db::human_duration(self.lock_timeout),
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

pub(super) fn quote(name: &str) -> String {
    Dialect::Postgres.sql().quote_ident(name)
}

// ---------------------------------------------------------------------------------------
// Values

pub(super) fn is_text_type(ty: &Type) -> bool {
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
pub(super) struct Cell(Value);

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

pub(super) type BoxError = Box<dyn StdError + Sync + Send>;

/// Integers as [`Value::Int`], text as [`Value::Text`], booleans as the server prints them
/// (`t`/`f`): what the version table, the audit log and the lock queries hold. Any other
/// type is refused with the cast that makes it text.
pub(super) fn read_cell(ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
    match *ty {
        Type::INT2 => return Ok(Value::Int(i16::from_sql(ty, raw)?.into())),
        Type::INT4 => return Ok(Value::Int(i32::from_sql(ty, raw)?.into())),
        Type::INT8 => return Ok(Value::Int(i64::from_sql(ty, raw)?)),
        Type::OID => return Ok(Value::Int(u32::from_sql(ty, raw)?.into())),
        Type::BOOL => {
            return Ok(Value::Text(
                if bool::from_sql(ty, raw)? { "t" } else { "f" }.into(),
            ))
        }
        _ => {}
    }
    match ty.kind() {
        Kind::Domain(base) => read_cell(base, raw),
        _ if <String as FromSql>::accepts(ty) => Ok(Value::Text(String::from_sql(ty, raw)?)),
        _ => Err(format!(
            "retort cannot read values of type {ty}; cast the column to text in the query (column::text)"
        )
        .into()),
    }
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

    fn canceller(&self) -> Option<Arc<dyn Cancel>> {
        Some(self.cancel.clone())
    }

    fn lock_is_per_transaction(&self) -> bool {
        false
    }

    fn transactional_ddl(&self) -> bool {
        true
    }

    /// The session's `current_schema()`, in six catalog queries (see `inspect`).
    fn inspect(&mut self, exclude: &[&str]) -> Result<crate::schema::Schema, DbError> {
        super::inspect::inspect(self, exclude).map_err(|e| self.fail(e))
    }

    fn ensure_schema(&mut self) -> Result<(), DbError> {
        match self.schema.clone() {
            Some(schema) => self.run(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote(&schema))),
            None => Ok(()),
        }
    }

    /// The configured schema, else the server's `current_schema()` (asked once; kept, so
    /// that a migration's `SET search_path` cannot change it).
    fn home_schema(&mut self) -> Result<Option<String>, DbError> {
        if self.schema.is_some() {
            return Ok(self.schema.clone());
        }
        if self.home.is_none() {
            let home = self.query_value("SELECT current_schema()::text", &[])?;
            self.home = Some(home.as_ref().and_then(Value::as_str).map(str::to_string));
        }
        Ok(self.home.clone().flatten())
    }
}
