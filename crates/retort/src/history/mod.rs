//! The version table (which revisions are applied, with their checksums) and the
//! append-only audit log. All SQL here goes through [`crate::dialect::SqlDialect`].

mod rows;
mod state;

pub use rows::{VersionRow, VersionRows};
pub use state::RowState;

use crate::db::{Connection, DbError, Value, ValueRef};
use crate::dialect::{Dialect, RECORDED_TEXT_COLUMNS};

pub use crate::version::TOOL_VERSION;

/// One row of the version table, whole: what is written, and what `current --verbose`
/// shows. Commands start from [`VersionRows`], which leave out when, by whom and how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRow {
    pub revision: String,
    pub checksum: String,
    pub applied_at: String,
    pub applied_by: String,
    pub execution_ms: i64,
    pub state: RowState,
    /// The text of what ran: the migration's up section on this database, as it was when
    /// it ran, and the down section of that same file (`None`: the file had none, or the
    /// row was stamped, or written by a retort from before texts were kept). The database
    /// then knows what was applied, whatever became of the file.
    pub texts: Option<RecordedText>,
}

/// The sections a version row keeps (see [`AppliedRow::texts`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedText {
    pub up: String,
    pub down: Option<String>,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub id: i64,
    pub revision: String,
    pub action: String,
    pub at: String,
    pub by: String,
    pub execution_ms: Option<i64>,
    pub tool_version: String,
}

/// What an audit-log row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Upgrade,
    Downgrade,
    Stamp,
    Unstamp,
    Repair,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Upgrade => "upgrade",
            Action::Downgrade => "downgrade",
            Action::Stamp => "stamp",
            Action::Unstamp => "unstamp",
            Action::Repair => "repair",
        }
    }
}

/// The two tables of one project on one dialect.
#[derive(Debug, Clone)]
pub struct History {
    pub dialect: Dialect,
    pub version_table: String,
    pub log_table: String,
    /// The schema (or MySQL database) the statements name the tables in; `None`: the
    /// session's current one (SQLite, offline scripts).
    pub schema: Option<String>,
}

impl History {
    pub fn new(dialect: Dialect, version_table: &str, log_table: &str) -> History {
        History {
            dialect,
            version_table: version_table.to_string(),
            log_table: log_table.to_string(),
            schema: None,
        }
    }

    /// The same tables named in `schema` (see [`crate::Connection::home_schema`]).
    pub fn in_schema(mut self, schema: Option<String>) -> History {
        self.schema = schema;
        self
    }

    fn qualified(&self, table: &str) -> String {
        let d = self.dialect.sql();
        match &self.schema {
            Some(schema) => format!("{}.{}", d.quote_ident(schema), d.quote_ident(table)),
            None => d.quote_ident(table),
        }
    }

    fn vt(&self) -> String {
        self.qualified(&self.version_table)
    }

    fn lt(&self) -> String {
        self.qualified(&self.log_table)
    }

    /// Creates both tables if missing, and adds the columns a table made by an older
    /// retort lacks (commands that write call this, under the lock; readers don't).
    pub fn ensure(&self, conn: &mut dyn Connection) -> Result<(), DbError> {
        for ddl in self
            .dialect
            .version_table_ddl(&self.version_table, &self.log_table)
        {
            conn.run(&ddl)?;
        }
        // One question in the usual case; column by column only for an older table (on
        // MySQL each ALTER commits alone, so an interrupted upgrade may have added one).
        if self.columns_present(conn, &RECORDED_TEXT_COLUMNS)? < RECORDED_TEXT_COLUMNS.len() {
            for column in RECORDED_TEXT_COLUMNS {
                if self.columns_present(conn, &[column])? == 0 {
                    conn.run(&self.dialect.add_text_column(&self.version_table, column))?;
                }
            }
        }
        Ok(())
    }

    /// How many of `columns` the version table has.
    fn columns_present(
        &self,
        conn: &mut dyn Connection,
        columns: &[&str],
    ) -> Result<usize, DbError> {
        let sql = self
            .dialect
            .sql()
            .column_count_sql(&self.version_table, columns);
        let count = conn.query_value(&sql, &[])?.and_then(|v| v.as_i64());
        Ok(count.and_then(|n| usize::try_from(n).ok()).unwrap_or(0))
    }

    /// What ran of `revision`, as its version row keeps it: `None` when it has no row, or
    /// when the row keeps no text (stamped, or applied by a retort from before texts were
    /// kept, or the table is that old). Read-only: an old table is not changed.
    pub fn recorded_text(
        &self,
        conn: &mut dyn Connection,
        revision: &str,
    ) -> Result<Option<RecordedText>, DbError> {
        if !conn.table_exists(&self.version_table)?
            || self.columns_present(conn, &RECORDED_TEXT_COLUMNS)? < RECORDED_TEXT_COLUMNS.len()
        {
            return Ok(None);
        }
        let sql = format!(
            "SELECT up_sql, down_sql FROM {} WHERE revision = {}",
            self.vt(),
            self.dialect.sql().placeholder(1)
        );
        let rows = conn.query(&sql, &[Value::Text(revision.into())])?;
        Ok(rows.first().and_then(|r| {
            let up = r.first().and_then(Value::as_str)?.to_string();
            let down = r.get(1).and_then(Value::as_str).map(str::to_string);
            Some(RecordedText { up, down })
        }))
    }

