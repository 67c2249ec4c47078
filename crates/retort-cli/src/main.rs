//! The `retort` binary: parses arguments, runs one command through the library, draws
//! its events, and maps errors to exit codes (DESIGN.md: 0 ok, 1 a check found
//! something, 2 bad usage or input, 3 database or runtime error).

mod args;
mod commands;
mod context;
mod output;
mod signals;

use std::process::ExitCode;

use clap::Parser;
use retort::ErrorKind;

use args::Cli;
use output::{paint, RED};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stop = retort::Stop::new();
    let signal = signals::watch(stop.clone());
    let ctx = match context::Context::new(cli.global, stop) {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e),
    };
    let code = match commands::run(&ctx, cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) => fail(&e),
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

fn fail(e: &retort::Error) -> ExitCode {
    note!("{} {e}", paint(RED, "error:"));
    ExitCode::from(match e.kind() {
        ErrorKind::Input => 2,
        ErrorKind::Runtime => 3,
    })
}
