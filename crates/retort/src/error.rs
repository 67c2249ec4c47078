//! The library's error type. Each variant carries what a message needs (file, line,
//! revision, both checksums…) so the CLI can render it and pick an exit code without
//! parsing strings.

use std::path::{Path, PathBuf};

use crate::config::ConfigError;
use crate::db::DbError;
use crate::graph::GraphError;
use crate::history::RowState;
use crate::script::{Direction, ScriptError};

/// Whether an error came from what the user gave (fix the input) or from running it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
    pub direction: Direction,
    pub statement: String,
    /// File line of the failing statement.
    pub line: usize,
    pub error: DbError,
    /// Revisions this run completed before the failure (they stay applied).
    pub completed: Vec<String>,
    /// `true` when the migration ran in a transaction that was rolled back.
    pub rolled_back: bool,
    /// `true` under `--single-transaction`: the whole run was rolled back.
    pub whole_run: bool,
    /// Outside a transaction: the statements of this migration that took effect before
    /// the failure, and the last of them with its line.
    pub committed: usize,
    pub last_committed: Option<(String, usize)>,
}

/// A run stopped on request (a `Stop` handle: a stop signal, a shutdown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped {
    /// The way the run went; `None` when it stopped before it took the lock.
    pub direction: Option<Direction>,
    /// Migrations this run completed before it stopped; they stay done.
    pub completed: Vec<String>,
    /// `true` under `--single-transaction`: the whole run was rolled back.
    pub whole_run: bool,
    /// The migration under way when the stop came, if one was.
    pub during: Option<StoppedDuring>,
}

/// The migration a stop came in the middle of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedDuring {
    pub revision: String,
    pub path: PathBuf,
    /// It ran in a transaction, which was rolled back: nothing of it was kept.
    pub rolled_back: bool,
    /// Outside a transaction: the statements of it that took effect (its row says
    /// `running:N`; with none, no mark is left) and the last of them with its line.
    pub committed: usize,
    pub last_committed: Option<(String, usize)>,
}

