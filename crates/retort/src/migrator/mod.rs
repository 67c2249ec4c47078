//! Executes plans against a database: lock, re-read, run, record. Also renders the same
//! plans as offline SQL scripts. The graph decides *what* runs; this module decides *how*
//! it runs safely.

mod event;
mod foreign_keys;
mod offline;
mod redo;
mod state;
mod stop;

use std::time::{Duration, Instant};

pub use event::Event;
pub use offline::offline_script;
pub use redo::RedoReport;
pub use state::DbState;
pub use stop::Stop;

use crate::db::{BatchError, Connection};
use crate::error::{ChecksumMismatch, Error, MigrationFailure, Stopped, StoppedDuring};
use crate::graph::Target;
use crate::history::{
    self, Action, AppliedRow, History, RecordedText, RowState, VersionRows, When,
};
use crate::project::Project;
use crate::script::{Direction, ScriptError, ScriptHeader};
use crate::sql::{self, Statement};

/// What a completed upgrade or downgrade did.
#[derive(Debug, Clone, Default)]
pub struct RunReport {
    /// Revisions run, in order.
    pub revisions: Vec<String>,
    /// Planned revisions another process had already handled.
    pub skipped: Vec<String>,
    pub elapsed: Duration,
}

/// What `stamp` changed.
#[derive(Debug, Clone, Default)]
pub struct StampReport {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// One step of a plan, with its SQL split and checked before anything runs.
struct Step<'p> {
    /// The revision's graph index.
    index: usize,
    script: &'p ScriptHeader,
    section: Prepared,
}

/// What runs of one migration in one direction, read from its file when asked for (for a
/// run, after the lock): the SQL split into statements, the file line the section starts
/// at, and the checksum of the very text that was split.
pub(crate) struct Prepared {
    pub first_line: usize,
    pub checksum: String,
    pub statements: Vec<Statement>,
    /// For an up section: what its version row keeps (this text, and the down section of
    /// the same file), so that the database knows what ran.
    pub texts: Option<RecordedText>,
    /// Whether the same file's section for the other direction holds no statement
    /// (`None`: the file has none for this dialect).
    pub other_blank: Option<bool>,
}

/// The section of migration `index` that runs in `direction` on `dialect`, split into
/// statements; a missing section, a split error or a file that changed since its header
/// was read is a bad file (or an irreversible migration).
pub(crate) fn statements(
    project: &Project,
    index: usize,
    direction: Direction,
    dialect: crate::dialect::Dialect,
) -> Result<Prepared, Error> {
    let script = project.load_script(index)?;
    let Some(section) = script.section(direction, dialect) else {
        return Err(match direction {
            Direction::Down => Error::Irreversible {
                revision: script.revision.clone(),
                path: script.path.clone(),
                dialect: dialect.to_string(),
            },
            Direction::Up => Error::Script(ScriptError {
                path: script.path.clone(),
                line: None,
                message: format!("no `-- migrate:up` section for {dialect}"),
            }),
        });
    };
    let statements = sql::split(dialect, section.body).map_err(|e| {
        Error::Script(ScriptError {
            path: script.path.clone(),
            line: Some(section.first_line + e.line - 1),
            message: e.message.clone(),
        })
    })?;
    let other = match direction {
        Direction::Up => Direction::Down,
        Direction::Down => Direction::Up,
    };
    let other_blank = script.section(other, dialect).map(|s| s.is_blank());
    let texts = (direction == Direction::Up).then(|| RecordedText {
        up: section.body.to_string(),
        down: script
            .section(Direction::Down, dialect)
            .map(|down| down.body.to_string()),
    });
    Ok(Prepared {
        first_line: section.first_line,
        checksum: section.checksum(),
        statements,
        texts,
        other_blank,
    })
}

/// The time a migration took as stored: milliseconds rounded to the nearest, and never 0
/// for one that ran, since 0 is what a stamp records (nothing ran).
fn whole_ms(elapsed: Duration) -> i64 {
    let ms = (elapsed.as_micros() + 500) / 1000;
    i64::try_from(ms).unwrap_or(i64::MAX).max(1)
}

/// What to say about a step before it runs, if anything: an up section without a
/// statement (a merge revision excepted: it joins branches and has nothing to run), or an
/// empty down section under an up section that changes the schema. Files from tools whose
/// down sections are empty on purpose still run; this only says so.
fn warning(direction: Direction, step: &Step<'_>) -> Option<&'static str> {
    let empty = step.section.statements.is_empty();
    match direction {
        Direction::Up if empty && step.script.revises.len() < 2 => {
            Some("its up section has no statement: applying it changes nothing")
        }
        Direction::Up if !empty && step.section.other_blank == Some(true) => {
            Some("its down section is empty: a downgrade will leave what its up section makes")
        }
        Direction::Down if empty && step.section.other_blank == Some(false) => {
            Some("its down section is empty: reverting it leaves what its up section made in place")
        }
        _ => None,
    }
}

/// What a stop request ended: the run in `direction`, after `completed`, `during` a
/// migration or between two.
fn stopped(
    direction: Option<Direction>,
    completed: Vec<String>,
    during: Option<StoppedDuring>,
) -> Error {
    Error::Stopped(Box::new(Stopped {
        direction,
        completed,
        whole_run: false,
        during,
    }))
}

/// A migration [`Migrator::repair`] accepted as it is now, without running anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The checksum recorded and the file's.
    pub mismatch: ChecksumMismatch,
    /// The up section as it ran, when the row kept it; the database still has what it
    /// made, whatever the file says now.
    pub ran: Option<String>,
    /// The up section the file has now (empty when the file has none for this database).
    pub now: String,
}

