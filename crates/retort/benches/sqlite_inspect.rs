//! `cargo bench -p retort --bench sqlite_inspect`: introspection of a SQLite database of
//! 100, 500 and 1,000 tables (each with 10 columns, a primary key, 2 indexes and a foreign
//! key), the shape issue 16's benchmark uses, beside the time of the same pragmas read bare
//! (every column, no filter, no order: the least SQLite itself can spend), so that the cost
//! of ordering, normalizing and building the model shows.
//!
//! A plain timing loop (no criterion), as in `startup.rs`; no time is asserted.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Median of `runs` timings of `f`.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    samples.sort();
    samples[runs / 2]
}

/// An in-memory database of `n` tables; each but the first references the one before.
fn database(n: usize) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
    let mut ddl = String::from("BEGIN;\n");
    for i in 0..n {
        let fk = if i == 0 {
            String::new()
        } else {
            format!(
                ",\n  FOREIGN KEY (parent_id) REFERENCES t{} (id) ON DELETE CASCADE",
                i - 1
            )
        };
        ddl.push_str(&format!(
            "CREATE TABLE t{i} (\n  id INTEGER PRIMARY KEY,\n  parent_id INTEGER,\n  \
             name VARCHAR(100) NOT NULL,\n  email TEXT,\n  score REAL DEFAULT 0,\n  \
             active BOOLEAN NOT NULL DEFAULT 1,\n  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n  \
             note TEXT,\n  amount NUMERIC(10, 2),\n  code CHAR(8){fk}\n);\n\
             CREATE INDEX t{i}_name ON t{i} (name);\n\
             CREATE UNIQUE INDEX t{i}_email ON t{i} (email);\n"
        ));
    }
    ddl.push_str("COMMIT;\n");
    conn.execute_batch(&ddl)
        .expect("the benchmark's schema loads");
    conn
}

/// The catalog queries' rows, read and dropped: what SQLite spends without the model.
fn catalog_only(conn: &rusqlite::Connection) -> usize {
    const QUERIES: &[&str] = &[
        "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main'",
        "SELECT type, name, sql FROM main.sqlite_master",
        "SELECT m.name, c.* FROM main.sqlite_master AS m JOIN pragma_table_xinfo(m.name) AS c WHERE m.type = 'table'",
        "SELECT m.name, il.name, x.* FROM main.sqlite_master AS m JOIN pragma_index_list(m.name) AS il JOIN pragma_index_xinfo(il.name) AS x WHERE m.type = 'table'",
        "SELECT m.name, il.* FROM main.sqlite_master AS m JOIN pragma_index_list(m.name) AS il WHERE m.type = 'table'",
        "SELECT m.name, f.* FROM main.sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table'",
    ];
    let mut rows = 0;
    for sql in QUERIES {
        let mut stmt = conn.prepare(sql).expect("a catalog query");
        let mut r = stmt.query([]).expect("a catalog query runs");
        while r.next().expect("a catalog row").is_some() {
            rows += 1;
        }
    }
    rows
}

fn main() {
    println!("tables  catalog queries  inspect (model)");
    for n in [100, 500, 1_000] {
        let conn = database(n);
        let catalog = time(11, || catalog_only(&conn));
        let inspect = time(11, || {
            retort::db::inspect_sqlite(&conn, &[]).expect("the schema inspects")
        });
        println!("{n:>6}  {catalog:>15.2?}  {inspect:>15.2?}");
    }
}
