//! Per-dialect SQL: the one place that knows how SQLite, PostgreSQL and MySQL differ
//! in quoting, version-table DDL and locking.

use std::fmt;

/// The database families retort speaks. MariaDB is `Mysql`: the wire protocol and the SQL
/// retort emits are the same, and a migration's `-- migrate:up mysql` section serves both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    Sqlite,
    Postgres,
    Mysql,
}

/// The section/config names and the common aliases users type, in any case.
impl std::str::FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(name: &str) -> Result<Dialect, UnknownDialect> {
        const NAMES: [(&str, Dialect); 7] = [
            ("sqlite", Dialect::Sqlite),
            ("sqlite3", Dialect::Sqlite),
            ("postgresql", Dialect::Postgres),
            ("postgres", Dialect::Postgres),
            ("pg", Dialect::Postgres),
            ("mysql", Dialect::Mysql),
            ("mariadb", Dialect::Mysql),
        ];
        NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, d)| *d)
            .ok_or_else(|| UnknownDialect(name.to_string()))
    }
}

/// A dialect name that is none of those [`Dialect`] accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown dialect `{}`; expected sqlite, postgresql or mysql",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

impl Dialect {
    /// Every dialect, in the order reports list them.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// The name used in section markers (`-- migrate:up postgresql`) and in config.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgresql",
            Dialect::Mysql => "mysql",
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) mod mysql;
mod postgres;
mod sqlite;

/// The SQL that differs per dialect. One implementation per file; the migrator, history
/// and offline renderer are written once against this trait.
pub trait SqlDialect {
    /// Quotes an identifier (table or column name).
    fn quote_ident(&self, name: &str) -> String;
    /// The `n`th (1-based) bind parameter.
    fn placeholder(&self, n: usize) -> String;
    /// A string literal, escaped for this dialect.
    fn literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\'', "''"))
    }
    /// Type of the audit log's id column, with its key and auto-numbering.
    fn log_id_column(&self) -> &'static str;
    /// The statement that opens a transaction in a script.
    fn begin_statement(&self) -> &'static str {
        "BEGIN"
    }
    /// An expression giving the current UTC time as RFC 3339 text (`2026-11-22T10:30:00Z`),
    /// for offline scripts, which record when they ran, not when they were written.
    fn now_rfc3339(&self) -> &'static str;
    /// A text column for a whole migration section (MySQL's TEXT stops at 64 KiB).
    fn long_text_type(&self) -> &'static str {
        "TEXT"
    }
    /// A query giving how many of `columns` `table` of the current schema has: how an
    /// older version table is recognised, in one round trip.
    fn column_count_sql(&self, table: &str, columns: &[&str]) -> String;

    /// `'a', 'b'`: the literals of a SQL `IN` list.
    fn literal_list(&self, texts: &[&str]) -> String {
        texts
            .iter()
            .map(|t| self.literal(t))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The columns of the version table added since its first release, with what each holds:
/// a table made by an older retort gets them, once, the first time a command writes.
pub const RECORDED_TEXT_COLUMNS: [&str; 2] = ["up_sql", "down_sql"];

impl Dialect {
    /// This dialect's SQL rules.
    pub fn sql(self) -> &'static dyn SqlDialect {
        match self {
            Dialect::Sqlite => &sqlite::Sqlite,
            Dialect::Postgres => &postgres::Postgres,
            Dialect::Mysql => &mysql::Mysql,
        }
    }

    /// `CREATE TABLE IF NOT EXISTS` for the version table and the audit log.
    /// The statement that adds `column` (one of [`RECORDED_TEXT_COLUMNS`]) to a version
    /// table made before it existed.
    pub fn add_text_column(self, version_table: &str, column: &str) -> String {
        let d = self.sql();
        format!(
            "ALTER TABLE {} ADD COLUMN {} {}",
            d.quote_ident(version_table),
            d.quote_ident(column),
            d.long_text_type()
        )
    }

    pub fn version_table_ddl(self, version_table: &str, log_table: &str) -> [String; 2] {
        let d = self.sql();
        let by = d.quote_ident("by");
        [
            format!(
                "CREATE TABLE IF NOT EXISTS {} (\n    revision VARCHAR(64) NOT NULL PRIMARY KEY,\n    checksum VARCHAR(64) NOT NULL,\n    applied_at VARCHAR(40) NOT NULL,\n    applied_by VARCHAR(255) NOT NULL,\n    execution_ms BIGINT NOT NULL,\n    state VARCHAR(16) NOT NULL,\n    up_sql {text},\n    down_sql {text}\n)",
                d.quote_ident(version_table),
                text = d.long_text_type()
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS {} (\n    id {},\n    revision VARCHAR(64) NOT NULL,\n    action VARCHAR(16) NOT NULL,\n    at VARCHAR(40) NOT NULL,\n    {by} VARCHAR(255) NOT NULL,\n    execution_ms BIGINT,\n    tool_version VARCHAR(32) NOT NULL\n)",
                d.quote_ident(log_table),
                d.log_id_column()
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for d in Dialect::ALL {
            assert_eq!(d.name().parse::<Dialect>(), Ok(d));
        }
        assert_eq!("MariaDB".parse::<Dialect>(), Ok(Dialect::Mysql));
        assert_eq!(
            "oracle".parse::<Dialect>(),
            Err(UnknownDialect("oracle".into()))
        );
    }

    #[test]
    fn quoting_and_literals() {
        assert_eq!(Dialect::Sqlite.sql().quote_ident("by"), "\"by\"");
        assert_eq!(Dialect::Postgres.sql().quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(Dialect::Mysql.sql().quote_ident("by"), "`by`");
        assert_eq!(Dialect::Sqlite.sql().literal("it's"), "'it''s'");
        assert_eq!(Dialect::Mysql.sql().literal("it's"), "'it''s'");
        assert_eq!(Dialect::Mysql.sql().literal("D\\u"), "X'445C75'");
        assert_eq!(Dialect::Postgres.sql().placeholder(2), "$2");
        assert_eq!(Dialect::Mysql.sql().placeholder(2), "?");
        assert_eq!(Dialect::Sqlite.sql().placeholder(2), "?2");
    }
}
