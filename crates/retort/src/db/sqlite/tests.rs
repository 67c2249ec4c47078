use super::*;
use crate::db::{ConnectOptions, Connection};

#[test]
fn table_exists_looks_in_the_main_schema_only() {
    let opts = ConnectOptions::default();
    let mut c = SqliteConnection::open(&SqliteLocation::Memory, &opts).unwrap();
    assert!(!c.table_exists("v").unwrap());
    c.run("CREATE TABLE v (id INTEGER)").unwrap();
    c.run("CREATE TEMP TABLE t (id INTEGER)").unwrap();
    assert!(c.table_exists("v").unwrap());
    assert!(
        c.table_exists("V").unwrap(),
        "names match regardless of case"
    );
    assert!(
        !c.table_exists("t").unwrap(),
        "a temporary table is not the schema's"
    );
}

/// A failing statement is shown once, by whoever names it: SQLite's message says what
/// and where, without quoting the statement again.
#[test]
fn a_syntax_error_says_where_without_repeating_the_statement() {
    let opts = ConnectOptions::default();
    let mut c = SqliteConnection::open(&SqliteLocation::Memory, &opts).unwrap();
    let e = c.run("CREATE TABLEE x (id int)").unwrap_err();
    assert_eq!(e.message, "near \"TABLEE\": syntax error (at character 8)");
    let e = c.run("SELECT 'é', nope(1) FROM").unwrap_err();
    assert!(!e.message.contains("SELECT"), "{}", e.message);
}
