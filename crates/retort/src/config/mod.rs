//! `retort.toml`: finding it, reading it, expanding `${VAR}`, and choosing the database URL.
//!
//! Precedence of the URL (DESIGN.md): `--url` > `[environments.NAME]` with `--env NAME` >
//! `[database] url` > `DATABASE_URL` > `sqlite:app.db`. Variables come from the process
//! environment first, then from a `.env` file beside `retort.toml`.

mod interpolate;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use interpolate::{interpolate, InterpolateError};

use crate::db::{
    wait_from_secs, ConnectOptions, ConnectSpec, DatabaseUrl, UrlError, MAX_WAIT_SECS,
};
use crate::dialect::Dialect;

/// The config file name looked up in the current directory and its parents.
pub const CONFIG_FILE: &str = "retort.toml";
/// The file-name template when the config does not set one.
pub const DEFAULT_FILE_TEMPLATE: &str = "{year}_{month}_{day}_{hour}{minute}-{rev}_{slug}";
const DEFAULT_URL: &str = "${DATABASE_URL:-sqlite:app.db}";
const DEFAULT_VERSION_TABLE: &str = "retort_version";
const DEFAULT_LOCK_TIMEOUT_SECS: u64 = 60;
const DEFAULT_CONNECT_TIMEOUT_SECS: u64 = 10;

/// Everything a command needs from the project's configuration, resolved.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory holding `retort.toml`: relative paths in the config start here.
    pub root: PathBuf,
    /// The config file read, if any (`None` when built with [`Config::in_dir`]).
    pub path: Option<PathBuf>,
    pub migrations_dir: PathBuf,
    pub file_template: String,
    pub schema: Option<String>,
    pub version_table: String,
    pub dialects: Vec<Dialect>,
    /// PostgreSQL schema to migrate (`[database] schema`): the search path, created on
    /// first write.
    pub db_schema: Option<String>,
    /// How long to wait for another process holding the migration lock.
    pub lock_timeout: Duration,
    /// How long to wait for the server to answer.
    pub connect_timeout: Duration,
    /// `protected = true` in the selected `[environments.NAME]` table (or `[database]`):
    /// a production database, where development commands such as `redo` are refused
    /// unless forced.
    pub protected: bool,
    /// Whether migration headers may come from the start-up cache (an accelerator only):
    /// `retort validate` turns it off to read every file.
    pub start_up_cache: bool,
    url: Result<DatabaseUrl, ConfigError>,
    /// The URL checked for its driver, built once here (see [`Config::connect_spec`]).
    spec: Result<ConnectSpec, ConfigError>,
    /// `dev_url`, checked the same way, asked only by autogenerate and `check`.
    dev_spec: Option<Result<ConnectSpec, ConfigError>>,
}

