//! A `sqlite:` URL into the database to open. Two families of forms, because a team's
//! `DATABASE_URL` is often written for SQLAlchemy and must open the very file the
//! application opens:
//!
//! | URL | database |
//! |---|---|
//! | `sqlite:app.db` | retort's own form: relative to the project folder (of retort.toml) |
//! | `sqlite:/abs/app.db` | an absolute path |
//! | `sqlite::memory:` | in memory |
//! | `sqlite:///app.db` | SQLAlchemy's: relative to the process's current directory |
//! | `sqlite:////abs/app.db` | SQLAlchemy's absolute path |
//! | `sqlite://`, `sqlite:///`, `sqlite:///:memory:` | SQLAlchemy's in-memory forms |
//!
//! `sqlite://app.db` (a host part) is refused, as SQLAlchemy refuses it: one tool would
//! otherwise read it one way and the other another. The query part holds no option retort
//! could honour on SQLite (SQLAlchemy's are the Python driver's: `timeout`,
//! `check_same_thread`, `uri`…), and an option is never silently dropped, so any is refused.

use std::path::{Path, PathBuf};

use crate::db::DatabaseUrl;

/// Where a SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    Memory,
    File(PathBuf),
}

/// What a `sqlite:` URL says, paths already made absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqliteOptions {
    location: SqliteLocation,
}

/// Which directory a relative path of the URL starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    /// retort's `sqlite:rel.db`: the project folder, so any subfolder gives the same answer.
    Project,
    /// SQLAlchemy's `sqlite:///rel.db`: the current directory, as the application sees it.
    CurrentDir,
}

impl SqliteOptions {
    /// From a URL known to be a `sqlite:` one. `project` is the project folder; `cwd` is
    /// asked only for SQLAlchemy's relative form (the process's current directory), so a
    /// URL that does not need it works even where the current directory is gone.
    pub(crate) fn new(
        url: &DatabaseUrl,
        project: &Path,
        cwd: impl FnOnce() -> std::io::Result<PathBuf>,
    ) -> Result<SqliteOptions, String> {
        let rest = url.sqlite_rest();
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        if let Some(pair) = query.split('&').find(|p| !p.is_empty()) {
            let key = pair.split_once('=').map_or(pair, |(k, _)| k);
            return Err(format!(
                "option `{key}`: retort's SQLite URLs take no options (the lock timeout is `lock_timeout` in [database])"
            ));
        }
        let (path, base) = match rest.strip_prefix("//") {
            // SQLAlchemy's forms: `//` then an empty host, then the path.
            Some("") => return Ok(SqliteOptions::memory()),
            Some(":memory:") => return Ok(SqliteOptions::memory()), // its older docs' form
            Some(after) => match after.strip_prefix('/') {
                Some("" | ":memory:") => return Ok(SqliteOptions::memory()),
                Some(path) => (path, Base::CurrentDir),
                None => {
                    let host = after.split('/').next().unwrap_or(after);
                    return Err(format!(
                        "`{host}` stands where a host goes (sqlite://HOST/…), and SQLite has none; \
                         SQLAlchemy refuses this form too. Write sqlite:///{after} (from the current \
                         directory), sqlite:{after} (from the project folder) or sqlite:////absolute/path.db"
                    ));
                }
            },
            None if rest == ":memory:" => return Ok(SqliteOptions::memory()),
            None => (rest, Base::Project),
        };
        if path.is_empty() {
            return Err(
                "no file path; use sqlite:app.db, sqlite:///app.db or sqlite::memory:".into(),
            );
        }
        let path = Path::new(path);
        let file = if path.is_absolute() {
            path.to_path_buf()
        } else {
            match base {
                Base::Project => project.join(path),
                Base::CurrentDir => cwd()
                    .map_err(|e| {
                        format!(
                            "a sqlite:/// path is relative to the current directory, which cannot be read: {e}"
                        )
                    })?
                    .join(path),
            }
        };
        Ok(SqliteOptions {
            location: SqliteLocation::File(file),
        })
    }

    fn memory() -> SqliteOptions {
        SqliteOptions {
            location: SqliteLocation::Memory,
        }
    }

