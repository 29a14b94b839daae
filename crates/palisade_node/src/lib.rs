//! A node seen from its root directory (`/`, or the host's root mounted into a pod): the
//! files the CIS Benchmark checks with their modes and owners, the command lines of the
//! Kubernetes components running there, the kubelet's effective configuration (its file, its
//! drop-ins and its flags, merged as the kubelet merges them), the static pod manifests, and
//! the operating system. Rules never read the node: they get [`Collected`].
#![deny(missing_docs)]

mod collect;
mod kubelet;
pub mod probe;
mod root;

pub use collect::{Collected, NodeDocument, NodeError, Role, RoleChoice, collect};
pub use kubelet::effective_kubelet_config;

/// The text of the node's file `path` under `root` (links followed inside the root), at most
/// 4 MiB: `Err` says why not.
pub fn read_file(root: &std::path::Path, path: &str) -> Result<String, String> {
    root::Root::new(root).read(path)
}
