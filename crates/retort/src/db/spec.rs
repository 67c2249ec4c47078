//! The one typed form of a database URL: built from the URL text and the project root when
//! the config is read, so a bad option is bad input (exit 2) before anything connects, and
//! handed to [`connect`](super::connect) as it is.

use std::fmt;
use std::path::Path;

use super::url::{DatabaseUrl, UrlError};
use crate::dialect::Dialect;

#[cfg(feature = "mysql")]
use super::MysqlOptions;
#[cfg(feature = "postgres")]
use super::PostgresOptions;
#[cfg(feature = "sqlite")]
use super::SqliteOptions;

/// What to connect to and how, parsed once from a URL. Holds the password (inside the
/// driver's options) but shows only the masked URL, in `Debug` too.
#[derive(Clone)]
pub struct ConnectSpec {
    masked_url: String,
    dialect: Dialect,
    driver: DriverOptions,
}

/// The connect options of one driver. A variant exists only when its driver is built
/// (the crate's `sqlite`, `postgres` and `mysql` features).
#[derive(Clone)]
pub enum DriverOptions {
    #[cfg(feature = "sqlite")]
    Sqlite(SqliteOptions),
    #[cfg(feature = "postgres")]
    Postgres(PostgresOptions),
    #[cfg(feature = "mysql")]
    Mysql(MysqlOptions),
}

impl ConnectSpec {
    /// Checks the URL's options for its driver. `root` (the project directory) resolves
    /// retort's own relative SQLite path (`sqlite:app.db`), so a command gives the same
    /// answer from any subfolder; SQLAlchemy's `sqlite:///app.db` is resolved here against
    /// the process's current directory, as the application sharing the URL resolves it,
    /// once, so that nothing later can move it. A URL of a dialect whose driver this build
    /// lacks says which feature would add it.
    pub fn new(url: &DatabaseUrl, root: &Path) -> Result<ConnectSpec, UrlError> {
        let fail = |reason: String| UrlError {
            masked_url: url.masked(),
            reason,
        };
        let driver = match url.dialect() {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => DriverOptions::Sqlite(
                SqliteOptions::new(url, root, std::env::current_dir).map_err(fail)?,
            ),
            #[cfg(feature = "postgres")]
            Dialect::Postgres => DriverOptions::Postgres(
                PostgresOptions::parse(url.expose()).map_err(|e| fail(e.message))?,
            ),
            #[cfg(feature = "mysql")]
            Dialect::Mysql => DriverOptions::Mysql(
                MysqlOptions::parse(url.expose()).map_err(|e| fail(e.message))?,
            ),
            #[allow(unreachable_patterns)]
            dialect => return Err(fail(missing_driver(dialect))),
        };
        #[cfg(not(feature = "sqlite"))]
        let _ = root; // only SQLite paths are relative to it
        Ok(ConnectSpec {
            masked_url: url.masked(),
            dialect: url.dialect(),
            driver,
        })
    }

    /// [`DatabaseUrl::parse`] then [`ConnectSpec::new`]: for an application (or a test)
    /// that has a URL but no `retort.toml`.
    pub fn parse(url: &str, root: &Path) -> Result<ConnectSpec, UrlError> {
        ConnectSpec::new(&DatabaseUrl::parse(url)?, root)
    }

    /// The URL with its password masked: the form for messages.
    pub fn masked_url(&self) -> &str {
        &self.masked_url
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn driver(&self) -> &DriverOptions {
        &self.driver
    }

    /// The same server, user and options, database `name`: where autogenerate creates its
    /// scratch database beside the target. `None` for SQLite, whose scratch is in memory.
    pub fn with_database(&self, name: &str) -> Option<ConnectSpec> {
        let driver = match &self.driver {
            #[cfg(feature = "postgres")]
            DriverOptions::Postgres(o) => Some(DriverOptions::Postgres(o.with_database(name))),
            #[cfg(feature = "mysql")]
            DriverOptions::Mysql(o) => Some(DriverOptions::Mysql(o.with_database(name))),
            #[allow(unreachable_patterns)]
            _ => None,
        };
        driver.map(|driver| ConnectSpec {
            masked_url: format!("{} (database {name})", self.masked_url),
            dialect: self.dialect,
            driver,
        })
    }
}

impl fmt::Debug for ConnectSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ConnectSpec")
            .field(&self.masked_url)
            .finish()
    }
}

/// Why a URL of `dialect` cannot be used by this build.
fn missing_driver(dialect: Dialect) -> String {
    let feature = match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::Mysql => "mysql",
    };
    format!(
        "this build of retort has no {} driver: enable the `{feature}` feature of the retort crate",
        dialect.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_driver_left_out_is_named_with_its_feature() {
        let e = missing_driver(Dialect::Mysql);
        assert!(e.contains("enable the `mysql` feature"), "{e}");
        #[cfg(not(feature = "mysql"))]
        {
            let e = ConnectSpec::parse("mysql://u:hunter2@h/db", Path::new(".")).unwrap_err();
            assert!(e.reason.contains("`mysql` feature"), "{e}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
        }
    }

    #[test]
    fn debug_shows_only_the_masked_url() {
        let url = "postgres://u:hunter2@h/db";
        let Ok(spec) = ConnectSpec::parse(url, Path::new(".")) else {
            return; // a build without the PostgreSQL driver
        };
        assert_eq!(spec.masked_url(), "postgres://u:***@h/db");
        assert!(!format!("{spec:?}").contains("hunter2"));
    }
}
