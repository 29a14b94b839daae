//! Palisade's built-in rules. One file per rule, grouped by family (`pss/`, `pod/`, `image/`, `pal/`), each a
//! `declare_rule!` with its documentation, framework mapping and check. [`registry`] is the one
//! ordered list of every rule; adding a rule touches its file and that list.
//!
//! Rules are pure functions of the model: no IO, no clocks, no printing.
#![deny(missing_docs)]

mod addons;
pub mod audit;
pub mod catalog;
pub mod controlplane;
pub mod image;
pub mod kubelet;
pub mod network;
pub mod node;
pub mod options;
pub mod pal;
pub mod pod;
pub mod pss;
pub mod rbac;
mod registry;
pub mod secrets;

pub use options::RuleOptionsTable;
pub use registry::{REGISTRY, find_rule, registry};

/// Namespaces the cluster creates and runs its own components in: rules about application
/// namespaces leave them out.
pub const SYSTEM_NAMESPACES: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];
