//! What the migrator reports while it works. The library never draws anything: the CLI
//! turns these into lines and progress bars, an application into log records.

use std::path::Path;
use std::time::Duration;

use crate::script::Direction;

/// One thing that happened during a run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event<'a> {
    /// Another process holds the migration lock; this one is waiting for it.
    LockWaiting { timeout: Duration },
    /// The plan is known: `total` migrations will run in `direction`.
    Planned { direction: Direction, total: usize },
    /// A migration is about to run (`index` counts from 1).
    Started {
        index: usize,
        total: usize,
        direction: Direction,
        revision: &'a str,
        message: &'a str,
        path: &'a Path,
    },
    /// A statement of a migration is about to run: `number` of `count` in its section,
    /// at `line` of the migration's file. Built from what the run holds anyway, so a
    /// caller that ignores it pays for nothing else.
    Statement {
        revision: &'a str,
        path: &'a Path,
        line: usize,
        number: usize,
        count: usize,
        sql: &'a str,
    },
    /// A migration completed and was recorded.
    Finished {
        index: usize,
        total: usize,
        direction: Direction,
        revision: &'a str,
        message: &'a str,
        elapsed: Duration,
    },
    /// A planned migration was found already applied (or already reverted) by another
    /// process after taking the lock, and skipped.
    Skipped { revision: &'a str },
    /// `stamp` recorded (`added`) or removed a version row without running anything.
    Stamped { revision: &'a str, added: bool },
    /// Something about a planned migration worth a look before it runs (an up section
    /// without a statement, an empty down section under one that changes the schema);
    /// the run goes on.
    Warning {
        revision: &'a str,
        path: &'a Path,
        message: &'a str,
    },
}
