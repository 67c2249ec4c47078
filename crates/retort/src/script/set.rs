//! The migrations of a folder, as one collection. Files trusted from the start-up cache
//! stay as the cache's text until a command asks for one: `heads` at 10,000 revisions
//! needs every header's ids but only one message.

use std::ops::Index;
use std::path::PathBuf;
use std::sync::OnceLock;

use super::cache::{Cache, BRANCH_LABELS, DEPENDS_ON, REVISES, REVISION};
use super::{Direction, Script};
use crate::dialect::Dialect;

/// Migration files in file-name order (the graph breaks ties between unrelated revisions
/// by this order). Index it like a slice; a script from the cache is built on first use.
pub struct Scripts {
    cache: Option<Cache>,
    /// The folder as messages name it: cached scripts' paths are built from it.
    shown: PathBuf,
    slots: Vec<Slot>,
    /// Whether the folder was listed (or, unchanged, known from the cache).
    listed: bool,
}

/// Where one file's script comes from, as `read_dir_cached` decides it.
pub(super) enum Source {
    /// This entry of the cache.
    Cached(usize),
    /// The file, just read.
    Read(Box<Script>),
}

enum Slot {
    /// Entry `entry` of the cache, built into `script` when first asked for.
    Cached {
        entry: usize,
        script: OnceLock<Box<Script>>,
    },
    Read(Box<Script>),
}

/// What the revision graph needs of one script, borrowed.
#[derive(Clone, Copy)]
pub struct Header<'a> {
    pub revision: &'a str,
    pub revises: Refs<'a>,
    pub depends_on: Refs<'a>,
    pub branch_labels: Refs<'a>,
}

/// A list of ids or labels, borrowed from a script or from the cache's text (where a list
/// is one comma-separated field).
#[derive(Clone, Copy)]
pub enum Refs<'a> {
    Owned(&'a [String]),
    Joined(&'a str),
}

impl<'a> Refs<'a> {
    pub fn iter(self) -> impl Iterator<Item = &'a str> {
        let (owned, joined) = match self {
            Refs::Owned(items) => (items, ""),
            Refs::Joined(text) => (&[][..], text),
        };
        owned.iter().map(String::as_str).chain(Commas(joined))
    }
}

/// The non-empty items of a comma-separated list. `str::split` sets up a pattern searcher
/// for each list: at 10,000 revisions, three lists each, that was most of building the graph.
struct Commas<'a>(&'a str);

impl<'a> Iterator for Commas<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        while !self.0.is_empty() {
            let (item, rest) = match self.0.bytes().position(|b| b == b',') {
                Some(k) => (&self.0[..k], &self.0[k + 1..]),
                None => (self.0, ""),
            };
            self.0 = rest;
            if !item.is_empty() {
                return Some(item);
            }
        }
        None
    }
}

impl Scripts {
    /// Scripts already in memory (embedded migrations, tests, files just read).
    pub fn from_vec(scripts: Vec<Script>) -> Scripts {
        Scripts {
            cache: None,
            shown: PathBuf::new(),
            slots: scripts
                .into_iter()
                .map(|s| Slot::Read(Box::new(s)))
                .collect(),
            listed: true,
        }
    }

    /// Assembles a folder's scripts, cached entries referring to `cache`.
    pub(super) fn assemble(
        cache: Option<Cache>,
        shown: PathBuf,
        sources: Vec<Source>,
        listed: bool,
    ) -> Scripts {
        let slots = sources
            .into_iter()
            .map(|source| match source {
                Source::Cached(entry) if cache.is_some() => Slot::Cached {
                    entry,
                    script: OnceLock::new(),
                },
                Source::Cached(_) => unreachable!("a cached script without its cache"),
                Source::Read(script) => Slot::Read(script),
            })
            .collect();
        Scripts {
            cache,
            shown,
            slots,
            listed,
        }
    }

    /// The cache the scripts refer to, if any.
    pub(super) fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    /// The cache back, for scripts assembled from it alone that turned out not to be
    /// trusted after all.
    pub(super) fn into_cache(self) -> Option<Cache> {
        self.cache
    }

    /// Whether the folder had to be listed: `false` when it was unchanged since the
    /// start-up cache was written, which then knew its files.
    pub fn listed_folder(&self) -> bool {
        self.listed
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The script at `i`.
    ///
    /// # Panics
    /// If `i >= len()`, like slice indexing.
    pub fn get(&self, i: usize) -> &Script {
        match &self.slots[i] {
            Slot::Read(script) => script,
            Slot::Cached { entry, script } => script.get_or_init(|| {
                let (cache, entry) = self.cached(*entry);
                Box::new(cache.script(entry, &self.shown))
            }),
        }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Script> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// Every script's graph header, without building the scripts.
    pub fn headers(&self) -> impl ExactSizeIterator<Item = Header<'_>> {
        (0..self.len()).map(|i| self.header(i))
    }

    /// The graph header of the script at `i`, without building it.
    pub fn header(&self, i: usize) -> Header<'_> {
        match &self.slots[i] {
            Slot::Read(s) => Header {
                revision: &s.revision,
                revises: Refs::Owned(&s.revises),
                depends_on: Refs::Owned(&s.depends_on),
                branch_labels: Refs::Owned(&s.branch_labels),
            },
            Slot::Cached { entry, .. } => {
                let (cache, entry) = self.cached(*entry);
                Header {
                    revision: cache.field(entry, REVISION),
                    revises: Refs::Joined(cache.field(entry, REVISES)),
                    depends_on: Refs::Joined(cache.field(entry, DEPENDS_ON)),
                    branch_labels: Refs::Joined(cache.field(entry, BRANCH_LABELS)),
                }
            }
        }
    }

    /// [`Script::summary`] of the script at `i`, without building it: listings of
    /// thousands of revisions need nothing else of most of them.
    pub fn summary(&self, i: usize) -> &str {
        match &self.slots[i] {
            Slot::Read(s) => s.summary(),
            Slot::Cached { entry, .. } => {
                let (cache, entry) = self.cached(*entry);
                cache.summary(entry)
            }
        }
    }

    /// [`Script::up_checksum`] of the script at `i` (`None` without an up section for
    /// `dialect`), without building it: comparing every applied row with its file needs
    /// nothing else.
    pub fn up_checksum(&self, i: usize, dialect: Dialect) -> Option<&str> {
        match &self.slots[i] {
            Slot::Read(s) => s.section(Direction::Up, dialect).map(|x| x.sum.as_str()),
            Slot::Cached { entry, .. } => {
                let (cache, entry) = self.cached(*entry);
                cache.up_sum(entry, dialect)
            }
        }
    }

    fn cached(&self, entry: usize) -> (&Cache, usize) {
        match &self.cache {
            Some(cache) => (cache, entry),
            // `assemble` only makes cached slots with a cache.
            None => unreachable!("a cached script without its cache"),
        }
    }
}

impl Index<usize> for Scripts {
    type Output = Script;

    fn index(&self, i: usize) -> &Script {
        self.get(i)
    }
}

impl std::fmt::Debug for Scripts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scripts").field("len", &self.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_lists_give_their_non_empty_items() {
        let items = |text| Refs::Joined(text).iter().collect::<Vec<_>>();
        assert!(items("").is_empty());
        assert_eq!(items("a1"), ["a1"]);
        assert_eq!(items("a1,b2"), ["a1", "b2"]);
        assert_eq!(items(",a1,,b2,"), ["a1", "b2"]);
        assert!(items(",,").is_empty());
        let owned = ["x".to_string()];
        assert_eq!(Refs::Owned(&owned).iter().collect::<Vec<_>>(), ["x"]);
    }
}
