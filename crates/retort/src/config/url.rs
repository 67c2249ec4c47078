//! Database URLs: which dialect a URL names, where a SQLite file lives, and masking.
//!
//! Every message that shows a URL goes through [`DatabaseUrl::masked`], so a password
//! given in a URL never reaches a terminal, a log or a CI transcript.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::dialect::Dialect;

/// A database URL as the user wrote it (after `${VAR}` expansion), with its dialect known.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    dialect: Dialect,
}

/// Where a SQLite database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqliteLocation {
    Memory,
    File(PathBuf),
}

/// A URL retort cannot use, with the reason. The URL inside is already masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError {
    pub masked_url: String,
    pub reason: String,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid database URL `{}`: {}",
            self.masked_url, self.reason
        )
    }
}

impl std::error::Error for UrlError {}

impl DatabaseUrl {
    /// Recognises `sqlite:`, `postgres://`, `postgresql://`, `mysql://` and `mariadb://`.
    pub fn parse(raw: &str) -> Result<DatabaseUrl, UrlError> {
        let raw = raw.trim();
        let err = |reason: &str| UrlError {
            masked_url: mask(raw),
            reason: reason.to_string(),
        };
        let scheme = raw
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .ok_or_else(|| err("no scheme; expected sqlite:, postgres:// or mysql://"))?;
        let dialect = match scheme.as_str() {
            "sqlite" | "sqlite3" => Dialect::Sqlite,
            "postgres" | "postgresql" => Dialect::Postgres,
            "mysql" | "mariadb" => Dialect::Mysql,
            other => {
                return Err(err(&format!(
                    "unknown scheme `{other}`; expected sqlite:, postgres:// or mysql://"
                )))
            }
        };
        if dialect != Dialect::Sqlite && !raw[scheme.len()..].starts_with("://") {
            return Err(err("expected `//` after the scheme"));
        }
        let url = DatabaseUrl {
            raw: raw.to_string(),
            dialect,
        };
        if dialect == Dialect::Sqlite && url.sqlite_path_text().is_empty() {
            return Err(err("no file path; use sqlite:app.db or sqlite::memory:"));
        }
        Ok(url)
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The URL exactly as given. Only for handing to a driver: never print it.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// The URL with any password replaced by `***`: the only form fit for messages.
    pub fn masked(&self) -> String {
        mask(&self.raw)
    }

    fn sqlite_path_text(&self) -> &str {
        let rest = &self.raw[self.raw.find(':').map_or(0, |i| i + 1)..];
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        rest.split('?').next().unwrap_or("")
    }

    /// For a SQLite URL, the database file (relative paths are taken from `base`, the
    /// project directory, so a command gives the same answer from any subfolder).
    pub fn sqlite_location(&self, base: &Path) -> Option<SqliteLocation> {
        if self.dialect != Dialect::Sqlite {
            return None;
        }
        let path = self.sqlite_path_text();
        if path == ":memory:" {
            return Some(SqliteLocation::Memory);
        }
        let path = Path::new(path);
        Some(SqliteLocation::File(if path.is_absolute() {
            path.to_path_buf()
        } else {
            base.join(path)
        }))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DatabaseUrl").field(&self.masked()).finish()
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Replaces the password of `scheme://user:password@host…` (and a `password=` query
/// option) with `***`. Works on any string, so it can also clean a driver's error text.
pub fn mask(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let auth_start = scheme_end + 3;
        // The user part ends at the LAST `@`: a password typed without percent-encoding
        // may itself hold `/ ? # @`, and masking a little too much is harmless where
        // masking too little is not.
        if let Some(at) = out[auth_start..].rfind('@') {
            let at = auth_start + at;
            if let Some(colon) = out[auth_start..at].find(':') {
                out.replace_range(auth_start + colon + 1..at, "***");
            }
        }
    }
    for key in ["password=", "pass=", "sslpassword="] {
        let mut from = 0;
        while let Some(i) = out[from..].to_ascii_lowercase().find(key) {
            let start = from + i + key.len();
            let end = out[start..].find('&').map_or(out.len(), |j| start + j);
            out.replace_range(start..end, "***");
            from = start + 3;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_from_schemes() {
        for (url, d) in [
            ("sqlite:app.db", Dialect::Sqlite),
            ("sqlite::memory:", Dialect::Sqlite),
            ("sqlite:///tmp/x.db", Dialect::Sqlite),
            ("postgres://u@h/db", Dialect::Postgres),
            ("postgresql://u@h/db", Dialect::Postgres),
            ("mysql://root@h/db", Dialect::Mysql),
            ("mariadb://root@h/db", Dialect::Mysql),
        ] {
            assert_eq!(DatabaseUrl::parse(url).unwrap().dialect(), d, "{url}");
        }
    }

    #[test]
    fn rejects_unknown_and_incomplete() {
        assert!(DatabaseUrl::parse("oracle://x").is_err());
        assert!(DatabaseUrl::parse("app.db").is_err());
        assert!(DatabaseUrl::parse("sqlite:").is_err());
        assert!(DatabaseUrl::parse("postgres:db").is_err());
        let e = DatabaseUrl::parse("redis://u:hunter2@h").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn sqlite_paths() {
        let base = Path::new("/proj");
        let loc = |u: &str| {
            DatabaseUrl::parse(u)
                .unwrap()
                .sqlite_location(base)
                .unwrap()
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

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(mask("mysql://u:p%40ss@h/db?x=1"), "mysql://u:***@h/db?x=1");
        assert_eq!(mask("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            mask("postgres://h/db?password=abc&x=1"),
            "postgres://h/db?password=***&x=1"
        );
        assert_eq!(mask("sqlite:app.db"), "sqlite:app.db");
        assert_eq!(mask("postgres://u:a@b@h/db"), "postgres://u:***@h/db");
        assert_eq!(mask("mysql://u:pa/ss@h/db"), "mysql://u:***@h/db");
        assert_eq!(
            mask("mysql://u:p?a#s@h:1/db?x=1"),
            "mysql://u:***@h:1/db?x=1"
        );
        let url = DatabaseUrl::parse("postgres://u:secret@h/db").unwrap();
        assert!(!format!("{url} {url:?}").contains("secret"));
    }
}