    /// Every version row (revision, checksum, state), or none when the table does not
    /// exist yet.
    pub fn read(&self, conn: &mut dyn Connection) -> Result<VersionRows, DbError> {
        let as_of = conn.commit_counter()?;
        let mut rows = if conn.table_exists(&self.version_table)? {
            self.read_existing(conn)?
        } else {
            VersionRows::new()
        };
        rows.as_of = as_of;
        Ok(rows)
    }

    /// Every version row of a table known to exist (just created if it was missing), without
    /// asking the catalog first.
    pub(crate) fn read_existing(&self, conn: &mut dyn Connection) -> Result<VersionRows, DbError> {
        let mut rows = VersionRows::new();
        rows.as_of = conn.commit_counter()?;
        conn.query_each(
            &format!("SELECT revision, checksum, state FROM {}", self.vt()),
            &[],
            &mut |values| {
                let text = |i: usize| values.get(i).and_then(ValueRef::as_str).unwrap_or("");
                rows.push(text(0), text(1), text(2));
            },
        )?;
        Ok(rows)
    }

    /// The whole row of one revision, if it has one.
    pub fn row(
        &self,
        conn: &mut dyn Connection,
        revision: &str,
    ) -> Result<Option<AppliedRow>, DbError> {
        let sql = format!(
            "SELECT revision, checksum, applied_at, applied_by, execution_ms, state FROM {} WHERE revision = {}",
            self.vt(),
            self.dialect.sql().placeholder(1)
        );
        let rows = conn.query(&sql, &[Value::Text(revision.into())])?;
        Ok(rows.first().map(|r| applied_row(r)))
    }

    pub(crate) fn insert(
        &self,
        conn: &mut dyn Connection,
        row: &AppliedRow,
    ) -> Result<(), DbError> {
        conn.run(&self.insert_sql(row, When::At(&row.applied_at)))
    }

    /// Sets a row's state (`running` before a non-transactional migration, `applied` after
    /// it) and its run time.
    pub(crate) fn set_state(
        &self,
        conn: &mut dyn Connection,
        revision: &str,
        state: RowState,
        execution_ms: i64,
    ) -> Result<(), DbError> {
        conn.run(&self.set_state_sql(revision, state, execution_ms))
    }

    pub(crate) fn delete(&self, conn: &mut dyn Connection, revision: &str) -> Result<(), DbError> {
        conn.run(&self.delete_sql(revision))
    }

    pub(crate) fn set_checksum(
        &self,
        conn: &mut dyn Connection,
        revision: &str,
        checksum: &str,
    ) -> Result<(), DbError> {
        let d = self.dialect.sql();
        let sql = format!(
            "UPDATE {} SET checksum = {} WHERE revision = {}",
            self.vt(),
            d.placeholder(1),
            d.placeholder(2)
        );
        conn.execute(
            &sql,
            &[Value::Text(checksum.into()), Value::Text(revision.into())],
        )?;
        Ok(())
    }

    /// Replaces the recorded down section of a row that keeps texts (`repair`: the file's
    /// down section is now how to revert what the row says is applied).
    pub(crate) fn set_recorded_down(
        &self,
        conn: &mut dyn Connection,
        revision: &str,
        down: Option<&str>,
    ) -> Result<(), DbError> {
        let d = self.dialect.sql();
        let sql = format!(
            "UPDATE {} SET down_sql = {} WHERE revision = {} AND up_sql IS NOT NULL",
            self.vt(),
            d.placeholder(1),
            d.placeholder(2)
        );
        let down = down.map_or(Value::Null, |t| Value::Text(t.into()));
        conn.execute(&sql, &[down, Value::Text(revision.into())])?;
        Ok(())
    }

    /// Appends one audit-log row.
    pub(crate) fn log(
        &self,
        conn: &mut dyn Connection,
        revision: &str,
        action: Action,
        at: &str,
        by: &str,
        execution_ms: Option<i64>,
    ) -> Result<(), DbError> {
        conn.run(&self.log_sql(revision, action, by, execution_ms, When::At(at)))
    }

    /// The audit log, oldest first (empty when the table does not exist).
    pub fn read_log(&self, conn: &mut dyn Connection) -> Result<Vec<LogRow>, DbError> {
        if !conn.table_exists(&self.log_table)? {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT id, revision, action, at, {}, execution_ms, tool_version FROM {} ORDER BY id",
            self.dialect.sql().quote_ident("by"),
            self.lt()
        );
        Ok(conn
            .query(&sql, &[])?
            .into_iter()
            .map(|r| {
                let text = |i: usize| text_at(&r, i);
                LogRow {
                    id: r.first().and_then(Value::as_i64).unwrap_or(0),
                    revision: text(1),
                    action: text(2),
                    at: text(3),
                    by: text(4),
                    execution_ms: r.get(5).and_then(Value::as_i64),
                    tool_version: text(6),
                }
            })
            .collect())
    }