    pub fn location(&self) -> &SqliteLocation {
        &self.location
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(u: &str) -> Result<SqliteLocation, String> {
        let cwd = || Ok(PathBuf::from("/work/here"));
        SqliteOptions::new(&DatabaseUrl::parse(u).unwrap(), Path::new("/proj"), cwd)
            .map(|o| o.location().clone())
    }

    fn file(path: &str) -> Result<SqliteLocation, String> {
        Ok(SqliteLocation::File(path.into()))
    }

    #[test]
    fn retorts_own_forms_start_at_the_project_folder() {
        assert_eq!(parse("sqlite::memory:"), Ok(SqliteLocation::Memory));
        assert_eq!(parse("sqlite:app.db"), file("/proj/app.db"));
        assert_eq!(parse("sqlite:./data/app.db"), file("/proj/./data/app.db"));
        assert_eq!(parse("sqlite:/var/a.db"), file("/var/a.db"));
        assert_eq!(parse("sqlite3:app.db"), file("/proj/app.db"));
    }

    #[test]
    fn sqlalchemy_forms_mean_what_they_mean_to_sqlalchemy() {
        // Relative to the current directory, never to `/`: `sqlite:///./x.db` once made
        // `/x.db`.
        assert_eq!(parse("sqlite:///rel.db"), file("/work/here/rel.db"));
        assert_eq!(parse("sqlite:///./x.db"), file("/work/here/./x.db"));
        assert_eq!(parse("sqlite:///../up.db"), file("/work/here/../up.db"));
        assert_eq!(
            parse("sqlite:///sub/dir/a.db"),
            file("/work/here/sub/dir/a.db")
        );
        assert_eq!(parse("sqlite:////var/a.db"), file("/var/a.db"));
        assert_eq!(parse("sqlite:////tmp/x.db"), file("/tmp/x.db"));
        for memory in [
            "sqlite://",
            "sqlite:///",
            "sqlite:///:memory:",
            "sqlite://:memory:",
        ] {
            assert_eq!(parse(memory), Ok(SqliteLocation::Memory), "{memory}");
        }
        // The driver suffix changes nothing.
        assert_eq!(
            parse("sqlite+pysqlite:///rel.db"),
            file("/work/here/rel.db")
        );
        assert_eq!(parse("sqlite+aiosqlite:////abs.db"), file("/abs.db"));
        assert_eq!(parse("sqlite+aiosqlite://"), Ok(SqliteLocation::Memory));
    }

    #[test]
    fn a_host_part_is_refused_as_sqlalchemy_refuses_it() {
        let e = parse("sqlite://rel.db").unwrap_err();
        assert!(e.contains("`rel.db` stands where a host goes"), "{e}");
        assert!(
            e.contains("sqlite:///rel.db") && e.contains("sqlite:rel.db"),
            "{e}"
        );
        let e = parse("sqlite://data/app.db").unwrap_err();
        assert!(
            e.contains("`data`") && e.contains("sqlite:///data/app.db"),
            "{e}"
        );
    }

    #[test]
    fn options_are_refused_not_dropped() {
        for url in [
            "sqlite:app.db?timeout=5",
            "sqlite:///app.db?check_same_thread=false",
            "sqlite:///file:app.db?mode=ro&uri=true",
        ] {
            let e = parse(url).unwrap_err();
            assert!(e.contains("take no options"), "{url}: {e}");
        }
        assert!(parse("sqlite:?").is_err());
        assert!(parse("sqlite:///app.db?timeout=5")
            .unwrap_err()
            .contains("`timeout`"));
    }

    #[test]
    fn the_current_directory_is_asked_only_when_needed() {
        let url = |u: &str| DatabaseUrl::parse(u).unwrap();
        let gone = || Err(std::io::Error::other("gone"));
        let root = Path::new("/proj");
        assert!(SqliteOptions::new(&url("sqlite:app.db"), root, gone).is_ok());
        assert!(SqliteOptions::new(&url("sqlite:////a.db"), root, gone).is_ok());
        let e = SqliteOptions::new(&url("sqlite:///a.db"), root, gone).unwrap_err();
        assert!(e.contains("current directory") && e.contains("gone"), "{e}");
    }
}
