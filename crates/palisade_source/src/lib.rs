//! Bytes to documents: the bounded YAML/JSON loader and the span-indexed tree every rule reads.
//!
//! Kubernetes decodes YAML the way go-yaml v2 does (YAML 1.1: `yes`/`on` are booleans, `0644` is
//! octal, merge keys apply), so this crate resolves plain scalars with those rules rather than
//! YAML 1.2's. The tree is built directly from parser events into flat arenas (no DOM, no serde),
//! keeps the position of every key and value, and shares aliased subtrees instead of copying
//! them, so alias bombs cost nothing to hold and are rejected by an expansion budget.
//!
//! This crate owns no Kubernetes knowledge and does no IO: callers hand it text.
#![deny(missing_docs)]

mod edit;
mod json;
mod loader;
mod pointer;
mod scalar;
mod secret_spans;
mod split;
mod tree;

pub use edit::{EditError, EditOp, TextEdit, plan_edit};
pub use json::JsonError;
pub use loader::{Limits, ParseError, count_events, fold_documents, map_documents, parse_stream};
pub use pointer::{Located, escape_pointer_segment, unescape_pointer_segment};
pub use scalar::resolve_plain;
pub use secret_spans::{MASK, SecretSpans};
pub use split::split_documents;
pub use tree::{Document, Entry, NodeId, NodeRef, Pos, TooDeep, Value, Warning};