/// A migration that ran outside a transaction and did not finish: how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupted {
    pub revision: String,
    /// `None` when the file is gone.
    pub path: Option<PathBuf>,
    pub direction: Direction,
    /// Statements that certainly took effect (the version row says so).
    pub done: usize,
    /// The last statement that certainly took effect, and its file line.
    pub last: Option<(String, usize)>,
    /// The statement after it, and its file line: it may or may not have taken effect (a
    /// server can finish a statement whose client was killed), so only the schema can tell.
    pub maybe: Option<(String, usize)>,
}

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {}", self.direction, self.revision)?;
        if let Some(p) = &self.path {
            write!(f, " ({})", p.display())?;
        }
        match &self.last {
            None if self.done == 0 => write!(f, ": no statement certainly took effect")?,
            None => write!(f, ": {} statement(s) certainly took effect", self.done)?,
            Some((text, line)) => write!(
                f,
                ": {} statement(s) certainly took effect, the last at line {line}: {}",
                self.done,
                first_line(text)
            )?,
        }
        match &self.maybe {
            Some((text, line)) => write!(
                f,
                "; the next, at line {line}, may or may not have (it was running when the run stopped): {}",
                first_line(text)
            ),
            None => write!(f, "; the statement after them may or may not have taken effect"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
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
    #[error("the database has revisions that are not in {dir}: {}", .revisions.join(", "))]
    MissingOnDisk {
        dir: PathBuf,
        revisions: Vec<String>,
    },
    #[error("{}: revision {revision} has no `-- migrate:down` section{}, so it cannot be downgraded", .path.display(), dialect_note(.dialect))]
    Irreversible {
        revision: String,
        path: PathBuf,
        dialect: String,
    },
    #[error("{}", interrupted_message(.0))]
    Interrupted(Vec<Interrupted>),
    #[error("{}", stopped_message(.0))]
    Stopped(Box<Stopped>),
    /// Where the lock is each migration's own transaction (SQLite), another process
    /// changed the version table between two steps of a run so that the next step would
    /// break it; nothing of that step ran.
    #[error("stopped before the {direction} of {revision}: {reason}; every migration this run completed is recorded and nothing else ran: run the command again")]
    ConcurrentChange {
        revision: String,
        direction: Direction,
        reason: String,
    },
    #[error("{}: {message}", .path.display())]
    Io { path: PathBuf, message: String },
    /// The configured migrations folder does not exist.
    #[error("{}: migrations folder not found", .path.display())]
    NoMigrationsDir { path: PathBuf },
    #[error("{0}")]
    Usage(String),
    /// The declared schema (schema.sql, its folder, or its command) cannot be read or
    /// does not load: `path` and `line` point at the statement when there is one.
    #[error("{}{message}", location(path, *line))]
    DeclaredSchema {
        path: Option<PathBuf>,
        line: Option<usize>,
        message: String,
    },
    /// A migration written from the database's schema would build on revisions the
    /// database does not have yet.
    #[error("the database is not at head: {} pending ({}); a new migration is written against the schema of the last one, so apply them first", .pending.len(), .pending.join(", "))]
    NotAtHead { pending: Vec<String> },
    /// A dropped and an added table or column of the same definition: a rename or a
    /// drop, which only the user can say.
    #[error("{}", likely_renames_message(.0))]
    LikelyRenames(Vec<crate::schema::Rename>),
    /// A generated migration did not take the schema where it should: the diff or the
    /// rendering is wrong (never the user's input). Nothing was written.
    #[error("{}", self_check_message(.0))]
    SelfCheck(Box<SelfCheckFailure>),
}

/// What a generated migration's self-check left over: the differences between where each
/// section took a scratch copy of the schema and where it should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfCheckFailure {
    /// After the up section, against the declared schema.
    pub after_up: Vec<String>,
    /// After the down section, against the schema it started from.
    pub after_down: Vec<String>,
    /// A statement that did not even run, with the database's words.
    pub failed: Option<String>,
}

fn likely_renames_message(renames: &[crate::schema::Rename]) -> String {
    let listed: Vec<String> = renames.iter().map(|r| r.to_string()).collect();
    format!(
        "nothing written: {} may be a rename ({}); say which it is: a rename (table or column, OLD=NEW), or dropping and adding on purpose",
        if renames.len() == 1 { "this" } else { "these" },
        listed.join("; ")
    )
}

fn self_check_message(f: &SelfCheckFailure) -> String {
    let mut out = String::from(
        "the generated migration failed its self-check on a scratch copy of the schema, so nothing was written (a bug in retort, please report it)",
    );
    if let Some(failed) = &f.failed {
        out.push_str(&format!(": {failed}"));
    }
    let mut list = |title: &str, items: &[String]| {
        if !items.is_empty() {
            out.push_str(&format!("\n{title}:"));
            for item in items {
                out.push_str(&format!("\n  {item}"));
            }
        }
    };
    list(
        "after the up section, still different from the declared schema",
        &f.after_up,
    );
    list(
        "after the down section, still different from the schema it started from",
        &f.after_down,
    );
    out
}

/// The first line of a statement, for one-line messages.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
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
    if !f.rolled_back {
        match &f.last_committed {
            Some((text, line)) => s.push_str(&format!(
                "\n  {} earlier statement(s) of it took effect (this database cannot roll DDL back); the last, at line {line}: {}",
                f.committed,
                text.lines().next().unwrap_or("")
            )),
            None if f.completed.is_empty() => s.push_str(
                "\n  no statement of it took effect: the database is as it was before the run",
            ),
            None => s.push_str("\n  no statement of it took effect"),
        }
        if f.committed > 0 {
            s.push_str(&format!(
                "\n  {} is marked in progress in the version table: fix the schema by hand, then stamp the revision it matches",
                f.revision
            ));
        }
    }
    if f.whole_run {
        s.push_str(
            "\n  the whole run was rolled back (single-transaction mode): no migration of it was kept",
        );
    } else if f.rolled_back {
        s.push_str("\n  the migration was rolled back: none of its statements and no version row were kept");
    }
    if !f.completed.is_empty() && !f.whole_run {
        let kept = match f.direction {
            Direction::Down => "reverted before the failure (no longer applied)",
            Direction::Up => "applied before the failure (still applied)",
        };
        s.push_str(&format!("\n  {kept}: {}", f.completed.join(", ")));
    }
    s
}

