//! What can be wrong with a configuration, typed so that a front door can tell a file it cannot
//! read from a value it cannot accept, and say where the value came from.

use std::path::PathBuf;

/// Where a rejected value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An override: a flag or `PALISADE_*` variable, which the front door names.
    Override,
    /// `palisade.toml`, at `place` (`palisade.toml:LINE:COLUMN`).
    File {
        /// Where the value is written.
        place: String,
    },
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The configuration file cannot be read.
    #[error("cannot read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not TOML, or holds a key Palisade does not know.
    #[error("{place}: {message}")]
    Syntax {
        /// `palisade.toml:LINE:COLUMN`.
        place: String,
        /// What the parser says.
        message: String,
    },
    /// An environment variable read directly (not as an override) has a value it cannot take.
    #[error("{variable} {message}")]
    Environment {
        /// The variable.
        variable: String,
        /// What it must be.
        message: String,
    },
    /// A setting's value is not one Palisade accepts.
    #[error("{}{setting}: {message}", match origin { Origin::File { place } => format!("{place}: "), Origin::Override => String::new() })]
    Invalid {
        /// The setting, by its `palisade.toml` key (`fail-on`, `waivers[2]`).
        setting: String,
        /// Where the value came from.
        origin: Origin,
        /// What is wrong with it.
        message: String,
    },
}

impl ConfigError {
    /// A value of `setting` that is not accepted.
    pub(crate) fn invalid(setting: &str, origin: Origin, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            setting: setting.to_string(),
            origin,
            message: message.into(),
        }
    }
}
