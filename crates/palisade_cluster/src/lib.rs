//! Reading a live cluster, read-only, through kube-rs: the connection a kubeconfig context
//! (or in-cluster credentials) describes, API discovery, and paginated LISTs of every
//! resource the rule catalog reads, with bounded concurrency, retries with backoff and a
//! per-request timeout. What it collects is compact JSON text per object, owners first, with
//! Secret values removed before anything is kept: the input of `palisade_scan::scan_objects`
//! and of a snapshot (`palisade_inputs::snapshot`).
//!
//! It never prints: progress goes to a callback, errors are typed. It knows nothing of rules.
//! With the `test-server` feature, [`testing`] serves a fake API server over HTTPS for tests
//! and benchmarks.
#![deny(missing_docs)]

mod apply;
mod collect;
mod connect;
mod discovery;
mod fetch;
pub mod manifests;
mod permissions;
mod redact;
mod wanted;

#[cfg(feature = "test-server")]
pub mod testing;

pub use apply::{Applied, FIELD_MANAGER, apply_reports};
pub use collect::{CollectOptions, CollectProgress, Collection, collect};
pub use connect::{Connection, Target, connect, contexts};
pub use fetch::Retry;
pub use manifests::{WatchDeployment, watch_manifests};
pub use permissions::rbac_manifest;
pub use redact::redact;
pub use wanted::{WANTED, Wanted};

pub use palisade_inputs::snapshot::{ClusterInfo, ResourceState, ResourceStatus};

/// Why a cluster cannot be read at all (a resource that cannot be listed is not an error:
/// it is a [`ResourceStatus`] of the collection).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// The kubeconfig cannot be read or used.
    #[error("kubeconfig: {0}")]
    Kubeconfig(String),
    /// The named context is not in the kubeconfig.
    #[error("no context `{0}` in the kubeconfig")]
    NoContext(String),
    /// No kubeconfig and no in-cluster credentials.
    #[error("no kubeconfig and no in-cluster credentials: {0}")]
    NoCredentials(String),
    /// The API server cannot be reached or refused the credentials.
    #[error("{server}: {message}")]
    Unreachable {
        /// The API server.
        server: String,
        /// Why.
        message: String,
    },
}
