//! What every command starts from: the global options turned into a config, a project
//! and, for the commands that need one, a database connection.

use std::path::PathBuf;

use retort::migrator::DbState;
use retort::{Config, Connection, Error, LoadOptions, Migrator, Opened, Project};

use crate::args::Global;

pub struct Context {
    pub global: Global,
    /// The directory the command runs in (`-C DIR`, else the current directory).
    pub cwd: PathBuf,
}

impl Context {
    pub fn new(global: Global) -> Result<Context, Error> {
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
        Ok(Context { global, cwd })
    }

    pub fn config(&self) -> Result<Config, Error> {
        Ok(Config::load(&LoadOptions {
            config_path: self.global.config.clone(),
            start_dir: self.cwd.clone(),
            url: self.global.url.clone(),
            environment: self.global.environment.clone(),
            lock_timeout: self
                .global
                .lock_timeout
                .map(std::time::Duration::from_secs_f64),
        })?)
    }

    pub fn project(&self) -> Result<Project, Error> {
        Project::load(self.config()?)
    }

    /// The project and its database, loaded side by side.
    pub fn open(&self) -> Result<Opened, Error> {
        retort::open(self.config()?)
    }

    /// The project and what its database has applied (read-only commands).
    pub fn state(&self) -> Result<(Project, DbState), Error> {
        let Opened {
            project,
            mut conn,
            rows,
        } = self.open()?;
        let state = Migrator::new(&project, conn.as_mut()).state_from_rows(rows);
        Ok((project, state))
    }

    #[allow(dead_code)]
    pub fn connect(&self, project: &Project) -> Result<Box<dyn Connection>, Error> {
        retort::connect(project)
    }
}
