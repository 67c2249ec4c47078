//! Before a generated migration is written, it is replayed on a scratch database: the live
//! schema is created there from its model, the up section must then reach the declared
//! schema exactly, and the down section must bring back the schema it started from. Any
//! difference left (or a statement that fails) writes nothing and shows what remained.
//!
//! On a server the copy of the live schema is kept in the project's second scratch
//! database and loaded incrementally, like the declared schema: the dev loop's next run,
//! against a live schema that changed by one migration, creates only what changed. The
//! record of what it holds is dropped before the up section runs and written again only
//! when the down section provably brought the database back.
//!
//! The copy is made in two steps so that the slow one overlaps the declared schema's load:
//! [`prepare`] loads it and checks it against the live schema (while the declared schema
//! loads on another thread, before anyone knows whether a migration is needed), [`run`]
//! replays the sections on it.

use super::incremental;
use super::scratch::{Role, Scratch};
use super::source::DdlText;
use crate::dialect::Dialect;
use crate::error::{Error, SelfCheckFailure};
use crate::project::Project;
use crate::schema::{self, Renames, Rendered, Schema};

/// A scratch database holding the schema a migration starts from, compared equal to it.
pub(super) struct Copy {
    scratch: Scratch,
    /// The copy as inspected: what the down section must bring back.
    start: Schema,
    /// The DDL it was loaded from, recorded again once the down section brought it back;
    /// `None` when it was not loaded from DDL (replayed migrations: nothing to keep).
    loaded: Option<[DdlText; 1]>,
}

impl Copy {
    /// A scratch database already at the start schema (the other dialect's migrations,
    /// replayed): `start` was inspected from it, so it is its own copy.
    pub(super) fn replayed(scratch: Scratch, start: Schema) -> Copy {
        Copy {
            scratch,
            start,
            loaded: None,
        }
    }
}

fn failed(failed: String) -> Error {
    Error::SelfCheck(Box::new(SelfCheckFailure {
        after_up: Vec::new(),
        after_down: Vec::new(),
        failed: Some(failed),
    }))
}

fn described(d: schema::Diff) -> Vec<String> {
    d.changes.iter().map(|c| c.to_string()).collect()
}

/// Loads `live` into the project's second scratch database (incrementally where it is
/// kept) and checks that the database reads it back exactly.
pub(super) fn prepare(project: &Project, live: &Schema) -> Result<Copy, Error> {
    let dialect = live.dialect;
    let ours = super::ours(project);
    let empty = Schema::new(dialect);
    let create = schema::diff(&empty, live, &Renames::none());
    let create = schema::render(&create, &empty, live, dialect)
        .map_err(|e| failed(format!("writing the database's schema anew: {e}")))?;
    let mut scratch = Scratch::open_kept(dialect, &project.config, Role::Work)?;
    if dialect == Dialect::Sqlite {
        // As the migration will run (no rows here: only the order of drops could trip it).
        scratch
            .run(
                "turning foreign keys off",
                &["PRAGMA foreign_keys = OFF".into()],
            )
            .map_err(failed)?;
    }
    let copy = [DdlText {
        path: None,
        origin: "the database's schema, written anew".into(),
        text: create
            .statements
            .iter()
            .map(|s| format!("{s};\n"))
            .collect(),
    }];
    incremental::load(&mut scratch, &copy).map_err(|e| failed(e.to_string()))?;
    let start = scratch.inspect(&ours.each())?;
    let copied = schema::diff(live, &start, &Renames::none());
    if !copied.is_empty() {
        return Err(failed(format!(
            "the scratch copy of the database's schema differs from it: {}",
            described(copied).join("; ")
        )));
    }
    Ok(Copy {
        scratch,
        start,
        loaded: Some(copy),
    })
}

/// Runs the up section on the copy and compares with `declared`, then the down section
/// and compares with where the copy started.
pub(super) fn run(
    project: &Project,
    copy: Copy,
    declared: &Schema,
    up: &Rendered,
    down: &Rendered,
) -> Result<(), Error> {
    let ours = super::ours(project);
    let exclude = ours.each();
    let Copy {
        mut scratch,
        start,
        loaded,
    } = copy;
    incremental::forget_loaded(&mut scratch)?;
    scratch
        .run("the up section", &up.statements)
        .map_err(failed)?;
    let after_up = scratch.inspect(&exclude)?;
    scratch
        .run("the down section", &down.statements)
        .map_err(failed)?;
    let after_down = scratch.inspect(&exclude)?;
    let left_up = schema::diff(&after_up, declared, &Renames::none());
    let left_down = schema::diff(&after_down, &start, &Renames::none());
    if left_up.is_empty() && left_down.is_empty() {
        // Back where the copy was loaded: the next run can keep it.
        if let Some(loaded) = &loaded {
            incremental::remember_loaded(&mut scratch, loaded)?;
        }
        return Ok(());
    }
    Err(Error::SelfCheck(Box::new(SelfCheckFailure {
        after_up: described(left_up),
        after_down: described(left_down),
        failed: None,
    })))
}