/// A config problem, naming the file and (where known) the line.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("no {CONFIG_FILE} in {dir} or any parent directory")]
    NotFound { dir: PathBuf },
    #[error("{path}: cannot read: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// `origin` says where the value came from as shown (`retort.toml:3`, `--url`);
    /// `path` and `line` say it as data, when it came from a file.
    #[error("{origin}: variable `{name}` is not set (set it, put it in .env, or write ${{{name}:-default}})")]
    UnsetVariable {
        origin: String,
        name: String,
        path: Option<PathBuf>,
        line: Option<usize>,
    },
    #[error("{origin}: {error}")]
    Url {
        origin: String,
        error: UrlError,
        path: Option<PathBuf>,
        line: Option<usize>,
    },
    /// The config was made for migrations run over the application's own connection
    /// ([`Config::for_migrations`]), so it names no database.
    #[error(
        "no database URL: this project was loaded for a connection the application opens itself"
    )]
    NoUrl,
    #[error("{path}: no [environments.{name}] table (known: {known})")]
    UnknownEnvironment {
        path: String,
        name: String,
        known: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    database: RawDatabase,
    #[serde(default)]
    migrations: RawMigrations,
    #[serde(default)]
    environments: BTreeMap<String, toml::Spanned<RawDatabase>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    /// With where it is in the file: a message about it names its own line, not that of
    /// a commented-out example with the same text.
    url: Option<toml::Spanned<String>>,
    schema: Option<toml::Spanned<String>>,
    /// Seconds.
    lock_timeout: Option<toml::Spanned<u64>>,
    /// Seconds.
    connect_timeout: Option<toml::Spanned<u64>>,
    /// Development commands (`redo`) refuse to run here unless forced.
    protected: Option<bool>,
    /// A database autogenerate and `check` may empty and use as their scratch database.
    dev_url: Option<toml::Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMigrations {
    dir: Option<toml::Spanned<String>>,
    file_template: Option<String>,
    schema: Option<String>,
    version_table: Option<toml::Spanned<String>>,
    dialects: Option<Vec<toml::Spanned<String>>>,
}

/// How a command asked for its config: the global options of the CLI, or an application's
/// own choices when it embeds the library.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--config PATH`; otherwise `retort.toml` is searched from `start_dir` upwards.
    pub config_path: Option<PathBuf>,
    /// Where the search starts (`-C DIR`, or the current directory).
    pub start_dir: PathBuf,
    /// `--url`: wins over everything else.
    pub url: Option<String>,
    /// `--env NAME`.
    pub environment: Option<String>,
    /// `--lock-timeout SECONDS`: wins over the config.
    pub lock_timeout: Option<Duration>,
}

impl Config {
    /// Finds and reads the config as the `retort` command does: `retort.toml` from
    /// `start_dir` upwards (or `config_path`), `.env` beside it, `${VAR}` expanded.
    ///
    /// ```no_run
    /// let config = retort::Config::load(&retort::LoadOptions {
    ///     start_dir: "/srv/app".into(),
    ///     environment: Some("production".into()),
    ///     ..Default::default()
    /// })?;
    /// println!("migrating {}", config.url()?);
    /// # Ok::<(), retort::ConfigError>(())
    /// ```
    pub fn load(opts: &LoadOptions) -> Result<Config, ConfigError> {
        let path = match &opts.config_path {
            Some(p) => opts.start_dir.join(p),
            None => find_config(&opts.start_dir).ok_or_else(|| ConfigError::NotFound {
                dir: opts.start_dir.clone(),
            })?,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| ConfigError::Unreadable {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let root = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        Config::from_toml(&text, &path, &root, opts)
    }

    /// A config with every default, for a project directory without `retort.toml`
    /// (applications that only embed migrations, and tests).
    pub fn in_dir(root: &Path, url: &str) -> Result<Config, ConfigError> {
        let opts = LoadOptions {
            url: Some(url.to_string()),
            start_dir: root.to_path_buf(),
            ..LoadOptions::default()
        };
        Config::from_toml("", &root.join(CONFIG_FILE), root, &opts)
    }

    /// Every setting at its default, for the migrations in `dir` run over a connection the
    /// application opens itself: no retort.toml, no `.env`, no database URL. The start-up
    /// cache is off, so nothing is written outside the application's own files; set
    /// `start_up_cache` (and the other public fields) as needed.
    pub fn for_migrations(dir: impl Into<PathBuf>) -> Config {
        let migrations_dir = dir.into();
        let root = migrations_dir
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Config {
            root,
            path: None,
            migrations_dir,
            file_template: DEFAULT_FILE_TEMPLATE.to_string(),
            schema: None,
            version_table: DEFAULT_VERSION_TABLE.to_string(),
            dialects: Vec::new(),
            db_schema: None,
            lock_timeout: Duration::from_secs(DEFAULT_LOCK_TIMEOUT_SECS),
            connect_timeout: Duration::from_secs(DEFAULT_CONNECT_TIMEOUT_SECS),
            protected: false,
            start_up_cache: false,
            url: Err(ConfigError::NoUrl),
            spec: Err(ConfigError::NoUrl),
            dev_spec: None,
        }
    }

    fn from_toml(
        text: &str,
        path: &Path,
        root: &Path,
        opts: &LoadOptions,
    ) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: e.span().map(|s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        })?;
        let dotenv = read_dotenv(root);
        let lookup = |name: &str| {
            std::env::var(name)
                .ok()
                .or_else(|| dotenv.get(name).cloned())
        };
        let file = path.display().to_string();
        // Where a value is: its line, from the parser's span of it.
        let line = |value: &toml::Spanned<String>| line_of(text, value.span().start);
        let origin = |line: Option<usize>| match line {
            Some(line) => format!("{file}:{line}"),
            None => file.clone(),
        };
        let expand = |value: &str, line: Option<usize>, origin: String| {
            interpolate(value, &lookup).map_err(|e| match e {
                InterpolateError::Unset(name) => ConfigError::UnsetVariable {
                    origin,
                    name,
                    path: line.map(|_| path.to_path_buf()),
                    line,
                },
                InterpolateError::Malformed(what) => ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line,
                    message: format!("malformed variable reference `{what}`"),
                },
            })
        };

