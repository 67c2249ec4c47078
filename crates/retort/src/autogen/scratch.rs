//! A scratch database of the target's dialect: the declared DDL is loaded into it so that
//! the database, not a parser of ours, decides what the DDL means, and a generated
//! migration is tried on it before any file is written.
//!
//! SQLite's is in memory. On PostgreSQL and MySQL it is a database on the target's server
//! named `retort_dev_` and a short hash of the project's folder and the dialect, created
//! the first time and kept (`retort dev drop` removes it), or the `dev_url` of the config
//! for users who cannot create databases. It is emptied only if it is empty or marked as
//! retort's own: a `dev_url` pointing at a database with tables of its own is refused,
//! never wiped. The declared schema is kept in it between runs and only what changed is
//! loaded again ([`Scratch::open_kept`], `incremental.rs`). A second one, `…_w`
//! ([`Role::Work`]), keeps the self-check's copy of the live schema the same way, and is
//! where other dialects' migrations are replayed (emptied first: [`Scratch::open`]); with
//! `dev_url` both roles share that one database. A session lock keeps two processes of one
//! project from sharing one at once.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::source::DdlText;
use crate::config::Config;
use crate::db::{self, ConnectOptions, ConnectSpec, Connection, Value};
use crate::dialect::Dialect;
use crate::error::Error;
use crate::schema::Schema;

/// The table that marks a scratch database as retort's to empty.
pub(crate) const MARKER: &str = "retort_dev_marker";

/// The table that records what declared DDL the kept dev database holds (`incremental.rs`);
/// like the marker, never part of an inspected schema.
pub(crate) const LOADED: &str = "retort_dev_loaded";

pub(crate) struct Scratch {
    conn: Box<dyn Connection>,
}

/// The name of the scratch database retort creates for the project in `root`.
pub fn dev_database_name(root: &Path, dialect: Dialect) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut hash = Sha256::new();
    hash.update(root.to_string_lossy().as_bytes());
    hash.update([0]);
    hash.update(dialect.name().as_bytes());
    let digest = hash.finalize();
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("retort_dev_{hex}")
}

/// The second scratch database beside the first, where the self-check replays a migration
/// on a copy of the live schema (and other dialects' migrations are replayed), so that
/// neither wipes what the other keeps loaded.
pub fn work_database_name(root: &Path, dialect: Dialect) -> String {
    format!("{}_w", dev_database_name(root, dialect))
}

/// Which of the project's two scratch databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Holds the declared schema.
    Declared,
    /// Holds a copy of the live schema, for the self-check; with `dev_url` (one database
    /// only) it is the same database, reloaded in turn.
    Work,
}

/// Whether the two roles are two databases, which two threads may use at once: not with
/// `dev_url`, where the second session would wait for the first's lock.
pub(crate) fn roles_apart(dialect: Dialect, config: &Config) -> bool {
    dialect == Dialect::Sqlite || matches!(config.dev_spec(), Ok(None))
}

impl Scratch {
    /// An empty scratch database of `dialect`, for the project `config` describes.
    pub(crate) fn open(dialect: Dialect, config: &Config, role: Role) -> Result<Scratch, Error> {
        let mut scratch = Scratch::connect(dialect, config, role)?;
        scratch.reset()?;
        Ok(scratch)
    }

    /// The scratch database as the last use left it when it is retort's (marked), so that
    /// the schema loaded into it can be kept; emptied (and marked) otherwise, with the same
    /// refusal of a database holding tables of its own as [`Scratch::open`].
    pub(crate) fn open_kept(
        dialect: Dialect,
        config: &Config,
        role: Role,
    ) -> Result<Scratch, Error> {
        let mut scratch = Scratch::connect(dialect, config, role)?;
        if dialect != Dialect::Sqlite && !scratch.has_table(MARKER)? {
            scratch.reset()?;
        }
        Ok(scratch)
    }

    /// Connects to the scratch database (creating retort's own if needed) and takes its
    /// session lock; nothing is emptied.
    fn connect(dialect: Dialect, config: &Config, role: Role) -> Result<Scratch, Error> {
        if dialect == Dialect::Sqlite {
            let spec = ConnectSpec::parse("sqlite::memory:", &config.root)
                .map_err(|e| Error::Usage(e.to_string()))?;
            let conn = db::connect(&spec, &ConnectOptions::default())
                .map_err(Error::db("opening a scratch database"))?;
            return Ok(Scratch { conn });
        }
        let opts = ConnectOptions {
            connect_timeout: config.connect_timeout,
            ..ConnectOptions::default()
        };
        let conn = match config.dev_spec()? {
            Some(spec) if spec.dialect() != dialect => {
                return Err(Error::Usage(format!(
                    "dev_url is a {} database, the target a {dialect} one: a scratch database must be of the target's kind",
                    spec.dialect()
                )))
            }
            Some(spec) => db::connect(spec, &opts).map_err(|error| Error::Connect {
                url: spec.masked_url().to_string(),
                error,
            })?,
            None => {
                let name = match role {
                    Role::Declared => dev_database_name(&config.root, dialect),
                    Role::Work => work_database_name(&config.root, dialect),
                };
                let target = config.connect_spec()?;
                create_database(target, &opts, &name)?;
                let spec = target.with_database(&name).ok_or_else(|| {
                    Error::Usage(format!("{dialect} has no scratch database on a server"))
                })?;
                db::connect(&spec, &opts).map_err(|error| Error::Connect {
                    url: spec.masked_url().to_string(),
                    error,
                })?
            }
        };
        let mut scratch = Scratch { conn };
        scratch.lock()?;
        if dialect == Dialect::Postgres {
            // Nothing in a scratch database is worth a flush to disk per statement: a
            // crash may lose its last commits, never its consistency, and the record of
            // what is loaded is written last (`incremental.rs`), so it is lost first.
            scratch
                .conn
                .run("SET synchronous_commit = off")
                .map_err(Error::db("preparing the scratch database"))?;
        }
        Ok(scratch)
    }

