//! How a run that failed ends: the message and its hints on stderr, and with `--json` the
//! same as one JSON object on stdout (DESIGN.md: a script reading stdout gets a document
//! either way), with the exit code of the error's kind.

use std::process::ExitCode;

use retort::{Error, ErrorKind};
use serde_json::json;

use crate::hints;
use crate::note;
use crate::output::{paint, DIM, RED};

/// Reports `e` and gives the exit code: 2 for bad input, 3 for a failed run.
pub fn fail(e: &Error, as_json: bool) -> ExitCode {
    let code = match e.kind() {
        ErrorKind::Input => 2,
        // Runtime, and any kind a newer library adds: the database or the run failed.
        _ => 3,
    };
    let hints = hints::hints(e);
    // stderr keeps the human text with --json too: a log of the run reads the same.
    note!("{} {e}", paint(RED, "error:"));
    for hint in &hints {
        note!("{} {hint}", paint(DIM, "hint:"));
    }
    if as_json {
        let (file, line) = e.location();
        print(json!({
            "error": {
                "kind": kind(e),
                "message": e.to_string(),
                "file": file,
                "line": line,
                "exit_code": code,
                "hints": hints,
            }
        }));
    }
    ExitCode::from(code)
}

/// A command line clap refused: its own text on stderr, and with `--json` the error as
/// data too. Help and version requests are not errors and print as clap prints them.
pub fn bad_usage(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    let asked_json = std::env::args_os().skip(1).any(|a| a == "--json");
    if !asked_json
        || matches!(
            e.kind(),
            K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand
        )
    {
        e.exit();
    }
    let _ = e.print();
    let text = e.to_string();
    let message = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .to_string();
    print(json!({
        "error": {
            "kind": "usage",
            "message": message,
            "file": null,
            "line": null,
            "exit_code": 2,
            "hints": ["`retort --help` lists the commands and options"],
        }
    }));
    ExitCode::from(2)
}

fn print(value: serde_json::Value) {
    crate::output::json(&value);
}

/// The error's variant as a stable word, for scripts to branch on.
fn kind(e: &Error) -> &'static str {
    match e {
        Error::Config(_) => "config",
        Error::Script(_) => "script",
        Error::Graph { .. } => "graph",
        Error::Target(_) => "target",
        Error::Connect { .. } => "connect",
        Error::Database { .. } => "database",
        Error::MigrationFailed(_) => "migration_failed",
        Error::ChecksumMismatch(_) => "checksum_mismatch",
        Error::MissingOnDisk { .. } => "missing_on_disk",
        Error::Irreversible { .. } => "irreversible",
        Error::Interrupted(_) => "interrupted",
        Error::Stopped(_) => "stopped",
        Error::ConcurrentChange { .. } => "concurrent_change",
        Error::Io { .. } => "io",
        Error::NoMigrationsDir { .. } => "no_migrations_dir",
        Error::Usage(_) => "usage",
        _ => "error",
    }
}