    /// The INSERT of a version row as one literal statement: offline scripts, and online
    /// runs, which send it in one round trip with the audit row and the COMMIT.
    pub(crate) fn insert_sql(&self, row: &AppliedRow, when: When<'_>) -> String {
        let d = self.dialect.sql();
        let mut columns =
            "revision, checksum, applied_at, applied_by, execution_ms, state".to_string();
        let mut values = format!(
            "{}, {}, {}, {}, {}, {}",
            d.literal(&row.revision),
            d.literal(&row.checksum),
            when.sql(self.dialect),
            d.literal(&row.applied_by),
            row.execution_ms,
            d.literal(&row.state.to_string())
        );
        // Without texts the columns are left out, so that an offline script also loads
        // into a version table made by an older retort.
        if let Some(texts) = &row.texts {
            columns.push_str(", up_sql, down_sql");
            values.push_str(&format!(
                ", {}, {}",
                d.literal(&texts.up),
                texts
                    .down
                    .as_deref()
                    .map_or_else(|| "NULL".to_string(), |t| d.literal(t))
            ));
        }
        format!("INSERT INTO {} ({columns}) VALUES ({values})", self.vt())
    }

    /// The UPDATE that sets a row's state and run time, as one literal statement.
    pub(crate) fn set_state_sql(
        &self,
        revision: &str,
        state: RowState,
        execution_ms: i64,
    ) -> String {
        let d = self.dialect.sql();
        format!(
            "UPDATE {} SET state = {}, execution_ms = {execution_ms} WHERE revision = {}",
            self.vt(),
            d.literal(&state.to_string()),
            d.literal(revision)
        )
    }

    /// The DELETE of a version row as one literal statement.
    pub(crate) fn delete_sql(&self, revision: &str) -> String {
        format!(
            "DELETE FROM {} WHERE revision = {}",
            self.vt(),
            self.dialect.sql().literal(revision)
        )
    }

    /// Sets the time of `revision`'s version row once the commit that recorded it is over
    /// and the whole time is known (see `Migrator::run_step`). Its audit-log row keeps the
    /// time measured before that commit: the log is only ever appended to.
    pub(crate) fn set_time_sql(&self, revision: &str, execution_ms: i64) -> String {
        format!(
            "UPDATE {} SET execution_ms = {execution_ms} WHERE revision = {}",
            self.vt(),
            self.dialect.sql().literal(revision)
        )
    }

    /// The INSERT of an audit-log row as one literal statement.
    pub(crate) fn log_sql(
        &self,
        revision: &str,
        action: Action,
        by: &str,
        execution_ms: Option<i64>,
        when: When<'_>,
    ) -> String {
        let d = self.dialect.sql();
        format!(
            "INSERT INTO {} (revision, action, at, {}, execution_ms, tool_version) VALUES ({}, {}, {}, {}, {}, {})",
            self.lt(),
            d.quote_ident("by"),
            d.literal(revision),
            d.literal(action.name()),
            when.sql(self.dialect),
            d.literal(by),
            execution_ms.map_or_else(|| "NULL".to_string(), |ms| ms.to_string()),
            d.literal(TOOL_VERSION)
        )
    }
}

/// The time a literal statement records.
#[derive(Debug, Clone, Copy)]
pub(crate) enum When<'a> {
    /// The database's clock when the statement runs (offline scripts run later).
    Now,
    /// A time already known (RFC 3339).
    At(&'a str),
}

impl When<'_> {
    fn sql(self, dialect: Dialect) -> String {
        match self {
            When::Now => dialect.sql().now_rfc3339().to_string(),
            When::At(t) => dialect.sql().literal(t),
        }
    }
}

/// Column `i` of a row as text (empty when it is not text).
fn text_at(row: &[Value], i: usize) -> String {
    row.get(i).and_then(Value::as_str).unwrap_or("").to_string()
}

fn applied_row(r: &[Value]) -> AppliedRow {
    let execution_ms = r.get(4).and_then(Value::as_i64).unwrap_or(0);
    let text = |i: usize| text_at(r, i);
    AppliedRow {
        revision: text(0),
        checksum: text(1),
        applied_at: text(2),
        applied_by: text(3),
        execution_ms,
        // Text retort never writes counts as applied, as everywhere else.
        state: RowState::parse(&text(5)).unwrap_or(RowState::Applied),
        // Read on their own (`History::recorded_text`): most commands never need them.
        texts: None,
    }
}

/// Who is applying: `RETORT_ACTOR` when set (CI systems set it to the pipeline or the
/// person who approved the deploy), otherwise `user@host`.
pub(crate) fn actor() -> String {
    if let Ok(a) = std::env::var("RETORT_ACTOR") {
        if !a.trim().is_empty() {
            return a;
        }
    }
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.is_empty())
        .or_else(user_from_passwd)
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host}")
}

/// The login name of this process's user from /etc/passwd (containers often run without
/// USER set), on Linux.
fn user_from_passwd() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_string())
    })
}

/// The current UTC time as RFC 3339 with second precision.
pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
