//! SQLite's SQL.

use super::SqlDialect;

pub struct Sqlite;

impl SqlDialect for Sqlite {
    fn quote_ident(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
    fn placeholder(&self, n: usize) -> String {
        format!("?{n}")
    }
    fn log_id_column(&self) -> &'static str {
        "INTEGER PRIMARY KEY AUTOINCREMENT"
    }
    fn now_rfc3339(&self) -> &'static str {
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
    }
    fn column_count_sql(&self, table: &str, columns: &[&str]) -> String {
        format!(
            "SELECT COUNT(*) FROM pragma_table_info({}) WHERE name IN ({})",
            self.literal(table),
            self.literal_list(columns)
        )
    }
}