        let url = (|| {
            let (value, at, origin) = if let Some(u) = &opts.url {
                (u.clone(), None, "--url".to_string())
            } else if let Some(env) = &opts.environment {
                let Some(table) = raw.environments.get(env) else {
                    return Err(ConfigError::UnknownEnvironment {
                        path: file.clone(),
                        name: env.clone(),
                        known: if raw.environments.is_empty() {
                            "none".into()
                        } else {
                            raw.environments
                                .keys()
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", ")
                        },
                    });
                };
                let value = table
                    .get_ref()
                    .url
                    .clone()
                    .ok_or_else(|| ConfigError::Invalid {
                        path: path.to_path_buf(),
                        line: Some(line_of(text, table.span().start)),
                        message: format!("[environments.{env}] has no `url`"),
                    })?;
                let at = Some(line(&value));
                (value.into_inner(), at, origin(at))
            } else if let Some(u) = &raw.database.url {
                let at = Some(line(u));
                (u.get_ref().clone(), at, origin(at))
            } else {
                (
                    DEFAULT_URL.to_string(),
                    None,
                    "default database url".to_string(),
                )
            };
            let expanded = expand(&value, at, origin.clone())?;
            DatabaseUrl::parse(&expanded).map_err(|error| ConfigError::Url {
                origin,
                error,
                path: at.map(|_| path.to_path_buf()),
                line: at,
            })
        })();
        let spec = url.clone().and_then(|url| {
            ConnectSpec::new(&url, root).map_err(|error| ConfigError::Url {
                origin: "database URL".into(),
                error,
                path: None,
                line: None,
            })
        });

        let env_table = opts
            .environment
            .as_ref()
            .and_then(|e| raw.environments.get(e))
            .map(toml::Spanned::get_ref);
        let dev_spec = env_table
            .and_then(|t| t.dev_url.as_ref())
            .or(raw.database.dev_url.as_ref())
            .map(|value| {
                let at = Some(line(value));
                let origin = format!("dev_url ({})", origin(at));
                let expanded = expand(value.get_ref(), at, origin.clone())?;
                let fail = |error| ConfigError::Url {
                    origin: origin.clone(),
                    error,
                    path: Some(path.to_path_buf()),
                    line: at,
                };
                ConnectSpec::new(&DatabaseUrl::parse(&expanded).map_err(fail)?, root).map_err(fail)
            });
        let invalid = |at: usize, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: Some(line_of(text, at)),
            message,
        };
        let db_schema = env_table
            .and_then(|t| t.schema.as_ref())
            .or(raw.database.schema.as_ref());
        if let Some(schema) = db_schema {
            if schema.get_ref().trim().is_empty() || schema.get_ref().contains(char::is_control) {
                return Err(invalid(
                    schema.span().start,
                    format!("schema {:?} must name a schema (leave the key out for the server's default)", schema.get_ref()),
                ));
            }
        }
        let db_schema = db_schema.map(|s| s.get_ref().clone());
        type Secs = Option<toml::Spanned<u64>>;
        let wait = |key: &str, f: fn(&RawDatabase) -> &Secs, min: u64, default: u64| {
            let Some(secs) = env_table
                .and_then(|t| f(t).as_ref())
                .or(f(&raw.database).as_ref())
            else {
                return Ok(Duration::from_secs(default));
            };
            let value = *secs.get_ref();
            match (min..=MAX_WAIT_SECS).contains(&value) {
                true => Ok(Duration::from_secs(value)),
                false => Err(invalid(
                    secs.span().start,
                    format!("{key} = {value} must be a number of seconds from {min} to {MAX_WAIT_SECS} (a day)"),
                )),
            }
        };
        let lock_timeout = match opts.lock_timeout {
            Some(given) if given.as_secs_f64() > MAX_WAIT_SECS as f64 => {
                return Err(ConfigError::Invalid {
                    path: path.to_path_buf(),
                    line: None,
                    message: format!(
                        "the lock timeout given ({} s) {}",
                        given.as_secs_f64(),
                        wait_from_secs(f64::INFINITY).unwrap_err()
                    ),
                })
            }
            Some(given) => given,
            None => wait(
                "lock_timeout",
                |d| &d.lock_timeout,
                0,
                DEFAULT_LOCK_TIMEOUT_SECS,
            )?,
        };
        // 0 would give up before the first packet.
        let connect_timeout = wait(
            "connect_timeout",
            |d| &d.connect_timeout,
            1,
            DEFAULT_CONNECT_TIMEOUT_SECS,
        )?;
        let m = raw.migrations;
        let dialects = m
            .dialects
            .unwrap_or_default()
            .iter()
            .map(|name| {
                name.get_ref().parse::<Dialect>().map_err(|_| {
                    invalid(
                        name.span().start,
                        format!(
                            "unknown dialect `{}` in migrations.dialects (expected sqlite, postgresql or mysql)",
                            name.get_ref()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let version_table = match m.version_table {
            None => DEFAULT_VERSION_TABLE.to_string(),
            Some(table) => {
                let name = table.get_ref();
                let valid =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !valid {
                    return Err(invalid(
                        table.span().start,
                        format!("version_table `{name}` must be letters, digits and underscores"),
                    ));
                }
                table.into_inner()
            }
        };
        let dir = match &m.dir {
            Some(dir) => {
                let at = Some(line(dir));
                expand(dir.get_ref(), at, origin(at))?
            }
            None => "migrations".to_string(),
        };
        Ok(Config {
            root: root.to_path_buf(),
            path: opts
                .config_path
                .as_ref()
                .map(|_| path.to_path_buf())
                .or_else(|| path.exists().then(|| path.to_path_buf())),
            migrations_dir: root.join(dir),
            file_template: m
                .file_template
                .unwrap_or_else(|| DEFAULT_FILE_TEMPLATE.to_string()),
            schema: m.schema,
            version_table,
            dialects,
            db_schema,
            lock_timeout,
            connect_timeout,
            protected: env_table
                .and_then(|t| t.protected)
                .or(raw.database.protected)
                .unwrap_or(false),
            start_up_cache: true,
            url,
            spec,
            dev_spec,
        })
    }

    /// `dev_url`, if set: the database autogenerate and `check` use as their scratch
    /// database (emptied on each use) instead of one they create.
    pub fn dev_spec(&self) -> Result<Option<&ConnectSpec>, ConfigError> {
        match &self.dev_spec {
            None => Ok(None),
            Some(spec) => spec.as_ref().map(Some).map_err(Clone::clone),
        }
    }

    /// The database URL, or why it could not be worked out. Commands that never touch the
    /// database (`revision`, `heads`, offline `--sql`) never ask, so an unset variable in
    /// the URL only stops the commands that need it.
    pub fn url(&self) -> Result<&DatabaseUrl, ConfigError> {
        self.url.as_ref().map_err(Clone::clone)
    }

    /// What to connect to: the URL with its driver options checked (a bad option is bad
    /// input, as an unset variable is), asked only by commands that connect.
    pub fn connect_spec(&self) -> Result<&ConnectSpec, ConfigError> {
        self.spec.as_ref().map_err(Clone::clone)
    }

    /// How the driver should connect, from this config.
    pub fn connect_options(&self) -> ConnectOptions {
        ConnectOptions {
            lock_timeout: self.lock_timeout,
            connect_timeout: self.connect_timeout,
            schema: self.db_schema.clone(),
            lock_name: format!(
                "retort:{}{}",
                self.db_schema
                    .as_ref()
                    .map(|s| format!("{s}."))
                    .unwrap_or_default(),
                self.version_table
            ),
            create: true,
        }
    }

    /// The audit-log table beside the version table (`retort_version` → `retort_log`).
    pub fn log_table(&self) -> String {
        match self.version_table.strip_suffix("_version") {
            Some(stem) => format!("{stem}_log"),
            None => format!("{}_log", self.version_table),
        }
    }
}

/// `retort.toml` in `dir` or the nearest parent.
pub(crate) fn find_config(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

fn read_dotenv(root: &Path) -> HashMap<String, String> {
    let Ok(iter) = dotenvy::from_path_iter(root.join(".env")) else {
        return HashMap::new();
    };
    iter.filter_map(Result::ok).collect()
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, opts: LoadOptions) -> Result<Config, ConfigError> {
        let root = Path::new("/proj");
        Config::from_toml(text, &root.join(CONFIG_FILE), root, &opts)
    }

    #[test]
    fn defaults() {
        let c = load("", LoadOptions::default()).unwrap();
        assert_eq!(c.migrations_dir, Path::new("/proj/migrations"));
        assert_eq!(c.version_table, "retort_version");
        assert_eq!(c.log_table(), "retort_log");
        assert_eq!(c.file_template, DEFAULT_FILE_TEMPLATE);
    }

    #[test]
    fn url_precedence() {
        let text = "[database]\nurl = \"sqlite:main.db\"\n[environments.prod]\nurl = \"postgres://u:pw@h/db\"\n";
        let c = load(text, LoadOptions::default()).unwrap();
        assert_eq!(c.url().unwrap().expose(), "sqlite:main.db");
        let c = load(
            text,
            LoadOptions {
                environment: Some("prod".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.url().unwrap().dialect(), Dialect::Postgres);
        let c = load(
            text,
            LoadOptions {
                environment: Some("prod".into()),
                url: Some("sqlite:over.db".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.url().unwrap().expose(), "sqlite:over.db");
        let c = load(
            text,
            LoadOptions {
                environment: Some("staging".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let e = c.url().unwrap_err().to_string();
        assert!(e.contains("staging") && e.contains("prod"), "{e}");
    }

    /// The line of the key that uses the variable, not that of a commented-out example
    /// (as `retort init` writes) or another table's key with the same text.
    #[test]
    fn an_unset_variable_is_reported_where_it_is_used() {
        let text = "[database]\n# url = \"${RETORT_TEST_SURELY_UNSET_VAR}\"\nurl = \"${RETORT_TEST_SURELY_UNSET_VAR}\"\n\n# [environments.prod]\n# url = \"${RETORT_TEST_SURELY_UNSET_PROD}\"\n[environments.prod]\nurl = \"${RETORT_TEST_SURELY_UNSET_PROD}\"\n\n[migrations]\n# dir = \"${RETORT_TEST_SURELY_UNSET_DIR}\"\ndir = \"${RETORT_TEST_SURELY_UNSET_DIR}\"\n";
        let e = load(text, LoadOptions::default()).unwrap_err();
        assert!(e.to_string().starts_with("/proj/retort.toml:12:"), "{e}");
        let text = text.replace("\ndir = ", "\n# ");
        let c = load(&text, LoadOptions::default()).unwrap();
        let e = c.url().unwrap_err();
        assert!(e.to_string().starts_with("/proj/retort.toml:3:"), "{e}");
        assert!(matches!(
            e,
            ConfigError::UnsetVariable { line: Some(3), .. }
        ));
        let prod = LoadOptions {
            environment: Some("prod".into()),
            ..Default::default()
        };
        let e = load(&text, prod).unwrap().url().unwrap_err().to_string();
        assert!(e.starts_with("/proj/retort.toml:8:"), "{e}");
    }

    /// Every value checked is reported at its own line, not at a commented-out example's
    /// or another table's key of the same name.
    #[test]
    fn each_bad_value_is_reported_at_its_own_line() {
        let cases = [
            // (text, the line of the bad value)
            (
                "# lock_timeout = 1\n[database]\nlock_timeout = 99999999\n",
                3,
            ),
            (
                "# connect_timeout = 1\n[database]\nconnect_timeout = 0\n",
                3,
            ),
            ("# schema = \"app\"\n[database]\nschema = \" \"\n", 3),
            (
                "[migrations]\n# version_table = \"v\"\nversion_table = \"bad-name\"\n",
                3,
            ),
            (
                "[migrations]\n# dialects = [\"pg\"]\ndialects = [\"pg\",\n  \"oracle\"]\n",
                4,
            ),
        ];
        for (text, line) in cases {
            let e = load(text, LoadOptions::default()).unwrap_err();
            assert!(
                matches!(&e, ConfigError::Invalid { line: Some(l), .. } if *l == line),
                "{text:?}: {e}"
            );
        }
        // The environment's own value, not [database]'s, and the table without a URL.
        let text = "[database]\nlock_timeout = 5\n\n[environments.prod]\nlock_timeout = 99999999\n\n[environments.qa]\nschema = \"qa\"\n";
        let env = |name: &str| LoadOptions {
            environment: Some(name.into()),
            ..Default::default()
        };
        let e = load(text, env("prod")).unwrap_err();
        assert!(
            matches!(e, ConfigError::Invalid { line: Some(5), .. }),
            "{e}"
        );
        let e = load(text, env("qa")).unwrap().url().unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { line: Some(l), .. } if *l >= 7),
            "{e}"
        );
    }

    #[test]
    fn unset_variable_names_file_and_line() {
        let text = "\n[database]\nurl = \"${RETORT_TEST_SURELY_UNSET_VAR}\"\n";
        let c = load(text, LoadOptions::default()).unwrap();
        let e = c.url().unwrap_err().to_string();
        assert!(e.contains("retort.toml:3"), "{e}");
        assert!(e.contains("RETORT_TEST_SURELY_UNSET_VAR"), "{e}");
    }

    #[test]
    fn unknown_key_and_bad_toml_name_the_line() {
        let e = load("[migrations]\ndirr = \"x\"\n", LoadOptions::default()).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("retort.toml:2"), "{msg}");
        assert!(msg.contains("dirr"), "{msg}");
        let e = load("[database\n", LoadOptions::default()).unwrap_err();
        assert!(e.to_string().contains("retort.toml:1"), "{e}");
    }

    #[test]
    fn bad_dialect_and_table() {
        assert!(load(
            "[migrations]\ndialects = [\"oracle\"]\n",
            LoadOptions::default()
        )
        .is_err());
        assert!(load(
            "[migrations]\nversion_table = \"a;b\"\n",
            LoadOptions::default()
        )
        .is_err());
        let c = load(
            "[migrations]\nversion_table = \"schema_history\"\n",
            LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(c.log_table(), "schema_history_log");
    }
}