    pub(crate) fn dialect(&self) -> Dialect {
        self.conn.dialect()
    }

    /// The session, for what `incremental.rs` runs and reads besides declared statements.
    pub(crate) fn conn(&mut self) -> &mut dyn Connection {
        self.conn.as_mut()
    }

    /// Whether the scratch database's current schema holds table `name`.
    pub(crate) fn has_table(&mut self, name: &str) -> Result<bool, Error> {
        self.conn
            .table_exists(name)
            .map_err(Error::db("reading the scratch database"))
    }

    /// Holds the scratch database for this session: another process of the project waits.
    fn lock(&mut self) -> Result<(), Error> {
        let sql = match self.conn.dialect() {
            Dialect::Postgres => "SELECT pg_advisory_lock(hashtext(current_database()))::text",
            _ => "SELECT GET_LOCK(concat('retort_dev:', DATABASE()), 600)",
        };
        self.conn
            .query(sql, &[])
            .map_err(Error::db("locking the scratch database"))?;
        Ok(())
    }

    /// Empties the scratch database (a server's), refusing one that holds tables but not
    /// retort's mark, then marks it.
    pub(crate) fn reset(&mut self) -> Result<(), Error> {
        let dialect = self.conn.dialect();
        if dialect == Dialect::Sqlite {
            return Ok(());
        }
        let ctx = "emptying the scratch database";
        let tables = self.list(
            match dialect {
                Dialect::Postgres => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1",
                _ => "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1",
            },
            ctx,
        )?;
        if !tables.is_empty() && !tables.iter().any(|t| t == MARKER) {
            let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
            return Err(Error::Usage(format!(
                "the scratch database (dev_url) holds tables that retort did not make ({}{}): it empties its scratch database on every use, so give it an empty one",
                shown.join(", "),
                if tables.len() > 5 { ", …" } else { "" }
            )));
        }
        match dialect {
            Dialect::Postgres => {
                let schema = self.list("SELECT current_schema()::text", ctx)?;
                let schema = schema.first().cloned().unwrap_or_else(|| "public".into());
                let q = dialect.sql().quote_ident(&schema);
                // One transaction dropping thousands of tables takes a lock per object and
                // runs out of the server's lock table (max_locks_per_transaction): tables
                // and views go one statement each first, what remains with the schema.
                let relations = self.list(
                    "SELECT format('%s IF EXISTS %I', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.relname) \
                     FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace \
                     AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition ORDER BY c.oid DESC",
                    ctx,
                )?;
                for relation in &relations {
                    // IF EXISTS: a view may have gone with a table dropped before it.
                    self.conn
                        .run(&format!("DROP {relation} CASCADE"))
                        .map_err(Error::db(ctx))?;
                }
                self.conn
                    .run(&format!("DROP SCHEMA IF EXISTS {q} CASCADE"))
                    .map_err(Error::db(ctx))?;
                self.conn
                    .run(&format!("CREATE SCHEMA {q}"))
                    .map_err(Error::db(ctx))?;
            }
            _ => {
                let views = self.list("SELECT table_name FROM information_schema.views WHERE table_schema = DATABASE()", ctx)?;
                let q = |n: &String| dialect.sql().quote_ident(n);
                self.conn
                    .run("SET FOREIGN_KEY_CHECKS = 0")
                    .map_err(Error::db(ctx))?;
                for view in &views {
                    self.conn
                        .run(&format!("DROP VIEW IF EXISTS {}", q(view)))
                        .map_err(Error::db(ctx))?;
                }
                for table in tables.iter().filter(|t| !views.contains(t)) {
                    self.conn
                        .run(&format!("DROP TABLE IF EXISTS {}", q(table)))
                        .map_err(Error::db(ctx))?;
                }
                self.conn
                    .run("SET FOREIGN_KEY_CHECKS = 1")
                    .map_err(Error::db(ctx))?;
            }
        }
        self.conn
            .run(&format!(
                "CREATE TABLE {} (made_by VARCHAR(16))",
                dialect.sql().quote_ident(MARKER)
            ))
            .map_err(Error::db(ctx))?;
        Ok(())
    }

