//! The error of one migration file, pointing at its line.

use std::fmt;
use std::path::PathBuf;

/// A problem with one migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScriptError {}
