//! A project: its config, its migration files and their revision graph, loaded together
//! so every command starts from one validated picture.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Error;
use crate::graph::{Graph, GraphError, NodeRefs};
use crate::script::{self, Script, ScriptHeader, Scripts};

/// A loaded, validated project.
#[derive(Debug)]
pub struct Project {
    pub config: Config,
    /// In file-name order; `graph` node `i` is `scripts[i]`.
    scripts: Scripts,
    pub graph: Graph,
}

impl Project {
    /// Reads every migration header of the configured folder (through the start-up cache
    /// unless the config turns it off) and builds the graph. Any malformed file or invalid
    /// graph stops here, before a database is touched.
    pub fn load(config: Config) -> Result<Project, Error> {
        let dir = &config.migrations_dir;
        if !dir.is_dir() {
            return Err(Error::NoMigrationsDir { path: dir.clone() });
        }
        let cache = config
            .start_up_cache
            .then(|| script::cache_location(dir))
            .flatten();
        let shown = script::display_path(dir, &config.root);
        let scripts = script::read_dir_cached(dir, &shown, cache.as_deref())?;
        Project::from_set(config, scripts)
    }

    /// The migrations of a folder, with every setting at its default
    /// ([`Config::for_migrations`]): for an application that runs them over its own
    /// connection, with no retort.toml.
    ///
    /// ```no_run
    /// let project = retort::Project::from_dir("migrations")?;
    /// println!("{} migrations", project.scripts().len());
    /// # Ok::<(), retort::Error>(())
    /// ```
    pub fn from_dir(dir: impl Into<PathBuf>) -> Result<Project, Error> {
        Project::load(Config::for_migrations(dir))
    }

    /// Migrations held in memory as (file name, text) pairs, in any order: what an
    /// application compiles into itself (`include_str!`, or a macro that embeds a folder).
    /// Names order the migrations as file names do, and messages name them as files.
    ///
    /// ```
    /// let project = retort::Project::from_memory([
    ///     ("0001_users.sql", "-- revision: a1\n-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n"),
    /// ])?;
    /// assert_eq!(project.script(0).revision, "a1");
    /// # Ok::<(), retort::Error>(())
    /// ```
    pub fn from_memory<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Project, Error> {
        let mut files: Vec<(&str, &str)> = files.into_iter().collect();
        files.sort_unstable_by_key(|&(name, _)| name);
        if let Some(pair) = files.windows(2).find(|pair| pair[0].0 == pair[1].0) {
            return Err(Error::Usage(format!(
                "two embedded migrations are named {}",
                pair[0].0
            )));
        }
        let scripts = files
            .into_iter()
            .map(|(name, text)| script::parse(Path::new(name), text))
            .collect::<Result<Vec<_>, _>>()?;
        Project::from_scripts(Config::for_migrations("."), scripts)
    }

    /// Builds a project from scripts already parsed, in file-name order.
    pub fn from_scripts(config: Config, scripts: Vec<Script>) -> Result<Project, Error> {
        Project::from_set(config, Scripts::from_vec(scripts))
    }

    fn from_set(config: Config, scripts: Scripts) -> Result<Project, Error> {
        let graph = build_graph(&scripts).map_err(|e| graph_error(&scripts, e))?;
        Ok(Project {
            config,
            scripts,
            graph,
        })
    }

    /// The header of the migration at graph index `index`.
    ///
    /// # Panics
    /// If `index` is out of range; indices come from the graph.
    pub fn script(&self, index: usize) -> &ScriptHeader {
        self.scripts.get(index)
    }

    /// The whole migration at graph index `index`, its SQL read from its file now and
    /// checked against its header (see [`Scripts::load`]).
    ///
    /// # Panics
    /// If `index` is out of range; indices come from the graph.
    pub fn load_script(&self, index: usize) -> Result<Script, Error> {
        Ok(self.scripts.load(index)?)
    }

    /// Every migration, in file-name order (graph index order).
    pub fn scripts(&self) -> &Scripts {
        &self.scripts
    }

    /// The revision index of an id, if it is on disk.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.graph.index_of(id)
    }

    /// Where the migrations live, relative to the project when possible.
    pub fn migrations_dir(&self) -> PathBuf {
        script::display_path(&self.config.migrations_dir, &self.config.root)
    }

    pub fn root(&self) -> &Path {
        &self.config.root
    }
}

/// The graph of `scripts`, built from their headers without copying them.
fn build_graph(scripts: &Scripts) -> Result<Graph, GraphError> {
    let mut refs = NodeRefs::with_capacity(scripts.len());
    for h in scripts.iter() {
        refs.push(
            &h.revision,
            h.revises.iter().map(String::as_str),
            h.depends_on.iter().map(String::as_str),
            h.branch_labels.iter().map(String::as_str),
        );
    }
    refs.build()
}

/// Points a graph error at the file and header line that cause it.
fn graph_error(scripts: &Scripts, error: GraphError) -> Error {
    let at = |index: usize, key: &str| {
        (index < scripts.len()).then(|| {
            let s = scripts.get(index);
            (Some(s.path.clone()), s.key_line(key))
        })
    };
    let by_id = |id: &str, key: &str| {
        scripts
            .iter()
            .find(|s| s.revision == id)
            .map(|s| (Some(s.path.clone()), s.key_line(key)))
    };
    let place = match &error {
        GraphError::DuplicateId { second, .. } => at(*second, "revision"),
        GraphError::MissingParent { index, .. } => at(*index, "revises"),
        GraphError::MissingDependency { index, .. } => at(*index, "depends_on"),
        GraphError::DuplicateBranchLabel { second, .. } => by_id(second, "branch_labels"),
        GraphError::Cycle { ids } => ids.first().and_then(|id| by_id(id, "revises")),
        _ => None,
    };
    let (path, line) = place.unwrap_or((None, None));
    // A duplicate id names both files: the message alone cannot say which to renumber.
    let note = match &error {
        GraphError::DuplicateId { first, .. } => (*first < scripts.len()).then(|| {
            format!(
                "the same id is already used by {}",
                scripts.get(*first).path.display()
            )
        }),
        _ => None,
    };
    Error::Graph {
        error: Box::new(error),
        path,
        line,
        note,
    }
}