fn stopped_message(s: &Stopped) -> String {
    let mut out = String::from("stopped on request");
    match &s.during {
        None => out.push_str(" between two migrations"),
        Some(d) => {
            let direction = s.direction.unwrap_or(Direction::Up);
            out.push_str(&format!(
                " during the {} of {} ({})",
                direction,
                d.revision,
                d.path.display()
            ));
            if d.rolled_back {
                out.push_str(": its statement was cancelled and its transaction rolled back, so nothing of it was kept");
            } else if let Some((text, line)) = &d.last_committed {
                out.push_str(&format!(
                    ": {} statement(s) of it took effect (this database cannot roll DDL back), the last at line {line}: {}\n  it is marked `{}` in the version table: finish or undo the rest by hand, then stamp the revision the schema matches",
                    d.committed,
                    first_line(text),
                    RowState::in_progress(direction, d.committed),
                ));
            } else {
                out.push_str(": no statement of it took effect, and it is not marked");
            }
        }
    }
    if s.whole_run {
        out.push_str(
            "\n  the whole run was rolled back (single-transaction mode): no migration of it was kept",
        );
    } else if !s.completed.is_empty() {
        let done = match s.direction {
            Some(Direction::Down) => "reverted before the stop",
            _ => "applied before the stop",
        };
        out.push_str(&format!("\n  {done}: {}", s.completed.join(", ")));
    }
    out.push_str("\n  the migration lock was released");
    out
}

