//! A `sqlite:` URL into the database to open: a file (relative paths from the project
//! directory) or `:memory:`.

use std::path::{Path, PathBuf};

use crate::db::DatabaseUrl;

/// Where a SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    Memory,
    File(PathBuf),
}

/// What a `sqlite:` URL says. The query part of the URL is ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    location: SqliteLocation,
}

impl SqliteOptions {
    /// From a URL known to be a `sqlite:` one; relative paths are taken from `base`, the
    /// project directory, so a command gives the same answer from any subfolder.
    pub(crate) fn new(url: &DatabaseUrl, base: &Path) -> SqliteOptions {
        let path = url.sqlite_path_text();
        let location = if path == ":memory:" {
            SqliteLocation::Memory
        } else {
            let path = Path::new(path);
            SqliteLocation::File(if path.is_absolute() {
                path.to_path_buf()
            } else {
                base.join(path)
            })
        };
        SqliteOptions { location }
    }

    pub fn location(&self) -> &SqliteLocation {
        &self.location
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        let base = Path::new("/proj");
        let loc = |u: &str| {
            SqliteOptions::new(&DatabaseUrl::parse(u).unwrap(), base)
                .location()
                .clone()
        };
        assert_eq!(loc("sqlite::memory:"), SqliteLocation::Memory);
        assert_eq!(
            loc("sqlite:app.db"),
            SqliteLocation::File("/proj/app.db".into())
        );
        assert_eq!(
            loc("sqlite:/var/a.db"),
            SqliteLocation::File("/var/a.db".into())
        );
        assert_eq!(
            loc("sqlite:///var/a.db"),
            SqliteLocation::File("/var/a.db".into())
        );
        assert_eq!(
            loc("sqlite://rel.db"),
            SqliteLocation::File("/proj/rel.db".into())
        );
    }
}
