//! What every command starts from: the global options turned into a config, a project
//! and, for the commands that need one, a database connection.

use std::path::PathBuf;

use retort::history::VersionRows;
use retort::migrator::DbState;
use retort::{Access, Config, Connection, Error, LoadOptions, Migrator, Project};

use crate::args::Global;

pub struct Context {
    pub global: Global,
    /// The directory the command runs in (`-C DIR`, else the current directory).
    pub cwd: PathBuf,
    /// What a stop signal requests (see `signals.rs`); every migrator is given it.
    pub stop: retort::Stop,
}

impl Context {
    pub fn new(global: Global, stop: retort::Stop) -> Result<Context, Error> {
        let here = std::env::current_dir().map_err(|e| Error::Io {
            path: PathBuf::from("."),
            message: format!("cannot read the current directory: {e}"),
        })?;
        let cwd = match &global.chdir {
            Some(d) => here.join(d),
            None => here,
        };
        if !cwd.is_dir() {
            return Err(Error::Usage(format!(
                "-C {}: not a directory",
                cwd.display()
            )));
        }
        Ok(Context { global, cwd, stop })
    }

    pub fn config(&self) -> Result<Config, Error> {
        Ok(Config::load(&LoadOptions {
            config_path: self.global.config.clone(),
            start_dir: self.cwd.clone(),
            url: self.global.url.clone(),
            environment: self.global.environment.clone(),
            lock_timeout: self.global.lock_timeout,
        })?)
    }

    /// The loaded project, kept until the process exits (why: `main.rs`), as is everything
    /// this module hands out that grows with the number of revisions.
    pub fn project(&self) -> Result<&'static Project, Error> {
        Ok(crate::keep_until_exit(Project::load(self.config()?)?))
    }

    /// The project and its database, loaded side by side, with the version rows read.
    pub fn open(&self) -> Result<Opened<&'static Project>, Error> {
        self.open_config(self.config()?, Access::ReadWrite)
    }

    /// The project and what its database has applied (read-only commands).
    pub fn state(&self) -> Result<(&'static Project, &'static DbState), Error> {
        let (project, _conn, state) = self.state_on()?;
        Ok((project, state))
    }

    /// [`Context::state`] and the connection it was read on, for a command that reads more.
    pub fn state_on(&self) -> Result<(&'static Project, Conn, &'static DbState), Error> {
        self.state_of(self.config()?)
    }

    /// [`Context::state`] from every file as it is now, never from the start-up cache:
    /// `validate` is the check that must not take an accelerator's word for it.
    pub fn state_from_files(&self) -> Result<(&'static Project, &'static DbState), Error> {
        let mut config = self.config()?;
        config.start_up_cache = false;
        let (project, _conn, state) = self.state_of(config)?;
        Ok((project, state))
    }

    fn state_of(
        &self,
        config: Config,
    ) -> Result<(&'static Project, Conn, &'static DbState), Error> {
        let (project, mut conn, rows) = self.open_config(config, Access::ReadOnly)?;
        let state = Migrator::new(project, conn.as_mut()).state_from_rows(rows);
        Ok((project, conn, crate::keep_until_exit(state)))
    }

    fn open_config(
        &self,
        config: Config,
        access: Access,
    ) -> Result<Opened<&'static Project>, Error> {
        let opened = retort::open_with(config, access)?;
        Ok((
            crate::keep_until_exit(opened.project),
            Conn(Some(opened.conn)),
            opened.rows,
        ))
    }
}

/// A project, its connection and the version rows read at start.
type Opened<P> = (P, Conn, VersionRows);

/// The command's connection: a server connection is closed when the command ends, a
/// SQLite one is abandoned to the process exit (why: `main.rs`).
pub struct Conn(Option<Box<dyn Connection>>);

impl std::ops::Deref for Conn {
    type Target = Box<dyn Connection>;

    fn deref(&self) -> &Self::Target {
        match &self.0 {
            Some(conn) => conn,
            None => unreachable!("a connection is only taken when dropped"),
        }
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match &mut self.0 {
            Some(conn) => conn,
            None => unreachable!("a connection is only taken when dropped"),
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(conn) = self.0.take() {
            if conn.dialect() == retort::dialect::Dialect::Sqlite {
                crate::abandon_at_exit(conn);
            }
        }
    }
}
