//! What to type next. The library's messages say what is wrong and what has to be done;
//! an application that embeds it has no `retort` command and no `--config` flag, so the
//! commands that do it are named here, under the message.

use retort::config::ConfigError;
use retort::graph::GraphError;
use retort::schema::Rename;
use retort::Error;

/// The commands that fix `error`, as `hint:` lines (empty when there is nothing to type).
pub fn hints(error: &Error) -> Vec<String> {
    match error {
        Error::Config(ConfigError::NotFound { .. }) => {
            vec!["run `retort init` to create one, or pass --config".into()]
        }
        Error::NoMigrationsDir { .. } => {
            vec!["run `retort init`, or set `dir` in the [migrations] table".into()]
        }
        Error::MissingOnDisk { .. } => {
            vec!["restore their files, or remove them with `retort stamp --purge <target>`".into()]
        }
        Error::Irreversible { .. } => {
            vec!["add a `-- migrate:down` section, or stamp past it with `retort stamp`".into()]
        }
        Error::ChecksumMismatch(_) => {
            vec!["`retort repair` accepts the files as they are (it runs nothing)".into()]
        }
        Error::Interrupted(_) => vec![stamp_hint()],
        Error::NotAtHead { .. } => {
            vec!["`retort upgrade head`, then write the new revision".into()]
        }
        Error::LikelyRenames(renames) => renames
            .iter()
            .map(|r| match r {
                Rename::Table { from, to } => format!(
                    "a rename: --rename-table {from}={to}; a drop and a new table: --allow-drop"
                ),
                Rename::Column { table, from, to } => format!(
                    "a rename: --rename-column {table}.{from}={to}; a drop and a new column: --allow-drop"
                ),
            })
            .collect(),
        Error::Target(graph) => graph_hints(graph),
        Error::Graph { error, .. } => graph_hints(error),
        Error::MigrationFailed(f) if !f.rolled_back && f.committed > 0 => vec![stamp_hint()],
        Error::Stopped(s) if s.during.as_ref().is_some_and(|d| d.committed > 0) => {
            vec![stamp_hint()]
        }
        _ => Vec::new(),
    }
}

fn graph_hints(error: &GraphError) -> Vec<String> {
    match error {
        GraphError::UnknownRevision { .. } => vec!["`retort history` lists the revisions".into()],
        GraphError::MultipleHeads { .. } => vec!["`retort merge` joins the heads".into()],
        GraphError::NotApplied { rev } => vec![format!(
            "`retort current` shows what is applied; `retort upgrade {rev}` goes there"
        )],
        GraphError::WrongDirection { target } if target.starts_with('-') => {
            vec![format!("run `retort downgrade {target}`")]
        }
        GraphError::WrongDirection { target } => vec![format!("run `retort upgrade {target}`")],
        _ => Vec::new(),
    }
}

fn stamp_hint() -> String {
    "`retort stamp <revision>` records the revision the schema matches once it is fixed".into()
}
