//! The catalog queries, one per kind of object, each over the whole database
//! (`TABLE_SCHEMA = DATABASE()`, which both servers use to open only that database's
//! tables), never one per table. Where MySQL 8 and MariaDB differ, the text depends on
//! the [`Server`].

use super::Server;

/// The database selected and the server's version.
pub(super) const SERVER: &str = "SELECT DATABASE(), VERSION()";

/// Tables, views, sequences, and the options that matter: the default collation columns
/// are compared against, the comment, `partitioned`.
pub(super) const TABLES: &str = "SELECT TABLE_NAME, TABLE_TYPE, TABLE_COLLATION, TABLE_COMMENT, \
     CREATE_OPTIONS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()";

/// Views' definitions (a join with `TABLES` would cost more than this query).
pub(super) const VIEWS: &str = "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS \
     WHERE TABLE_SCHEMA = DATABASE()";

/// Columns of every table and view, with their position (put in order by the caller:
/// cheaper than `ORDER BY` on the server). `EXTRA` carries auto-increment, generated
/// columns, ON UPDATE, invisibility and (MySQL) `DEFAULT_GENERATED`.
pub(super) const COLUMNS: &str = "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, \
     COLUMN_DEFAULT, EXTRA, GENERATION_EXPRESSION, COLLATION_NAME, COLUMN_COMMENT, \
     ORDINAL_POSITION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()";

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
         INDEX_TYPE, {expression}, {hidden}, SEQ_IN_INDEX \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
    )
}

/// Foreign keys' actions. Read apart from their columns and matched by the caller: a
/// join of the two views scans one for every row of the other (0.2 s on 1,000 keys on
/// MariaDB 10.11, against 0.02 s for both queries).
pub(super) const REFERENTIAL_CONSTRAINTS: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, \
     UPDATE_RULE, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS \
     WHERE CONSTRAINT_SCHEMA = DATABASE()";

/// Foreign keys' columns, one row per column, with its position in the key.
pub(super) const FOREIGN_KEY_COLUMNS: &str = "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, \
     REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME, ORDINAL_POSITION \
     FROM information_schema.KEY_COLUMN_USAGE \
     WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL";

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
