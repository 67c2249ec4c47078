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
    /// `None` only while dropping.
    pub(super) client: Option<tokio_postgres::Client>,
    /// The task reading and writing the socket; it runs whenever `runtime.block_on` does.
    pub(super) io_task: Option<JoinHandle<()>>,
    /// Why the server ended the session, when its last words reached the I/O task while
    /// no request was waiting (otherwise they answer the request, as a statement error).
    pub(super) closed_because: Arc<Mutex<Option<String>>>,
    pub(super) lock_key: i64,
    pub(super) lock_timeout: Duration,
    /// What `ensure_schema` creates: `ConnectOptions::schema`, else the first schema of a
    /// `search_path` given in the URL's `options`.
    pub(super) schema: Option<String>,
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

/// Integers as [`Value::Int`]; text, and every other type retort can render, as text in the
/// form the server prints (`t`/`f`, `2026-11-22 10:30:00+00` in UTC, …).
pub(super) fn read_cell(ty: &Type, raw: &[u8]) -> Result<Value, BoxError> {
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
pub(super) fn float_special(f: f64) -> Option<String> {
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
pub(super) fn numeric_text(raw: &[u8]) -> Option<String> {
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

pub(super) fn uuid_text(raw: &[u8]) -> Option<String> {
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
pub(super) fn pg_epoch() -> jiff::civil::DateTime {
    jiff::civil::date(2000, 1, 1).at(0, 0, 0, 0)
}

pub(super) fn date_text(days: i32) -> Result<String, BoxError> {
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
pub(super) fn clock_text(micros_of_day: i64) -> String {
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

pub(super) fn time_text(micros: i64) -> String {
    clock_text(micros)
}

/// Timestamps as the server prints them with `DateStyle = ISO` (timestamptz in UTC, `+00`).
pub(super) fn timestamp_text(micros: i64, utc_offset: bool) -> Result<String, BoxError> {
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

    fn canceller(&self) -> Option<Arc<dyn Cancel>> {
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
