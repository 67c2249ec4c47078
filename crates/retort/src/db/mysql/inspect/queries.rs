//! The catalog queries, one per kind of object, each over the whole database
//! (`TABLE_SCHEMA = DATABASE()`, which both servers use to open only that database's
//! tables), never one per table. Where MySQL 8 and MariaDB differ, the text depends on
//! the [`Server`].

use super::Server;

/// The database selected and the server's version.
pub(super) const SERVER: &str = "SELECT DATABASE(), VERSION()";

/// Tables, views (with their definitions), sequences, and the options that matter:
/// the default collation columns are compared against, the comment, `partitioned`.
pub(super) const TABLES: &str = "SELECT t.TABLE_NAME, t.TABLE_TYPE, t.TABLE_COLLATION, \
     t.TABLE_COMMENT, t.CREATE_OPTIONS, v.VIEW_DEFINITION \
     FROM information_schema.TABLES t \
     LEFT JOIN information_schema.VIEWS v \
       ON v.TABLE_SCHEMA = DATABASE() AND v.TABLE_NAME = t.TABLE_NAME \
     WHERE t.TABLE_SCHEMA = DATABASE()";

/// Columns of every table and view, in each one's order. `EXTRA` carries auto-increment,
/// generated columns, ON UPDATE, invisibility and (MySQL) `DEFAULT_GENERATED`.
pub(super) const COLUMNS: &str = "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, \
     COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT \
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
     ORDER BY TABLE_NAME, ORDINAL_POSITION";

/// Every key part of every index (the primary key's and unique constraints' included:
/// MySQL makes no difference between a unique constraint and a unique index). MySQL
/// 8.0.13+ has functional key parts (`EXPRESSION`); MariaDB has none.
pub(super) fn statistics(server: &Server) -> String {
    let expression = if server.has_functional_indexes() {
        "EXPRESSION"
    } else {
        "NULL"
    };
    // An index the optimizer is told not to use (MySQL's INVISIBLE, MariaDB 10.6+'s
    // IGNORED) is still an index, but the model cannot say so: it is listed.
    let hidden = if server.mariadb && server.at_least(10, 6, 0) {
        "IGNORED = 'YES'"
    } else if !server.mariadb && server.at_least(8, 0, 0) {
        "IS_VISIBLE = 'NO'"
    } else {
        "0"
    };
    format!(
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, \
         INDEX_TYPE, {expression}, {hidden} \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
         ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
    )
}

/// Foreign keys, one row per column, with their actions.
pub(super) const FOREIGN_KEYS: &str = "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, \
     k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, \
     r.UPDATE_RULE, r.DELETE_RULE \
     FROM information_schema.KEY_COLUMN_USAGE k \
     JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
       ON r.CONSTRAINT_SCHEMA = DATABASE() AND r.TABLE_NAME = k.TABLE_NAME \
       AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
     WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
     ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";

/// CHECK constraints: table, name, clause, and on MariaDB whether the check was written
/// on a column (`LEVEL`, since 10.2.38/10.3.29/10.4.19/10.5.10). MariaDB names checks
/// per table and lists the table; MySQL names them per database and lists the table only
/// in `TABLE_CONSTRAINTS`. `None` where the server has no CHECK constraints (MySQL before
/// 8.0.16 parses and ignores them).
pub(super) fn checks(server: &Server) -> Option<String> {
    if server.mariadb {
        let level = if server.has_check_level() {
            "LEVEL"
        } else {
            "NULL"
        };
        Some(format!(
            "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE, {level} \
             FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
        ))
    } else if server.at_least(8, 0, 16) {
        Some(
            "SELECT tc.TABLE_NAME, tc.CONSTRAINT_NAME, cc.CHECK_CLAUSE, NULL \
             FROM information_schema.TABLE_CONSTRAINTS tc \
             JOIN information_schema.CHECK_CONSTRAINTS cc \
               ON cc.CONSTRAINT_SCHEMA = DATABASE() AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
             WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'"
                .to_owned(),
        )
    } else {
        None
    }
}

/// What retort does not manage, by kind and name.
pub(super) const UNMANAGED: &str =
    "SELECT 'trigger', TRIGGER_NAME FROM information_schema.TRIGGERS \
     WHERE TRIGGER_SCHEMA = DATABASE() \
     UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES \
     WHERE ROUTINE_SCHEMA = DATABASE() \
     UNION ALL SELECT 'event', EVENT_NAME FROM information_schema.EVENTS \
     WHERE EVENT_SCHEMA = DATABASE()";
