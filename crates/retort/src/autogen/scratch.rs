//! A scratch database of the target's dialect: the declared DDL is loaded into it so that
//! the database, not a parser of ours, decides what the DDL means, and a generated
//! migration is tried on it before any file is written. SQLite's is in memory.

use std::path::Path;

use super::source::DdlText;
use crate::db::{self, ConnectOptions, ConnectSpec, Connection};
use crate::dialect::Dialect;
use crate::error::Error;
use crate::schema::Schema;

pub(crate) struct Scratch {
    conn: Box<dyn Connection>,
}

impl Scratch {
    /// An empty scratch database of `dialect`.
    pub(crate) fn open(dialect: Dialect, root: &Path) -> Result<Scratch, Error> {
        let url = match dialect {
            Dialect::Sqlite => "sqlite::memory:",
            other => {
                return Err(Error::Usage(format!(
                    "comparing schemas on {other} is not supported yet (it needs a scratch {other} database; only SQLite has one so far)"
                )))
            }
        };
        let spec = ConnectSpec::parse(url, root).map_err(|e| Error::Usage(e.to_string()))?;
        let conn = db::connect(&spec, &ConnectOptions::default())
            .map_err(Error::db("opening a scratch database"))?;
        Ok(Scratch { conn })
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
        self.conn
            .inspect(exclude)
            .map_err(Error::db("reading the scratch database's schema"))
    }
}
