//! MySQL's and MariaDB's SQL.

use super::SqlDialect;

pub struct Mysql;

/// Whether `name` is `prefix` followed by a number: a name the server made up for a
/// constraint the DDL left unnamed (`orders_ibfk_1`, `CONSTRAINT_1`, `orders_chk_1`).
/// The introspection reads such a name as none; what makes a key again leaves it out.
pub(crate) fn numbered(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

impl SqlDialect for Mysql {
    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }
    fn placeholder(&self, _n: usize) -> String {
        "?".to_string()
    }
    /// A backslash means different things depending on the server's NO_BACKSLASH_ESCAPES
    /// mode, so text holding one is written as a hex literal, which both modes read alike.
    fn literal(&self, text: &str) -> String {
        if text.contains('\\') {
            let hex: String = text.bytes().map(|b| format!("{b:02X}")).collect();
            format!("X'{hex}'")
        } else {
            format!("'{}'", text.replace('\'', "''"))
        }
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
    fn long_text_type(&self) -> &'static str {
        "LONGTEXT"
    }
    fn column_count_sql(&self, table: &str, columns: &[&str]) -> String {
        format!(
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = {} AND column_name IN ({})",
            self.literal(table),
            self.literal_list(columns)
        )
    }
}