/// What [`Migrator::stamp`] does with the rows already in the version table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExistingRows {
    /// Keeps them: the stamp moves from what is applied to the target.
    Keep,
    /// Empties the table first: for rows of files that no longer exist, or left `running`
    /// by an interrupted migration once the schema was fixed by hand.
    Purge,
}

/// Runs migrations of one project against one connection: one run at a time, under the
/// migration lock, each migration with its version row in one transaction where the
/// database allows.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// use retort::db::{SqliteConnection, SqliteLocation};
/// use retort::migrator::ExistingRows;
/// use retort::{ConnectOptions, Migrator, Project, Target};
///
/// let project = Project::from_memory([
///     ("1.sql", "-- revision: a1\n-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n"),
///     ("2.sql", "-- revision: b2\n-- revises: a1\n-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n"),
/// ])?;
/// let mut conn = SqliteConnection::open(&SqliteLocation::Memory, &ConnectOptions::default())?;
/// let mut migrator = Migrator::new(&project, &mut conn);
/// assert_eq!(migrator.upgrade(&Target::Head, &mut |_| {})?.revisions, ["a1", "b2"]);
/// assert_eq!(migrator.downgrade(&"-1".parse()?, &mut |_| {})?.revisions, ["b2"]);
/// // Record b2 as applied without running it (its table is not created).
/// migrator.stamp(&Target::Head, ExistingRows::Keep, &mut |_| {})?;
/// assert!(migrator.state()?.applied.iter().all(|&applied| applied));
/// # }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Migrator<'a> {
    project: &'a Project,
    conn: &'a mut dyn Connection,
    history: History,
    actor: String,
    single_transaction: bool,
    /// Version rows read while the project loaded (see [`crate::open`]).
    prefetched: Option<VersionRows>,
    /// Statements that record the completion of the last migration run outside a
    /// transaction, not sent yet: they commit together with the next migration's
    /// `running` mark (one commit instead of two, which on MySQL is one fsync less per
    /// migration), or at the end of the run.
    pending_finish: Vec<String>,
    /// Statements that set the time of the last migration run in a transaction of its
    /// own to its whole time, commit included (known only after it): they ride in the
    /// next transaction the run opens, or one of their own at the end of the run.
    pending_time: Vec<String>,
    /// The state the last upgrade or downgrade started from. Kept rather than dropped
    /// inside the run: at 10,000 applied revisions freeing it costs a millisecond, which a
    /// caller about to exit can skip by not dropping the migrator.
    started_from: Option<DbState>,
    /// Where the lock is a transaction (SQLite): `true` while the one the lock opened is
    /// still open, for the next unit of work to take over (see [`Migrator::begin`]).
    held: bool,
    /// The commit counter the applied set below was last known at ([`VersionRows::as_of`]).
    as_of: Option<i64>,
    /// What is applied now, as this run knows it: the state read under the lock, with this
    /// run's own steps since. Where the lock is per transaction, each step checks it
    /// against the database before running.
    current: Vec<bool>,
    /// Asked from another thread to stop (see [`Stop`]).
    stop: Stop,
    /// Whether this run has made sure of the version tables (created, and given the
    /// columns an older table lacks). A no-op run on rows known current skips it.
    ensured: bool,
}

