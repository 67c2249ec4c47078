//! MySQL's and MariaDB's SQL.

use super::SqlDialect;

pub struct Mysql;

impl SqlDialect for Mysql {
    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }
    fn placeholder(&self, _n: usize) -> String {
        "?".to_string()
    }
    /// Backslashes escape in MySQL strings (unless NO_BACKSLASH_ESCAPES), so double them.
    fn literal(&self, text: &str) -> String {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
    }
    fn log_id_column(&self) -> &'static str {
        "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY"
    }
    fn begin_statement(&self) -> &'static str {
        "START TRANSACTION"
    }
    fn now_rfc3339(&self) -> &'static str {
        "DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H:%i:%sZ')"
    }
}
