//! Where the declared schema comes from (`[migrations] schema`): a file of DDL, a folder of
//! .sql files applied in name order, or a command whose stdout is DDL (`command: …`), so
//! that a team keeping its models in SQLAlchemy or SQLModel keeps them there.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::dialect::Dialect;
use crate::error::Error;

/// What the config key says when it is not set.
pub const DEFAULT_SCHEMA: &str = "schema.sql";

/// The prefix that makes the key a command rather than a path.
const COMMAND: &str = "command:";

/// One piece of declared DDL and where it came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DdlText {
    /// The file, or `None` for a command's output.
    pub path: Option<PathBuf>,
    /// How messages name the source when there is no file (the command line).
    pub origin: String,
    pub text: String,
}

/// The declared schema's source, as the config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    /// A file, or a folder of .sql files (read in name order).
    Path(PathBuf),
    /// A shell command line, run in the project's folder.
    Command(String),
}

impl SchemaSource {
    /// The source `value` names (the config key, or its default), paths relative to `root`.
    pub fn from_config(value: Option<&str>, root: &Path) -> SchemaSource {
        let value = value.unwrap_or(DEFAULT_SCHEMA);
        match value.trim_start().strip_prefix(COMMAND) {
            Some(command) => SchemaSource::Command(command.trim().to_string()),
            None => SchemaSource::Path(root.join(value)),
        }
    }

    /// Reads the DDL for `dialect`. A command learns the dialect from `RETORT_DIALECT`;
    /// a non-zero exit, empty output, or text that is not UTF-8 is bad input.
    pub fn read(&self, dialect: Dialect, root: &Path) -> Result<Vec<DdlText>, Error> {
        match self {
            SchemaSource::Path(path) if path.is_dir() => read_folder(path),
            SchemaSource::Path(path) => Ok(vec![read_file(path)?]),
            SchemaSource::Command(command) => run(command, dialect, root).map(|t| vec![t]),
        }
    }
}

fn declared(path: Option<&Path>, message: impl Into<String>) -> Error {
    Error::DeclaredSchema {
        path: path.map(Path::to_path_buf),
        line: None,
        message: message.into(),
    }
}

fn read_file(path: &Path) -> Result<DdlText, Error> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => declared(
            Some(path),
            "the declared schema is not there (set `schema` under [migrations] to a file, a folder of .sql files, or `command: …`)",
        ),
        _ => declared(Some(path), format!("cannot read the declared schema: {e}")),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| declared(Some(path), format!("not UTF-8 text: {e}")))?;
    Ok(DdlText {
        path: Some(path.to_path_buf()),
        origin: path.display().to_string(),
        text,
    })
}

fn read_folder(dir: &Path) -> Result<Vec<DdlText>, Error> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| declared(Some(dir), format!("cannot read: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| declared(Some(dir), format!("cannot read: {e}")))?;
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "sql") && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(declared(Some(dir), "the folder holds no .sql file"));
    }
    files.sort();
    files.iter().map(|p| read_file(p)).collect()
}

/// How much of a failing command's stderr a message shows.
const STDERR_SHOWN: usize = 4000;

fn run(command: &str, dialect: Dialect, root: &Path) -> Result<DdlText, Error> {
    let origin = format!("command: {command}");
    if command.is_empty() {
        return Err(declared(None, "`schema = \"command:\"` names no command"));
    }
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(root)
        .env("RETORT_DIALECT", dialect.name())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| declared(None, format!("{origin}: cannot start: {e}")))?;
    // Both pipes are drained at once, so a command writing much to stderr cannot block.
    let mut stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let mut out = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout
            .read_to_end(&mut out)
            .map_err(|e| declared(None, format!("{origin}: reading its output: {e}")))?;
    }
    let status = child
        .wait()
        .map_err(|e| declared(None, format!("{origin}: {e}")))?;
    let err = reader.join().unwrap_or_default();
    let err = String::from_utf8_lossy(&err);
    let err = err.trim();
    let shown: String = err
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .take(STDERR_SHOWN)
        .collect();
    let with_stderr = |what: String| {
        if shown.is_empty() {
            what
        } else {
            format!("{what}; its stderr:\n{shown}")
        }
    };
    if !status.success() {
        let code = status
            .code()
            .map_or("a signal".to_string(), |c| format!("status {c}"));
        return Err(declared(
            None,
            with_stderr(format!("{origin}: exited with {code}")),
        ));
    }
    let text = String::from_utf8(out)
        .map_err(|e| declared(None, format!("{origin}: its output is not UTF-8: {e}")))?;
    if text.trim().is_empty() {
        return Err(declared(
            None,
            with_stderr(format!("{origin}: printed no DDL on stdout")),
        ));
    }
    Ok(DdlText {
        path: None,
        origin,
        text,
    })
}
