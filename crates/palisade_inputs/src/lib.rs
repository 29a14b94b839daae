//! Finding and reading what to scan: files and directories (recursive, `.gitignore`-aware,
//! `--exclude` globs), standard input, with size, binary and encoding checks that turn bad
//! input into clear [`InputError`]s instead of crashes.
//!
//! Helm chart templates met during a directory walk are recognised and skipped with a note;
//! rendering charts is a separate step. This crate knows nothing of YAML or rules.
#![deny(missing_docs)]

mod discover;
mod read;

pub use discover::{Candidate, DiscoverOptions, Discovery, discover, is_helm_template};
pub use read::{ReadError, read_candidate, read_stdin};

pub use palisade_diagnostics::InputError;
