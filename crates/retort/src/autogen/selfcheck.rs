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

use super::incremental;
use super::scratch::{Role, Scratch};
use super::source::DdlText;
use crate::dialect::Dialect;
use crate::error::{Error, SelfCheckFailure};
use crate::project::Project;
use crate::schema::{self, Renames, Rendered, Schema};

pub(super) fn run(
    project: &Project,
    live: &Schema,
    declared: &Schema,
    up: &Rendered,
    down: &Rendered,
) -> Result<(), Error> {
    let dialect = live.dialect;
    let ours = super::ours(project);
    let exclude = ours.each();
    let failed = |failed: String| {
        Error::SelfCheck(Box::new(SelfCheckFailure {
            after_up: Vec::new(),
            after_down: Vec::new(),
            failed: Some(failed),
        }))
    };
    let described =
        |d: schema::Diff| -> Vec<String> { d.changes.iter().map(|c| c.to_string()).collect() };

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
    let start = scratch.inspect(&exclude)?;
    let copied = schema::diff(live, &start, &Renames::none());
    if !copied.is_empty() {
        return Err(failed(format!(
            "the scratch copy of the database's schema differs from it: {}",
            described(copied).join("; ")
        )));
    }
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
        incremental::remember_loaded(&mut scratch, &copy)?;
        return Ok(());
    }
    Err(Error::SelfCheck(Box::new(SelfCheckFailure {
        after_up: described(left_up),
        after_down: described(left_down),
        failed: None,
    })))
}
