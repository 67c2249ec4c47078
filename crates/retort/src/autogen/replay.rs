//! The schema the migrations build on a dialect other than the connected database's: every
//! migration's up section for that dialect, run in order on an empty scratch database. With
//! `dialects = ["sqlite", "postgresql"]`, a migration written from a developer's SQLite
//! file gets its PostgreSQL section from this, not from a guess.

use super::scratch::{Role, Scratch};
use crate::dialect::Dialect;
use crate::error::Error;
use crate::graph::Target;
use crate::project::Project;
use crate::schema::Schema;
use crate::script::Direction;

/// Runs every migration's up section for `dialect` on an empty scratch database of it
/// and reads the schema that results; the database, at that schema, is the self-check's
/// copy of it.
pub(super) fn migrated_schema(
    project: &Project,
    dialect: Dialect,
) -> Result<(Scratch, Schema), Error> {
    let graph = &project.graph;
    let plan = if graph.is_empty() {
        Vec::new()
    } else {
        graph
            .plan_upgrade(&vec![false; graph.len()], &Target::Heads)
            .map_err(Error::Target)?
    };
    let mut scratch = Scratch::open(dialect, &project.config, Role::Work)?;
    scratch.reset()?;
    if dialect == Dialect::Sqlite {
        // As `foreign_keys: off` migrations would run; there are no rows to check here.
        let _ = scratch.run("", &["PRAGMA foreign_keys = OFF".to_string()]);
    }
    for i in plan {
        let section = crate::migrator::statements(project, i, Direction::Up, dialect)?;
        let texts: Vec<String> = section.statements.iter().map(|s| s.text.clone()).collect();
        let script = project.script(i);
        scratch
            .run(&format!("{} ({})", script.revision, script.path.display()), &texts)
            .map_err(|reason| {
                Error::Usage(format!(
                    "the migrations do not run on a scratch {dialect} database, so its section cannot be written: {reason}"
                ))
            })?;
    }
    let ours = super::ours(project);
    let schema = scratch.inspect(&ours.each())?;
    Ok((scratch, schema))
}
