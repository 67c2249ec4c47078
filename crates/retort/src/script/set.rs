//! The migrations of a project, as one collection: every file's header, and where to read
//! the SQL of the ones that run or are shown.

use std::ops::Index;
use std::path::{Path, PathBuf};

use super::dir::{read_cached, read_script, Listing};
use super::error::ScriptError;
use super::header::{Direction, ScriptHeader};
use super::text::Script;
use crate::dialect::Dialect;

/// The headers of every migration in `dir`, as [`read_dir`](crate::script::read_dir) would
/// parse them, taking unchanged files from the start-up cache at `cache_path` (see
/// [`cache_location`](crate::script::cache_location)) and rewriting the cache when anything
/// changed. Each header's `path` is `shown` joined with its file name (the folder as
/// messages should name it, e.g. relative to the project).
pub fn read_dir_cached(
    dir: &Path,
    shown: &Path,
    cache_path: Option<&Path>,
) -> Result<Scripts, ScriptError> {
    let listing = read_cached(dir, shown, cache_path)?;
    Ok(Scripts::in_folder(dir, listing))
}

/// Migration headers in file-name order (the graph breaks ties between unrelated revisions
/// by this order). Index it like a slice; [`Scripts::load`] gives a whole [`Script`].
pub struct Scripts {
    headers: Vec<ScriptHeader>,
    texts: Texts,
    /// Which headers came from the start-up cache rather than their file.
    cached: Vec<bool>,
    /// Whether the folder was listed (rather than, unchanged, known from the cache).
    listed: bool,
}

/// Where the SQL of the migrations is.
enum Texts {
    /// In their files, in this folder.
    Folder(PathBuf),
    /// Already in memory (embedded migrations, tests), index for index.
    Memory(Vec<Script>),
}

impl Scripts {
    /// Scripts already in memory (embedded migrations, tests).
    pub fn from_vec(scripts: Vec<Script>) -> Scripts {
        Scripts {
            headers: scripts.iter().map(|s| s.header.clone()).collect(),
            cached: vec![false; scripts.len()],
            texts: Texts::Memory(scripts),
            listed: true,
        }
    }

    /// The headers of the files of the folder `dir`, as [`read_cached`] found them.
    fn in_folder(dir: &Path, listing: Listing) -> Scripts {
        let Listing {
            headers,
            cached,
            listed,
        } = listing;
        Scripts {
            headers,
            texts: Texts::Folder(dir.to_path_buf()),
            cached,
            listed,
        }
    }

    /// The whole migration at `i`, its SQL read now. A file that no longer says what its
    /// header said (see [`ScriptHeader::same_migration`]) is an error: a plan made from
    /// the header must not run other SQL, nor record it under the header's revision.
    ///
    /// # Panics
    /// If `i >= len()`, like slice indexing.
    pub fn load(&self, i: usize) -> Result<Script, ScriptError> {
        let header = &self.headers[i];
        let dir = match &self.texts {
            Texts::Memory(scripts) => return Ok(scripts[i].clone()),
            Texts::Folder(dir) => dir,
        };
        let name = header
            .path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let shown = header.path.parent().unwrap_or(Path::new(""));
        let script = read_script(dir, shown, name)?;
        if !header.same_migration(&script.header) {
            return Err(ScriptError {
                path: header.path.clone(),
                line: None,
                message: "the file changed while retort was running (its header or SQL is not what the plan was made from); nothing of it ran: run the command again".into(),
            });
        }
        Ok(script)
    }

    /// Whether the folder had to be listed: `false` when it was unchanged since the
    /// start-up cache was written, which then knew its files.
    pub fn listed_folder(&self) -> bool {
        self.listed
    }

    /// Whether the header at `i` came from the start-up cache.
    pub fn from_cache(&self, i: usize) -> bool {
        self.cached.get(i).copied().unwrap_or(false)
    }

    pub fn len(&self) -> usize {
        self.headers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// The header at `i`.
    ///
    /// # Panics
    /// If `i >= len()`, like slice indexing.
    pub fn get(&self, i: usize) -> &ScriptHeader {
        &self.headers[i]
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ScriptHeader> {
        self.headers.iter()
    }

    /// [`ScriptHeader::summary`] of the script at `i`.
    pub fn summary(&self, i: usize) -> &str {
        self.headers[i].summary()
    }

    /// The checksum of the up section of the script at `i` that runs on `dialect` (`None`
    /// without one).
    pub fn up_checksum(&self, i: usize, dialect: Dialect) -> Option<&str> {
        self.headers[i]
            .section(Direction::Up, dialect)
            .map(|s| s.sum.as_str())
    }
}

impl Index<usize> for Scripts {
    type Output = ScriptHeader;

    fn index(&self, i: usize) -> &ScriptHeader {
        self.get(i)
    }
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripts").field("len", &self.len()).finish()
    }
}