fn interrupted_message(list: &[Interrupted]) -> String {
    let mut s = String::from(
        "an earlier run was interrupted in the middle of a migration that cannot be rolled back:",
    );
    for i in list {
        s.push_str(&format!("\n  {i}"));
    }
    s.push_str("\nthe schema may be half-changed: look in the database for what the statement that may or may not have run does (its table, column, index or rows), finish or undo the rest by hand, then stamp the revision the schema now matches");
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
    s.push_str("\nrevert the edits (write a new migration instead), or accept the files as they are (repair)");
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
            | Error::DeclaredSchema { .. }
            | Error::NotAtHead { .. }
            | Error::LikelyRenames(_)
            | Error::Usage(_) => ErrorKind::Input,
            Error::Connect { .. }
            | Error::Database { .. }
            | Error::MigrationFailed(_)
            | Error::Interrupted { .. }
            | Error::ConcurrentChange { .. }
            | Error::Stopped(_)
            | Error::Io { .. }
            | Error::NoMigrationsDir { .. }
            | Error::SelfCheck(_) => ErrorKind::Runtime,
        }
    }

    /// The file (and line in it) the error is about, when it is about one: a bad config
    /// key, a migration file's header or statement, the migration that failed or was
    /// interrupted. For tools that point an editor at it, or print it as data.
    pub fn location(&self) -> (Option<&Path>, Option<usize>) {
        match self {
            Error::Config(c) => match c {
                ConfigError::Invalid { path, line, .. } => (Some(path), *line),
                ConfigError::Unreadable { path, .. } => (Some(path), None),
                ConfigError::UnsetVariable { path, line, .. }
                | ConfigError::Url { path, line, .. } => (path.as_deref(), *line),
                _ => (None, None),
            },
            Error::Script(s) => (Some(&s.path), s.line),
            Error::Graph { path, line, .. } => (path.as_deref(), *line),
            Error::MigrationFailed(f) => (Some(&f.path), Some(f.line)),
            Error::ChecksumMismatch(list) => (list.first().map(|m| m.path.as_path()), None),
            Error::Irreversible { path, .. }
            | Error::Io { path, .. }
            | Error::NoMigrationsDir { path } => (Some(path), None),
            Error::Interrupted(list) => match list.first() {
                Some(i) => (
                    i.path.as_deref(),
                    i.maybe.as_ref().or(i.last.as_ref()).map(|(_, line)| *line),
                ),
                None => (None, None),
            },
            Error::Stopped(s) => match &s.during {
                Some(d) => (
                    Some(&d.path),
                    d.last_committed.as_ref().map(|(_, line)| *line),
                ),
                None => (None, None),
            },
            Error::DeclaredSchema { path, line, .. } => (path.as_deref(), *line),
            Error::Target(_)
            | Error::NotAtHead { .. }
            | Error::LikelyRenames(_)
            | Error::SelfCheck(_)
            | Error::Connect { .. }
            | Error::Database { .. }
            | Error::MissingOnDisk { .. }
            | Error::ConcurrentChange { .. }
            | Error::Usage(_) => (None, None),
        }
    }

    /// Wraps a database error with what retort was doing.
    pub fn db(context: impl Into<String>) -> impl FnOnce(DbError) -> Error {
        let context = context.into();
        move |error| Error::Database { context, error }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an application embedding the library shows its users must not send them to a
    /// command line they do not have: the CLI names its commands in `hint:` lines.
    #[test]
    fn messages_name_no_command_and_no_flag() {
        let path = PathBuf::from("migrations/0001_a.sql");
        let half_done = Some(("CREATE TABLE t (a int)".to_string(), 3));
        let errors = [
            Error::Target(GraphError::UnknownRevision { given: "x".into() }),
            Error::Target(GraphError::MultipleHeads {
                heads: vec!["a".into(), "b".into()],
            }),
            Error::Target(GraphError::NotApplied { rev: "a".into() }),
            Error::Target(GraphError::WrongDirection {
                target: "-1".into(),
            }),
            Error::Target(GraphError::WrongDirection {
                target: "+1".into(),
            }),
            Error::Config(ConfigError::NotFound { dir: "/app".into() }),
            Error::NoMigrationsDir { path: path.clone() },
            Error::MissingOnDisk {
                dir: "migrations".into(),
                revisions: vec!["a1".into()],
            },
            Error::Irreversible {
                revision: "a1".into(),
                path: path.clone(),
                dialect: "sqlite".into(),
            },
            Error::ChecksumMismatch(vec![ChecksumMismatch {
                revision: "a1".into(),
                path: path.clone(),
                applied: "x".into(),
                on_disk: "y".into(),
            }]),
            Error::Interrupted(vec![Interrupted {
                revision: "a1".into(),
                path: Some(path.clone()),
                direction: Direction::Up,
                done: 1,
                last: half_done.clone(),
                maybe: None,
            }]),
            Error::MigrationFailed(Box::new(MigrationFailure {
                revision: "a1".into(),
                path: path.clone(),
                direction: Direction::Down,
                statement: "DROP TABLE t".into(),
                line: 4,
                error: DbError::new("no such table"),
                completed: vec!["b2".into()],
                rolled_back: false,
                whole_run: true,
                committed: 1,
                last_committed: half_done.clone(),
            })),
            Error::Stopped(Box::new(Stopped {
                direction: Some(Direction::Up),
                completed: vec!["b2".into()],
                whole_run: true,
                during: Some(StoppedDuring {
                    revision: "a1".into(),
                    path,
                    rolled_back: false,
                    committed: 1,
                    last_committed: half_done,
                }),
            })),
        ];
        for error in errors {
            let message = error.to_string();
            for word in [
                "`retort",
                "retort init",
                "retort stamp",
                "retort repair",
                " --",
            ] {
                assert!(!message.contains(word), "{word:?} in: {message}");
            }
        }
    }
}
