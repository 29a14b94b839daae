//! Errors about policies: where (file and line) and what.

use std::fmt;

/// A policy that could not be loaded, compiled or evaluated. It names the file and, where
/// known, the line; the message never repeats an object's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: Option<u32>,
    /// What went wrong.
    pub message: String,
}

impl PolicyError {
    /// An error at a file and line.
    pub fn at(path: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        PolicyError {
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}
