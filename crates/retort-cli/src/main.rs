//! The `retort` binary: parses arguments, runs one command through the library, draws
//! its events, and maps errors to exit codes (DESIGN.md: 0 ok, 1 a check found
//! something, 2 bad usage or input, 3 database or runtime error).

mod args;
mod commands;
mod context;
mod failure;
mod hints;
mod output;
mod signals;

use std::process::ExitCode;

use clap::Parser;

use args::Cli;
use failure::fail;
use output::{paint, RED};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return failure::bad_usage(e),
    };
    let json = cli.global.json;
    let stop = retort::Stop::new();
    let signal = signals::watch(stop.clone());
    let ctx = match context::Context::new(cli.global, stop) {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e, json),
    };
    let code = match commands::run(&ctx, cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => fail(&e, json),
    };
    // Stopped by a signal: its exit code (130, 143), whatever the run got to.
    match signal.exit_code() {
        Some(code) => {
            note!("{} received {}", paint(RED, "stopped:"), signal.name());
            ExitCode::from(code)
        }
        None => code,
    }
}

// Process-exit shortcuts, all here. A command runs once and the process ends with it, so
// what it loaded lives until the exit: the project (10,000 parsed migrations take longer
// to free one by one than the whole no-op command takes), the state read from the version
// table, the migrator that borrows them, and a SQLite connection (closing a database with
// 10,000 tables frees its parsed schema one object at a time). Nothing is pending when the
// process exits: every transaction has committed or rolled back by then, and an unfinished
// one is rolled back by SQLite's journal. Server connections are closed properly (the
// server would log an abrupt disconnect).

/// Keeps `value` for the rest of the process (or as long as what it borrows), never freed.
pub(crate) fn keep_until_exit<'a, T: 'a>(value: T) -> &'a mut T {
    Box::leak(Box::new(value))
}

/// Leaves `value` to the process exit instead of dropping it.
pub(crate) fn abandon_at_exit<T>(value: T) {
    std::mem::forget(value)
}
