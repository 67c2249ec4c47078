//! A project: its config, its migration files and their revision graph, loaded together
//! so every command starts from one validated picture.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::cores::Cores;
use crate::error::Error;
use crate::graph::{Graph, GraphError, NodeRefs};
use crate::script::{self, Script, Scripts};

/// A loaded, validated project.
#[derive(Debug)]
pub struct Project {
    pub config: Config,
    /// In file-name order; `graph` node `i` is `scripts[i]`.
    scripts: Scripts,
    pub graph: Graph,
}

impl Project {
    /// Reads every migration of the configured folder and builds the graph. Any malformed
    /// file or invalid graph stops here, before a database is touched.
    pub fn load(config: Config) -> Result<Project, Error> {
        Project::load_on(config, &Cores::of_machine())
    }

    /// [`Project::load`], starting threads only on `cores` that are free (see
    /// [`crate::open`], which lends one to the database read).
    pub(crate) fn load_on(config: Config, cores: &Cores) -> Result<Project, Error> {
        let dir = &config.migrations_dir;
        if !dir.is_dir() {
            return Err(Error::Io {
                path: dir.clone(),
                message: "migrations folder not found (run `retort init`, or set migrations.dir)"
                    .into(),
            });
        }
        let cache = script::cache_location(dir);
        let shown = script::display_path(dir, &config.root);
        // The graph is built while the files are checked against the cache.
        let (scripts, graph) =
            script::read_dir_cached_then(dir, &shown, cache.as_deref(), cores, build_graph)?;
        if cache.is_none() {
            return Project::from_graph(config, scripts, graph);
        }
        match Project::from_graph(config.clone(), scripts, graph) {
            Ok(project) => Ok(project),
            // Cached headers carry no line numbers: read the files again so the error
            // points at the line to fix.
            Err(Error::Graph { .. }) => {
                let scripts = script::read_dir_cached(dir, &shown, None)?;
                Project::from_set(config, scripts)
            }
            Err(e) => Err(e),
        }
    }

    /// Builds a project from scripts already in memory (embedded migrations, tests).
    pub fn from_scripts(config: Config, scripts: Vec<Script>) -> Result<Project, Error> {
        Project::from_set(config, Scripts::from_vec(scripts))
    }

    fn from_set(config: Config, scripts: Scripts) -> Result<Project, Error> {
        let graph = build_graph(&scripts);
        Project::from_graph(config, scripts, graph)
    }

    fn from_graph(
        config: Config,
        scripts: Scripts,
        graph: Result<Graph, GraphError>,
    ) -> Result<Project, Error> {
        let graph = graph.map_err(|e| graph_error(&scripts, e))?;
        Ok(Project {
            config,
            scripts,
            graph,
        })
    }

    /// The migration at graph index `index`.
    ///
    /// # Panics
    /// If `index` is out of range; indices come from the graph.
    pub fn script(&self, index: usize) -> &Script {
        self.scripts.get(index)
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
    for h in scripts.headers() {
        refs.push(
            h.revision,
            h.revises.iter(),
            h.depends_on.iter(),
            h.branch_labels.iter(),
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
