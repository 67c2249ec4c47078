//! The library's error type. Each variant carries what a message needs (file, line,
//! revision, both checksums…) so the CLI can render it and pick an exit code without
//! parsing strings.

use std::path::PathBuf;

use crate::config::ConfigError;
use crate::db::DbError;
use crate::graph::GraphError;
use crate::script::ScriptError;

/// Whether an error came from what the user gave (fix the input) or from running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Arguments, config, migration files: exit code 2.
    Input,
    /// Connection, SQL error, lock timeout, interrupted migration: exit code 3.
    Runtime,
}

/// An applied migration whose file no longer has the text that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumMismatch {
    pub revision: String,
    pub path: PathBuf,
    pub applied: String,
    pub on_disk: String,
}

/// A statement of a migration failed; nothing of the migration was kept where the
/// database allows (see `committed_statements`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFailure {
    pub revision: String,
    pub path: PathBuf,
    pub direction: &'static str,
    pub statement: String,
    /// File line of the failing statement.
    pub line: usize,
    pub error: DbError,
    /// Revisions this run completed before the failure (they stay applied).
    pub completed: Vec<String>,
    /// `true` when the migration ran in a transaction that was rolled back.
    pub rolled_back: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Script(#[from] ScriptError),
    /// The revision graph is invalid; `path`/`line` point at the header that causes it.
    #[error("{}{error}{}", location(path, *line), note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default())]
    Graph {
        error: Box<GraphError>,
        path: Option<PathBuf>,
        line: Option<usize>,
        note: Option<String>,
    },
    /// A target given by the user cannot be resolved or makes no sense here.
    #[error("{0}")]
    Target(GraphError),
    #[error("cannot connect to {url}: {error}")]
    Connect { url: String, error: DbError },
    #[error("{context}: {error}")]
    Database { context: String, error: DbError },
    #[error("{}", failure_message(.0))]
    MigrationFailed(Box<MigrationFailure>),
    #[error("{}", mismatch_message(.0))]
    ChecksumMismatch(Vec<ChecksumMismatch>),
    #[error("the database has revisions that are not in {dir}: {}; restore their files, or remove them with `retort stamp --purge <target>`", .revisions.join(", "))]
    MissingOnDisk {
        dir: PathBuf,
        revisions: Vec<String>,
    },
    #[error("{}: revision {revision} has no `-- migrate:down` section{}, so it cannot be downgraded; add one, or stamp past it with `retort stamp`", .path.display(), dialect_note(.dialect))]
    Irreversible {
        revision: String,
        path: PathBuf,
        dialect: String,
    },
    #[error("a migration was interrupted: {} marked `running` in the version table; it may be partly applied. Check the schema, finish or undo its statements by hand, then record the outcome with `retort stamp <revision>` (or `retort stamp --purge <target>`)", .revisions.join(", "))]
    Interrupted { revisions: Vec<String> },
    #[error("{}: {message}", .path.display())]
    Io { path: PathBuf, message: String },
    #[error("{0}")]
    Usage(String),
}

fn dialect_note(dialect: &str) -> String {
    format!(" for {dialect}")
}

fn location(path: &Option<PathBuf>, line: Option<usize>) -> String {
    match (path, line) {
        (Some(p), Some(l)) => format!("{}:{l}: ", p.display()),
        (Some(p), None) => format!("{}: ", p.display()),
        _ => String::new(),
    }
}

fn failure_message(f: &MigrationFailure) -> String {
    let mut s = format!(
        "{}:{}: {} of {} failed: {}\n  statement: {}",
        f.path.display(),
        f.line,
        f.direction,
        f.revision,
        f.error,
        f.statement
            .lines()
            .collect::<Vec<_>>()
            .join("\n             ")
    );
    if f.rolled_back {
        s.push_str("\n  the migration was rolled back: none of its statements and no version row were kept");
    }
    if !f.completed.is_empty() {
        s.push_str(&format!(
            "\n  completed before the failure (still applied): {}",
            f.completed.join(", ")
        ));
    }
    s
}

fn mismatch_message(list: &[ChecksumMismatch]) -> String {
    let mut s = String::from("applied migrations were edited after they ran:");
    for m in list {
        s.push_str(&format!(
            "\n  {} ({}): applied checksum {}, file now {}",
            m.revision,
            m.path.display(),
            m.applied,
            m.on_disk
        ));
    }
    s.push_str("\nrevert the edits (write a new migration instead), or accept the files as they are with `retort repair`");
    s
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Config(_)
            | Error::Script(_)
            | Error::Graph { .. }
            | Error::Target(_)
            | Error::ChecksumMismatch(_)
            | Error::MissingOnDisk { .. }
            | Error::Irreversible { .. }
            | Error::Usage(_) => ErrorKind::Input,
            Error::Connect { .. }
            | Error::Database { .. }
            | Error::MigrationFailed(_)
            | Error::Interrupted { .. }
            | Error::Io { .. } => ErrorKind::Runtime,
        }
    }

    /// Wraps a database error with what retort was doing.
    pub fn db(context: impl Into<String>) -> impl FnOnce(DbError) -> Error {
        let context = context.into();
        move |error| Error::Database { context, error }
    }
}
