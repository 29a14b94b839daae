//! Finding and reading what to scan: files and directories (recursive, `.gitignore`-aware,
//! `--exclude` globs), standard input, with size, time, binary and encoding checks that turn
//! bad input into clear [`InputError`]s instead of crashes or hangs. Paths that settings name
//! (`exclude` globs here; baselines, waivers and per-path ignores elsewhere) are anchored at the
//! project, not the working directory: see [`project_paths`]. Only regular files are
//! read in a walk, and symbolic links only where they lead inside the scanned directories.
//!
//! Helm charts and kustomizations met during the walk are reported apart: [`render`] builds them
//! with the real `helm` and `kubectl` and maps findings on the rendered objects back to the
//! template, values key or resource file a user edits. This crate knows nothing of rules.
#![deny(missing_docs)]

mod discover;
pub mod flows;
mod links;
mod project;
mod read;
pub mod render;
pub mod snapshot;

pub use discover::{Candidate, DiscoverOptions, Discovery, discover, is_helm_template};
pub use links::{EscapingLink, LinkPolicy};
pub use project::{Excludes, project_paths, real_path};
pub use read::{
    DEFAULT_STREAM_TIMEOUT, DeadlineReader, ReadError, ReadErrorKind, ReadLimits, display_duration,
    read_candidate, read_regular, read_stdin, stdin_is_piped, stdin_stream,
};

pub use palisade_diagnostics::InputError;
