//! An application that brings its database up to date before it serves anything.
//!
//!     cargo run -p retort --example migrate_at_startup -- examples/quickstart
//!
//! It reads the project's retort.toml (DATABASE_URL and .env apply as for the CLI),
//! applies every pending migration, and prints what the database is at. A failure stops
//! the program before it starts serving with a schema it does not expect.

use std::path::PathBuf;
use std::process::ExitCode;

use retort::migrator::Event;
use retort::{Config, LoadOptions, Migrator, Project, Target};

fn main() -> ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    match migrate(dir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("migration failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn migrate(dir: PathBuf) -> Result<(), retort::Error> {
    let config = Config::load(&LoadOptions {
        start_dir: dir,
        ..LoadOptions::default()
    })?;
    let project = Project::load(config)?;
    let mut conn = retort::connect(&project)?;
    let mut migrator = Migrator::new(&project, conn.as_mut());
    let report = migrator.upgrade(&Target::Head, &mut |event| {
        if let Event::Finished {
            revision,
            message,
            elapsed,
            ..
        } = event
        {
            println!("applied {revision} {message} in {elapsed:?}");
        }
    })?;
    let state = migrator.state()?;
    let current = project.graph.current_heads(&state.applied);
    println!(
        "{} migration(s) applied now; database at {}",
        report.revisions.len(),
        project.graph.ids(&current).join(", ")
    );
    Ok(())
}
