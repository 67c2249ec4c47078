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
