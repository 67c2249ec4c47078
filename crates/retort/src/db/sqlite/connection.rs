//! The SQLite database behind the [`Connection`] trait: statements, borrowed row values,
//! the write transaction as the lock, and the interrupt for a stop request.

use std::time::Duration;

use rusqlite::types::ValueRef as SqlValue;

use super::errors::err;
use crate::db::{Cancel, Connection, DbError, Value, ValueRef};
use crate::dialect::Dialect;

/// A SQLite database file (or `:memory:`).
pub struct SqliteConnection {
    pub(super) conn: rusqlite::Connection,
    pub(super) lock_timeout: Duration,
}

impl SqliteConnection {
    /// The underlying connection, for applications that migrate and then keep using it.
    pub fn inner(&self) -> &rusqlite::Connection {
        &self.conn
    }

    /// Gives the connection back to the application once its migrations ran. Nothing of
    /// retort's stays open on it: the migrator ends every run with its transaction closed.
    /// The busy timeout stays the lock timeout; set another one if the application wants.
    pub fn into_inner(self) -> rusqlite::Connection {
        self.conn
    }
}

fn to_sql(values: &[Value]) -> Vec<rusqlite::types::Value> {
    values
        .iter()
        .map(|v| match v {
            Value::Null => rusqlite::types::Value::Null,
            Value::Int(i) => rusqlite::types::Value::Integer(*i),
            Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
        })
        .collect()
}

impl Connection for SqliteConnection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn inspect(&mut self, exclude: &[&str]) -> Result<crate::schema::Schema, DbError> {
        super::inspect::inspect(&self.conn, exclude)
    }

    fn run(&mut self, sql: &str) -> Result<(), DbError> {
        let mut stmt = self.conn.prepare(sql).map_err(err)?;
        let mut rows = stmt.raw_query();
        while rows.next().map_err(err)?.is_some() {}
        Ok(())
    }

    fn run_batch(&mut self, statements: &[String]) -> Result<(), DbError> {
        self.conn
            .execute_batch(&statements.join(";\n"))
            .map_err(err)
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let n = self
            .conn
            .execute(sql, rusqlite::params_from_iter(to_sql(params)))
            .map_err(err)?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>, DbError> {
        let mut out = Vec::new();
        self.query_each(sql, params, &mut |row| {
            out.push(row.iter().map(ValueRef::to_value).collect());
        })?;
        Ok(out)
    }

    fn query_each(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&[ValueRef<'_>]),
    ) -> Result<(), DbError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(err)?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(to_sql(params)))
            .map_err(err)?;
        // One vector for every row: each row's values borrow from it, so the vector is
        // handed from row to row empty (`recycle`).
        let mut spare: Vec<ValueRef<'static>> = Vec::with_capacity(width);
        while let Some(row) = rows.next().map_err(err)? {
            let mut values = recycle(std::mem::take(&mut spare));
            for i in 0..width {
                values.push(match row.get_ref(i).map_err(err)? {
                    SqlValue::Null => ValueRef::Null,
                    SqlValue::Integer(n) => ValueRef::Int(n),
                    SqlValue::Real(f) => ValueRef::Text(f.to_string().into()),
                    // The strict check first: the lossy one is several times slower
                    // on the valid text it nearly always sees.
                    SqlValue::Text(t) | SqlValue::Blob(t) => {
                        ValueRef::Text(match std::str::from_utf8(t) {
                            Ok(text) => text.into(),
                            Err(_) => String::from_utf8_lossy(t),
                        })
                    }
                });
            }
            each(&values);
            spare = recycle(values);
        }
        Ok(())
    }

    fn begin(&mut self) -> Result<(), DbError> {
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(err)
    }

    fn rollback(&mut self) -> Result<(), DbError> {
        if self.conn.is_autocommit() {
            return Ok(());
        }
        self.conn.execute_batch("ROLLBACK").map_err(err)
    }

    /// A lookup in the parsed schema's hash table (a query of `sqlite_master` scans every
    /// row of the schema: thousands for a large one). Like any name in SQL, `name` matches
    /// regardless of case.
    fn table_exists(&mut self, name: &str) -> Result<bool, DbError> {
        self.conn.table_exists(Some("main"), name).map_err(err)
    }

    /// SQLite's lock is a write transaction (see [`Connection::lock_is_per_transaction`]):
    /// this opens one and leaves it open for the migrator's first unit of work. It asks
    /// without waiting first, so that a process that has to wait says so.
    fn lock(&mut self, waiting: &mut dyn FnMut()) -> Result<(), DbError> {
        self.conn.busy_timeout(Duration::ZERO).map_err(err)?;
        let probe = self.conn.execute_batch("BEGIN IMMEDIATE");
        self.conn.busy_timeout(self.lock_timeout).map_err(err)?;
        match probe.map_err(err) {
            Ok(()) => Ok(()),
            Err(e) if e.lock_timeout => {
                waiting();
                self.conn.execute_batch("BEGIN IMMEDIATE").map_err(err)
            }
            Err(e) => Err(e),
        }
    }

    fn unlock(&mut self) -> Result<(), DbError> {
        self.rollback()
    }

    fn commit_counter(&mut self) -> Result<Option<i64>, DbError> {
        self.conn
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map(Some)
            .map_err(err)
    }

    fn lock_is_per_transaction(&self) -> bool {
        true
    }

    fn canceller(&self) -> Option<std::sync::Arc<dyn Cancel>> {
        Some(std::sync::Arc::new(Interrupt(
            self.conn.get_interrupt_handle(),
        )))
    }

    fn transactional_ddl(&self) -> bool {
        true
    }
}

/// SQLite's way to stop a running statement: it returns `SQLITE_INTERRUPT` and its
/// transaction can be rolled back.
struct Interrupt(rusqlite::InterruptHandle);

impl Cancel for Interrupt {
    fn cancel(&self) -> Result<(), DbError> {
        self.0.interrupt();
        Ok(())
    }
}

/// `values` emptied, its allocation kept for values of another lifetime (the standard
/// library collects a mapped vector in place when the element layout is the same).
fn recycle<'b>(mut values: Vec<ValueRef<'_>>) -> Vec<ValueRef<'b>> {
    values.clear();
    values.into_iter().map(|_| ValueRef::Null).collect()
}
