//! An application that carries its migrations inside its binary and runs them at start-up
//! over the database connection it then goes on using: no retort.toml, no migrations
//! folder next to the binary, no second connection.
//!
//! The migrations are the quickstart example's (examples/quickstart/migrations), compiled
//! in with `include_str!`. Run it with `cargo run -p retort --example embedded` (an
//! in-memory database), or give a database file as the argument: a second run then finds
//! everything applied.

#[cfg(feature = "sqlite")]
mod app {
    use retort::db::SqliteConnection;
    use retort::{Event, Migrator, Project, Target};

    /// A migration file of the quickstart project, as `(file name, text)`.
    macro_rules! migration {
        ($name:literal) => {
            (
                $name,
                include_str!(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../examples/quickstart/migrations/",
                    $name
                )),
            )
        };
    }

    const MIGRATIONS: [(&str, &str); 8] = [
        migration!("2026_11_20_0900-5f1c0a9e2b71_create_users.sql"),
        migration!("2026_11_20_0915-8c3d47e1f0a2_create_repositories.sql"),
        migration!("2026_11_20_0930-1b9e6f3c5d84_create_scans.sql"),
        migration!("2026_11_20_0945-d27a8b4e9c10_create_vulnerabilities.sql"),
        migration!("2026_11_20_1000-6ea05c2d7b39_create_pull_requests.sql"),
        migration!("2026_11_21_1100-a4f7e2c91d05_index_lookups.sql"),
        migration!("2026_11_22_0830-3c8d1f6a0e57_add_severity_rank.sql"),
        migration!("2026_11_22_0845-e91b5a7d2c36_backfill_severity_rank.sql"),
    ];

    /// Brings the schema up to date over `db`, and hands `db` back.
    fn migrate(
        db: rusqlite::Connection,
    ) -> Result<rusqlite::Connection, Box<dyn std::error::Error>> {
        let project = Project::from_memory(MIGRATIONS)?;
        let mut conn = SqliteConnection::from_rusqlite(db, &project.config.connect_options())?;
        let head: Target = "head".parse()?;
        let report = Migrator::new(&project, &mut conn).upgrade(&head, &mut |event| {
            // An application logs these its own way; the library itself never prints.
            if let Event::Finished {
                revision, message, ..
            } = event
            {
                println!("applied {revision} ({message})");
            }
        })?;
        if report.revisions.is_empty() {
            println!("the schema is up to date");
        }
        Ok(conn.into_inner())
    }

    pub fn main() -> Result<(), Box<dyn std::error::Error>> {
        let db = match std::env::args_os().nth(1) {
            Some(path) => rusqlite::Connection::open(path)?,
            None => rusqlite::Connection::open_in_memory()?,
        };
        let db = migrate(db)?;

        // The application's own work, on the same connection.
        db.execute(
            "INSERT OR IGNORE INTO users (email, name) VALUES (?1, ?2)",
            ("ada@example.com", "Ada"),
        )?;
        let users: i64 = db.query_row("SELECT COUNT(*) FROM users", [], |row| row.get(0))?;
        println!("{users} user(s) in the database");
        Ok(())
    }
}

#[cfg(feature = "sqlite")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    app::main()
}

#[cfg(not(feature = "sqlite"))]
fn main() {
    eprintln!("this example needs retort's `sqlite` feature");
}