    fn list(&mut self, sql: &str, ctx: &str) -> Result<Vec<String>, Error> {
        let rows = self
            .conn
            .query(sql, &[])
            .map_err(Error::db(ctx.to_string()))?;
        Ok(rows
            .iter()
            .filter_map(|r| r.first().and_then(Value::as_str).map(str::to_string))
            .collect())
    }

    /// Loads declared DDL, statement by statement; a statement the database refuses is
    /// bad input, named by its file (or command) and line.
    pub(crate) fn load(&mut self, ddl: &[DdlText]) -> Result<(), Error> {
        let dialect = self.conn.dialect();
        for piece in ddl {
            let bad = |line: Option<usize>, message: String| Error::DeclaredSchema {
                path: piece.path.clone(),
                line,
                message: match piece.path {
                    Some(_) => message,
                    None => format!("{}: {message}", piece.origin),
                },
            };
            if let Some(at) = piece.text.find('\0') {
                let line = piece.text[..at].matches('\n').count() + 1;
                return Err(bad(
                    Some(line),
                    "a NUL byte in the DDL (the database would read only the text before it)"
                        .into(),
                ));
            }
            let statements = crate::sql::split(dialect, &piece.text)
                .map_err(|e| bad(Some(e.line), e.message.clone()))?;
            for stmt in statements {
                self.conn.run(&stmt.text).map_err(|e| {
                    bad(
                        Some(stmt.line),
                        format!("the declared schema does not load on {dialect}: {e}"),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// Runs generated statements; `Err` says which one failed and why.
    pub(crate) fn run(&mut self, what: &str, statements: &[String]) -> Result<(), String> {
        for (n, stmt) in statements.iter().enumerate() {
            self.conn.run(stmt).map_err(|e| {
                let first = stmt.lines().next().unwrap_or("");
                format!("{what}, statement {} (`{first}`): {e}", n + 1)
            })?;
        }
        Ok(())
    }

    pub(crate) fn inspect(&mut self, exclude: &[&str]) -> Result<Schema, Error> {
        let mut exclude = exclude.to_vec();
        exclude.push(MARKER);
        exclude.push(LOADED);
        self.conn
            .inspect(&exclude)
            .map_err(Error::db("reading the scratch database's schema"))
    }
}

/// Creates the scratch database `name` on the target's server unless it exists.
fn create_database(target: &ConnectSpec, opts: &ConnectOptions, name: &str) -> Result<(), Error> {
    let mut admin = db::connect(target, opts).map_err(|error| Error::Connect {
        url: target.masked_url().to_string(),
        error,
    })?;
    let ctx = format!("creating the scratch database {name}");
    match target.dialect() {
        Dialect::Postgres => {
            let exists = admin
                .query(
                    "SELECT 1 FROM pg_database WHERE datname = $1",
                    &[Value::Text(name.to_string())],
                )
                .map_err(Error::db(ctx.clone()))?;
            if exists.is_empty() {
                if let Err(e) = admin.run(&format!("CREATE DATABASE {name}")) {
                    // Another process of the project may have made it meanwhile.
                    let again = admin
                        .query(
                            "SELECT 1 FROM pg_database WHERE datname = $1",
                            &[Value::Text(name.to_string())],
                        )
                        .map_err(Error::db(ctx.clone()))?;
                    if again.is_empty() {
                        return Err(Error::db(ctx)(e));
                    }
                }
            }
        }
        _ => admin
            .run(&format!("CREATE DATABASE IF NOT EXISTS {name}"))
            .map_err(Error::db(ctx))?,
    }
    Ok(())
}

/// Drops the scratch databases retort made for the project on the target's server (the
/// declared one and the work one); `false` when there were none.
pub fn drop_dev_database(config: &Config, dialect: Dialect) -> Result<bool, Error> {
    if dialect == Dialect::Sqlite {
        return Ok(false);
    }
    let mut dropped = false;
    for name in [
        dev_database_name(&config.root, dialect),
        work_database_name(&config.root, dialect),
    ] {
        dropped |= drop_database(config, dialect, name)?;
    }
    Ok(dropped)
}

fn drop_database(config: &Config, dialect: Dialect, name: String) -> Result<bool, Error> {
    let target = config.connect_spec()?;
    let opts = ConnectOptions {
        connect_timeout: config.connect_timeout,
        ..ConnectOptions::default()
    };
    let mut admin = db::connect(target, &opts).map_err(|error| Error::Connect {
        url: target.masked_url().to_string(),
        error,
    })?;
    let ctx = format!("dropping the scratch database {name}");
    let exists_sql = match dialect {
        Dialect::Postgres => "SELECT 1 FROM pg_database WHERE datname = $1",
        _ => "SELECT 1 FROM information_schema.schemata WHERE schema_name = ?",
    };
    let exists = admin
        .query(exists_sql, &[Value::Text(name.clone())])
        .map_err(Error::db(ctx.clone()))?;
    if exists.is_empty() {
        return Ok(false);
    }
    let sql = match dialect {
        Dialect::Postgres => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        _ => format!("DROP DATABASE IF EXISTS {name}"),
    };
    admin.run(&sql).map_err(Error::db(ctx))?;
    Ok(true)
}