impl<'a> Migrator<'a> {
    pub fn new(project: &'a Project, conn: &'a mut dyn Connection) -> Migrator<'a> {
        // Asked once, before any migration can change the search path or database; where
        // it cannot be asked, the tables are named as the session finds them.
        let schema = conn.home_schema().unwrap_or(None);
        let history = History::new(
            conn.dialect(),
            &project.config.version_table,
            &project.config.log_table(),
        )
        .in_schema(schema);
        Migrator {
            project,
            conn,
            history,
            actor: history::actor(),
            single_transaction: false,
            ensured: false,
            prefetched: None,
            pending_finish: Vec::new(),
            pending_time: Vec::new(),
            started_from: None,
            held: false,
            as_of: None,
            current: Vec::new(),
            stop: Stop::new(),
        }
    }

    /// Overrides `applied_by` (default: `RETORT_ACTOR`, else `user@host`).
    pub fn with_actor(mut self, actor: impl Into<String>) -> Self {
        self.actor = actor.into();
        self
    }

    /// Hands over the version rows read at start-up. Where the lock is each migration's
    /// own transaction (SQLite), there is no session lock after which they must be read
    /// again — every step re-checks its own row — so the run starts from these.
    pub fn with_rows(mut self, rows: VersionRows) -> Self {
        self.prefetched = Some(rows);
        self
    }

    /// Lets `stop` (requested from any thread, e.g. on SIGTERM) stop the runs of this
    /// migrator: the statement running is cancelled on the server, its migration rolled
    /// back (or, outside a transaction, recorded as far as it got), and the lock released;
    /// the run then ends with [`Error::Stopped`].
    pub fn with_stop(mut self, stop: Stop) -> Self {
        self.stop = stop;
        self
    }

    /// Runs the whole plan in one transaction (SQLite, PostgreSQL): all of it lands or
    /// none of it. Refused on databases without transactional DDL.
    pub fn with_single_transaction(mut self, on: bool) -> Self {
        self.single_transaction = on;
        self
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// The version table compared with the files; read-only (creates nothing).
    pub fn state(&mut self) -> Result<DbState, Error> {
        DbState::read(self.project, self.conn, &self.history)
    }

    /// The state right after [`Migrator::ensure_tables`]: the version table exists, so it
    /// is read without asking the catalog whether it does.
    fn state_of_ensured(&mut self) -> Result<DbState, Error> {
        let rows = self
            .history
            .read_existing(self.conn)
            .map_err(Error::db("reading the version table"))?;
        Ok(DbState::compare(self.project, rows, &self.history))
    }

    /// What the database held when the last upgrade or downgrade started (after the lock).
    pub fn started_from(&self) -> Option<&DbState> {
        self.started_from.as_ref()
    }

    /// The state from version rows already read (see [`crate::open`]).
    pub fn state_from_rows(&self, rows: VersionRows) -> DbState {
        DbState::compare(self.project, rows, &self.history)
    }

    /// Applies what `target` needs that is not applied yet, one transaction per migration.
    pub fn upgrade(
        &mut self,
        target: &Target,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<RunReport, Error> {
        self.upgrade_or_downgrade(Direction::Up, target, on_event)
    }

    /// Reverts applied migrations down to `target`, newest first.
    pub fn downgrade(
        &mut self,
        target: &Target,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<RunReport, Error> {
        self.upgrade_or_downgrade(Direction::Down, target, on_event)
    }

    /// [`Migrator::upgrade`] or [`Migrator::downgrade`], by direction.
    pub fn upgrade_or_downgrade(
        &mut self,
        direction: Direction,
        target: &Target,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<RunReport, Error> {
        self.locked(on_event, |m, on_event| {
            let state = m.prepare()?;
            let graph = &m.project.graph;
            let plan = match direction {
                Direction::Up => graph.plan_upgrade(&state.applied, target),
                Direction::Down => graph.plan_downgrade(&state.applied, target),
            }
            .map_err(Error::Target)?;
            m.started_from = Some(state);
            m.run(direction, &plan, on_event)
        })
    }

    /// Records revisions as applied (or no longer applied) without running them. With
    /// [`ExistingRows::Purge`], the version table is emptied first (rows of files that no
    /// longer exist, rows left `running` by an interrupted migration).
    pub fn stamp(
        &mut self,
        target: &Target,
        rows: ExistingRows,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<StampReport, Error> {
        let purge = rows == ExistingRows::Purge;
        self.locked(on_event, |m, on_event| {
            m.ensure_tables()?;
            let dialect = m.conn.dialect();
            let now = history::now();
            let mut report = StampReport::default();
            // Read inside the transaction: where the lock is the transaction itself, rows
            // read before it could be stale.
            m.transaction(|m| {
                let state = m.state_of_ensured()?;
                if !purge && !state.missing.is_empty() {
                    return Err(Error::MissingOnDisk {
                        dir: m.project.migrations_dir(),
                        revisions: state.missing.clone(),
                    });
                }
                let wanted = m
                    .project
                    .graph
                    .plan_stamp(&state.applied, target, purge)
                    .map_err(Error::Target)?;
                let ctx = "stamping the version table";
                if purge {
                    for row in state.rows.iter() {
                        m.history
                            .delete(m.conn, row.revision)
                            .map_err(Error::db(ctx))?;
                    }
                }
                let running: Vec<&str> = state.running.iter().map(String::as_str).collect();
                for i in m.project.graph.topo_order().iter().copied() {
                    let script = m.project.script(i);
                    let id = script.revision.as_str();
                    let (was, will) = (state.applied[i], wanted[i]);
                    if will && (!was || purge) {
                        let checksum = script.up_checksum(dialect);
                        m.history
                            .insert(
                                m.conn,
                                &AppliedRow {
                                    revision: id.to_string(),
                                    checksum,
                                    applied_at: now.clone(),
                                    applied_by: m.actor.clone(),
                                    execution_ms: 0,
                                    state: RowState::Applied,
                                    // Stamped: nothing ran, so no text is kept.
                                    texts: None,
                                },
                            )
                            .map_err(Error::db(ctx))?;
                        if !was {
                            m.history
                                .log(m.conn, id, Action::Stamp, &now, &m.actor, None)
                                .map_err(Error::db(ctx))?;
                            report.added.push(id.to_string());
                        }
                    } else if will && running.contains(&id) {
                        // Resolved by hand: the revision is applied as its file is now.
                        let checksum = script.up_checksum(dialect);
                        m.history
                            .set_checksum(m.conn, id, &checksum)
                            .map_err(Error::db(ctx))?;
                        m.history
                            .set_state(m.conn, id, RowState::Applied, 0)
                            .map_err(Error::db(ctx))?;
                        m.history
                            .log(m.conn, id, Action::Stamp, &now, &m.actor, None)
                            .map_err(Error::db(ctx))?;
                    }
                    if was && !will {
                        if !purge {
                            m.history.delete(m.conn, id).map_err(Error::db(ctx))?;
                        }
                        m.history
                            .log(m.conn, id, Action::Unstamp, &now, &m.actor, None)
                            .map_err(Error::db(ctx))?;
                        report.removed.push(id.to_string());
                    }
                }
                for id in &state.missing {
                    m.history
                        .log(m.conn, id, Action::Unstamp, &now, &m.actor, None)
                        .map_err(Error::db(ctx))?;
                    report.removed.push(id.clone());
                }
                Ok(())
            })?;
            for id in &report.added {
                on_event(&Event::Stamped {
                    revision: id,
                    added: true,
                });
            }
            for id in &report.removed {
                on_event(&Event::Stamped {
                    revision: id,
                    added: false,
                });
            }
            Ok(report)
        })
    }

    /// Accepts the current text of edited applied migrations without running anything:
    /// their recorded checksums become the files' checksums, their recorded down sections
    /// the files' (how to revert them from now on), and each change is written to the
    /// audit log. The up section that ran stays recorded: the database still has what it
    /// made.
    pub fn repair(&mut self) -> Result<Vec<Repaired>, Error> {
        self.locked(&mut |_| {}, |m, _| {
            m.ensure_tables()?;
            let now = history::now();
            let dialect = m.conn.dialect();
            let mut repaired = Vec::new();
            m.transaction(|m| {
                let state = m.state_of_ensured()?;
                for c in state.changed {
                    let ctx = "repairing the version table";
                    let ran = m
                        .history
                        .recorded_text(m.conn, &c.revision)
                        .map_err(Error::db(ctx))?
                        .map(|t| t.up);
                    let file = m
                        .project
                        .index_of(&c.revision)
                        .map(|i| m.project.load_script(i))
                        .transpose()?;
                    let section = |d| {
                        file.as_ref()
                            .and_then(|f| f.section(d, dialect))
                            .map(|s| s.body.to_string())
                    };
                    let (up_now, down_now) = (section(Direction::Up), section(Direction::Down));
                    m.history
                        .set_checksum(m.conn, &c.revision, &c.on_disk)
                        .map_err(Error::db(ctx))?;
                    m.history
                        .set_recorded_down(m.conn, &c.revision, down_now.as_deref())
                        .map_err(Error::db(ctx))?;
                    m.history
                        .log(m.conn, &c.revision, Action::Repair, &now, &m.actor, None)
                        .map_err(Error::db(ctx))?;
                    repaired.push(Repaired {
                        mismatch: c,
                        ran,
                        now: up_now.unwrap_or_default(),
                    });
                }
                Ok(())
            })?;
            Ok(repaired)
        })
    }

    /// Takes the session lock around `f` and always releases it.
    fn locked<T>(
        &mut self,
        on_event: &mut dyn FnMut(&Event<'_>),
        f: impl FnOnce(&mut Self, &mut dyn FnMut(&Event<'_>)) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let timeout = self.project.config.lock_timeout;
        let _armed = self.conn.canceller().map(|c| self.stop.arm(c));
        if self.stop.requested() {
            return Err(stopped(None, Vec::new(), None));
        }
        let locked = self
            .conn
            .lock(&mut || on_event(&Event::LockWaiting { timeout }));
        match locked {
            Err(_) if self.stop.requested() => {
                let _ = self.conn.unlock();
                return Err(stopped(None, Vec::new(), None));
            }
            other => other.map_err(Error::db("taking the migration lock"))?,
        }
        self.held = self.conn.lock_is_per_transaction();
        let mut result = f(self, on_event);
        if std::mem::take(&mut self.held) && result.is_ok() {
            // Nothing took the lock's transaction over (nothing to run): keep what it
            // created (the version tables).
            if let Err(e) = self.conn.commit() {
                result = Err(Error::db("committing")(e));
            }
        }
        let unlocked = self
            .conn
            .unlock()
            .map_err(Error::db("releasing the migration lock"));
        let value = result?;
        unlocked?;
        Ok(value)
    }

    /// Opens a transaction, or takes over the one the lock opened (SQLite), inside which
    /// the version table was read and the plan made.
    fn begin(&mut self) -> Result<(), Error> {
        if std::mem::take(&mut self.held) {
            return Ok(());
        }
        self.conn
            .begin()
            .map_err(Error::db("starting a transaction"))
    }

    fn transaction(&mut self, f: impl FnOnce(&mut Self) -> Result<(), Error>) -> Result<(), Error> {
        self.begin()?;
        match f(self) {
            Ok(()) => self.conn.commit().map_err(Error::db("committing")),
            Err(e) => {
                let _ = self.conn.rollback();
                Err(e)
            }
        }
    }

    /// Creates the schema (PostgreSQL, when configured) and the version tables if missing.
    fn ensure_tables(&mut self) -> Result<(), Error> {
        if self.ensured {
            return Ok(());
        }
        self.conn
            .ensure_schema()
            .map_err(Error::db("creating the schema"))?;
        self.history
            .ensure(self.conn)
            .map_err(Error::db("creating the version table"))?;
        self.ensured = true;
        Ok(())
    }

    /// Creates the tables, reads the state after taking the lock, and refuses to go on
    /// when files and database disagree.
    fn prepare(&mut self) -> Result<DbState, Error> {
        let state = self.read_state()?;
        state.ensure_runnable(self.project.migrations_dir())?;
        Ok(state)
    }

    /// The state after taking the lock (the rows read before it where they are provably
    /// still current), which the run's steps then keep up to date.
    fn read_state(&mut self) -> Result<DbState, Error> {
        let state = match self.prefetched.take() {
            // Non-empty rows mean the tables exist already.
            Some(rows) if !rows.is_empty() && self.still_current(&rows)? => {
                self.state_from_rows(rows)
            }
            _ => {
                self.ensure_tables()?;
                self.state_of_ensured()?
            }
        };
        self.as_of = state.rows.as_of;
        self.current = state.applied.clone();
        Ok(state)
    }

    /// Whether rows read before the lock are what the table holds now that it is held: only
    /// where the lock is a transaction and no other connection has committed since (a
    /// session lock was waited for, so the rows are read again).
    fn still_current(&mut self, rows: &VersionRows) -> Result<bool, Error> {
        if !self.conn.lock_is_per_transaction() {
            return Ok(false);
        }
        let now = self
            .conn
            .commit_counter()
            .map_err(Error::db("reading the version table"))?;
        Ok(now.is_some() && now == rows.as_of)
    }

    /// Where the lock is each migration's own transaction, other processes may commit
    /// between two steps of this run. Inside the step's transaction (the lock held), the
    /// version table is read again if it moved, and the step is checked against it: `false`
    /// when another process already did it; an error when doing it now would leave a
    /// revision applied without its parent (or a parent reverted under its child).
    fn confirm_step(&mut self, direction: Direction, step: &Step<'_>) -> Result<bool, Error> {
        let ctx = "re-reading the version table";
        let now = self.conn.commit_counter().map_err(Error::db(ctx))?;
        if now.is_none() || now != self.as_of {
            let rows = self
                .history
                .read_existing(self.conn)
                .map_err(Error::db(ctx))?;
            let state = DbState::compare(self.project, rows, &self.history);
            state.ensure_runnable(self.project.migrations_dir())?;
            self.as_of = state.rows.as_of;
            self.current = state.applied;
        }
        let graph = &self.project.graph;
        let i = step.index;
        let up = direction == Direction::Up;
        if self.current[i] == up {
            return Ok(false);
        }
        let conflict = if up {
            let mut needed = graph.parents(i).iter().chain(graph.dependencies(i));
            needed.find(|&&p| !self.current[p]).map(|&p| {
                format!(
                    "{} needs {}, which another process reverted after this run started",
                    step.script.revision,
                    graph.id(p)
                )
            })
        } else {
            let mut above = graph.children(i).iter().chain(graph.dependents(i));
            above.find(|&&c| self.current[c]).map(|&c| {
                format!(
                    "{} is needed by {}, which another process applied after this run started",
                    step.script.revision,
                    graph.id(c)
                )
            })
        };
        match conflict {
            Some(reason) => Err(Error::ConcurrentChange {
                revision: step.script.revision.clone(),
                direction,
                reason,
            }),
            None => Ok(true),
        }
    }

    /// Splits every step's SQL before the first one runs, so a bad file stops the run
    /// with the database untouched.
    fn steps(&self, direction: Direction, plan: &[usize]) -> Result<Vec<Step<'a>>, Error> {
        let dialect = self.conn.dialect();
        plan.iter()
            .map(|&i| {
                Ok(Step {
                    index: i,
                    script: self.project.script(i),
                    section: statements(self.project, i, direction, dialect)?,
                })
            })
            .collect()
    }

    fn run(
        &mut self,
        direction: Direction,
        plan: &[usize],
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<RunReport, Error> {
        if !plan.is_empty() {
            // Rows known current let `prepare` skip this; a step records into the table.
            self.ensure_tables()?;
        }
        let steps = self.steps(direction, plan)?;
        self.run_prepared(direction, &steps, on_event)
    }

    /// Runs steps whose SQL is split and checked already.
    fn run_prepared(
        &mut self,
        direction: Direction,
        steps: &[Step<'a>],
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<RunReport, Error> {
        let started = Instant::now();
        let total = steps.len();
        let mut restore_foreign_keys = None;
        if self.single_transaction {
            self.check_single_transaction(steps)?;
            if steps.iter().any(|s| self.needs_foreign_keys_off(s)) {
                restore_foreign_keys = Some(self.foreign_keys_off()?);
            }
            if let Err(e) = self.begin() {
                if let Some(was_on) = restore_foreign_keys {
                    let _ = self.restore_foreign_keys(was_on);
                }
                return Err(e);
            }
        }
        on_event(&Event::Planned { direction, total });
        for step in steps {
            if let Some(message) = warning(direction, step) {
                on_event(&Event::Warning {
                    revision: &step.script.revision,
                    path: &step.script.path,
                    message,
                });
            }
        }
        let mut report = RunReport::default();
        let mut result = self.run_steps(direction, steps, &mut report, on_event);
        if restore_foreign_keys.is_some() && result.is_ok() {
            // The run's one transaction is still open: the check covers every step.
            let last = steps.iter().rev().find(|s| self.needs_foreign_keys_off(s));
            if let Some(step) = last {
                let before = &report.revisions[..report.revisions.len().saturating_sub(1)];
                result = self.check_foreign_keys(direction, step, before);
            }
        }
        let result = match restore_foreign_keys {
            Some(was_on) if result.is_err() => {
                let _ = self.conn.rollback();
                let _ = self.restore_foreign_keys(was_on);
                result
            }
            _ => result,
        };
        if let (Some(was_on), Ok(())) = (restore_foreign_keys, &result) {
            let committed = self.conn.commit().map_err(Error::db("committing"));
            let restored = self.restore_foreign_keys(was_on);
            committed?;
            restored?;
            report.elapsed = started.elapsed();
            return Ok(report);
        }
        if self.single_transaction {
            match result {
                Ok(()) => self.conn.commit().map_err(Error::db("committing"))?,
                Err(mut e) => {
                    let _ = self.conn.rollback();
                    if let Error::MigrationFailed(f) = &mut e {
                        f.completed.clear();
                        f.rolled_back = true;
                        f.whole_run = true;
                    }
                    if let Error::Stopped(s) = &mut e {
                        s.completed.clear();
                        s.whole_run = true;
                    }
                    return Err(e);
                }
            }
        } else {
            result?;
        }
        report.elapsed = started.elapsed();
        Ok(report)
    }

    /// `--single-transaction` only makes sense where one transaction can undo DDL.
    fn check_single_transaction(&self, steps: &[Step<'_>]) -> Result<(), Error> {
        if !self.conn.transactional_ddl() {
            return Err(Error::Usage(format!(
                "single-transaction mode is not possible on {}: it commits every DDL statement implicitly, so one transaction around the run could not be rolled back. Run without it: each migration is marked `running` until it completes",
                self.conn.dialect()
            )));
        }
        if let Some(step) = steps.iter().find(|s| !s.script.transaction) {
            return Err(Error::Usage(format!(
                "single-transaction mode cannot include {} ({}): it says `transaction: false`",
                step.script.revision,
                step.script.path.display()
            )));
        }
        Ok(())
    }

    fn run_steps(
        &mut self,
        direction: Direction,
        steps: &[Step<'_>],
        report: &mut RunReport,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<(), Error> {
        let result = self.run_each(direction, steps, report, on_event);
        let flushed = self.flush_pending();
        result?;
        flushed
    }

    /// Sends the pending completion record, if any, in a transaction of its own.
    fn flush_pending(&mut self) -> Result<(), Error> {
        if self.pending_finish.is_empty() && self.pending_time.is_empty() {
            return Ok(());
        }
        let batch = self.with_pending(None);
        self.conn
            .run_batch(&batch)
            .map_err(Error::db("recording the migration"))
    }

    /// One transaction: the pending completion record (taken out), then `more`.
    fn with_pending(&mut self, more: Option<String>) -> Vec<String> {
        let mut batch = vec![self.conn.dialect().sql().begin_statement().to_string()];
        batch.append(&mut self.pending_finish);
        batch.append(&mut self.pending_time);
        batch.extend(more);
        batch.push("COMMIT".into());
        batch
    }

    fn run_each(
        &mut self,
        direction: Direction,
        steps: &[Step<'_>],
        report: &mut RunReport,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<(), Error> {
        let total = steps.len();
        for (n, step) in steps.iter().enumerate() {
            let script = step.script;
            on_event(&Event::Started {
                index: n + 1,
                total,
                direction,
                revision: &script.revision,
                message: script.summary(),
                path: &script.path,
            });
            let t0 = Instant::now();
            match self.run_step(direction, step, report, on_event)? {
                true => {
                    self.current[step.index] = direction == Direction::Up;
                    on_event(&Event::Finished {
                        index: n + 1,
                        total,
                        direction,
                        revision: &script.revision,
                        message: script.summary(),
                        elapsed: t0.elapsed(),
                    });
                    report.revisions.push(script.revision.clone());
                }
                false => {
                    on_event(&Event::Skipped {
                        revision: &script.revision,
                    });
                    report.skipped.push(script.revision.clone());
                }
            }
        }
        Ok(())
    }

    /// Runs one migration and records it. `Ok(false)` when another process got there first.
    fn run_step(
        &mut self,
        direction: Direction,
        step: &Step<'_>,
        report: &RunReport,
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<bool, Error> {
        let script = step.script;
        let id = script.revision.as_str();
        if self.stop.requested() {
            // Between two migrations: the one before is recorded (or its record pending,
            // sent when the run ends); this one has not started.
            return Err(stopped(Some(direction), report.revisions.clone(), None));
        }
        let action = match direction {
            Direction::Up => Action::Upgrade,
            Direction::Down => Action::Downgrade,
        };
        let t0 = Instant::now();
        let atomic = script.transaction && self.conn.transactional_ddl();
        // Under --single-transaction the run's transaction is already open.
        let own_transaction = atomic && !self.single_transaction;
        let per_transaction_lock = self.conn.lock_is_per_transaction();
        // Where the lock is a transaction, a migration that runs outside one still takes
        // it, to check the version table and write its `running` mark.
        let locking = own_transaction || (per_transaction_lock && !atomic);
        let ctx = "recording the migration";
        if atomic && !self.pending_finish.is_empty() {
            self.flush_pending()?;
        }
        // Parsing refuses `foreign_keys: off` without a transaction; under
        // --single-transaction the run as a whole switches it (`run_prepared`).
        let restore_foreign_keys = if own_transaction && self.needs_foreign_keys_off(step) {
            Some(self.foreign_keys_off()?)
        } else {
            None
        };
        if locking {
            if let Err(e) = self.begin() {
                if let Some(was_on) = restore_foreign_keys {
                    let _ = self.restore_foreign_keys(was_on);
                }
                return Err(e);
            }
        }
        let outcome = (|| {
            if per_transaction_lock && !self.confirm_step(direction, step)? {
                return Ok(false);
            }
            // Outside a transaction, what must be committed before a statement starts —
            // the `running` mark (with the previous migration's completion) before the
            // first, how far the migration got before each later one — travels in the
            // same round trip as that statement, ahead of it: the server commits it first
            // and runs the statement only if that worked.
            let mut before = if atomic {
                Vec::new()
            } else {
                let mark = self.running_mark(direction, step);
                if locking {
                    // The lock's transaction is open: the mark commits it.
                    let mut batch = std::mem::take(&mut self.pending_finish);
                    batch.append(&mut self.pending_time);
                    batch.extend([mark, "COMMIT".to_string()]);
                    batch
                } else {
                    self.with_pending(Some(mark))
                }
            };
            let n = step.section.statements.len();
            let last_committed = |k: usize| {
                (!atomic && k > 0).then(|| {
                    let prev = &step.section.statements[k - 1];
                    (prev.text.clone(), step.section.first_line + prev.line - 1)
                })
            };
            let during = |k: usize| StoppedDuring {
                revision: id.to_string(),
                path: script.path.clone(),
                rolled_back: atomic,
                committed: if atomic { 0 } else { k },
                last_committed: last_committed(k),
            };
            for (k, stmt) in step.section.statements.iter().enumerate() {
                if k > 0 && self.stop.requested() {
                    if !atomic {
                        // How far it got is recorded before it stops.
                        self.conn
                            .run_batch(&before)
                            .map_err(Error::db("recording progress"))?;
                    }
                    let completed = report.revisions.clone();
                    return Err(stopped(Some(direction), completed, Some(during(k))));
                }
                on_event(&Event::Statement {
                    revision: id,
                    path: &script.path,
                    line: step.section.first_line + stmt.line - 1,
                    number: k + 1,
                    count: n,
                    sql: &stmt.text,
                });
                let ran = self.conn.run_batch_then(&before, &stmt.text);
                if let Err(BatchError::Ours(e)) = ran {
                    return Err(Error::db(if k == 0 {
                        "marking the migration as running"
                    } else {
                        "recording progress"
                    })(e));
                }
                if let Err(BatchError::Statement(error)) = ran {
                    if !atomic && k == 0 {
                        // Nothing took effect: take the in-progress mark back, so the
                        // database is as it was and the next run is not blocked.
                        self.unmark_running(direction, id)?;
                    }
                    if self.stop.requested() {
                        // Cancelled on the server: the statement did not take effect.
                        let completed = report.revisions.clone();
                        return Err(stopped(Some(direction), completed, Some(during(k))));
                    }
                    return Err(Error::MigrationFailed(Box::new(MigrationFailure {
                        revision: id.to_string(),
                        path: script.path.clone(),
                        direction,
                        statement: stmt.text.clone(),
                        line: step.section.first_line + stmt.line - 1,
                        error,
                        completed: report.revisions.clone(),
                        rolled_back: atomic,
                        whole_run: false,
                        committed: if atomic { 0 } else { k },
                        last_committed: last_committed(k),
                    })));
                }
                // Outside a transaction, record how far it got, with the next statement
                // (not after the last statement: the final update below says `applied`).
                before = if !atomic && k + 1 < n {
                    let state = RowState::in_progress(direction, k + 1);
                    vec![self.history.set_state_sql(id, state, 0)]
                } else {
                    Vec::new()
                };
            }
            if !before.is_empty() {
                // A migration without statements: the mark still goes first.
                self.conn
                    .run_batch(&before)
                    .map_err(Error::db("marking the migration as running"))?;
            }
            if restore_foreign_keys.is_some() {
                self.check_foreign_keys(direction, step, &report.revisions)?;
            }
            let ms = whole_ms(t0.elapsed());
            let now = history::now();
            let h = &self.history;
            let mut batch = Vec::with_capacity(6);
            if atomic {
                // The time of the migration before, now that its commit is over.
                batch.append(&mut self.pending_time);
            }
            batch.push(match (direction, atomic) {
                (Direction::Up, true) => h.insert_sql(
                    &AppliedRow {
                        revision: id.to_string(),
                        checksum: step.section.checksum.clone(),
                        applied_at: String::new(),
                        applied_by: self.actor.clone(),
                        execution_ms: ms,
                        state: RowState::Applied,
                        texts: step.section.texts.clone(),
                    },
                    When::At(&now),
                ),
                (Direction::Up, false) => h.set_state_sql(id, RowState::Applied, ms),
                (Direction::Down, _) => h.delete_sql(id),
            });
            batch.push(h.log_sql(id, action, &self.actor, Some(ms), When::At(&now)));
            if !atomic {
                // The row's final state and its audit row commit together, with the next
                // migration's mark or at the end of the run.
                self.pending_finish = batch;
                return Ok(true);
            }
            if own_transaction {
                batch.push("COMMIT".to_string());
            }
            self.conn.run_batch(&batch).map_err(Error::db(ctx))?;
            if own_transaction {
                // The row says the time until the statements were done; the commit (where
                // SQLite syncs the file) is part of the migration's time too.
                let whole = whole_ms(t0.elapsed());
                if whole != ms {
                    self.pending_time = vec![self.history.set_time_sql(id, whole)];
                }
            }
            Ok(true)
        })();
        let ended = match outcome {
            Ok(false) if locking => self
                .conn
                .rollback()
                .map_err(Error::db("rolling back"))
                .map(|()| false),
            Ok(ran) => Ok(ran),
            Err(e) => {
                // Outside our own transaction this only ends the small recording
                // transaction, if it was open.
                if own_transaction || !atomic {
                    let _ = self.conn.rollback();
                }
                Err(e)
            }
        };
        match restore_foreign_keys {
            Some(was_on) => {
                let restored = self.restore_foreign_keys(was_on);
                let ran = ended?;
                restored?;
                Ok(ran)
            }
            None => ended,
        }
    }

    /// Takes back the [`Migrator::running_mark`] when the migration's first statement failed.
    fn unmark_running(&mut self, direction: Direction, id: &str) -> Result<(), Error> {
        let ctx = "clearing the in-progress mark";
        match direction {
            Direction::Up => self.history.delete(self.conn, id),
            Direction::Down => self.history.set_state(self.conn, id, RowState::Applied, 0),
        }
        .map_err(Error::db(ctx))
    }

    /// Before a migration that cannot be rolled back runs, its row says `running`, so a
    /// crash leaves a visible mark that blocks the next run instead of a silent half-state.
    /// The statement that writes it, to be committed (with the pending completion record of
    /// the migration before, if any) ahead of the migration's first statement.
    fn running_mark(&self, direction: Direction, step: &Step<'_>) -> String {
        let id = step.script.revision.as_str();
        match direction {
            Direction::Down => {
                let state = RowState::in_progress(Direction::Down, 0);
                self.history.set_state_sql(id, state, 0)
            }
            Direction::Up => self.history.insert_sql(
                &AppliedRow {
                    revision: id.to_string(),
                    checksum: step.section.checksum.clone(),
                    applied_at: String::new(),
                    applied_by: self.actor.clone(),
                    execution_ms: 0,
                    state: RowState::in_progress(Direction::Up, 0),
                    texts: step.section.texts.clone(),
                },
                When::At(&history::now()),
            ),
        }
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod tests;
