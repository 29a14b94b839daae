//! The one CEL environment every policy compiles and runs in: the standard library, optional
//! values, the cel crate's extensions and the Kubernetes libraries.

use std::sync::{Arc, OnceLock};

use cel::Env;

/// The shared environment, built on first use.
pub fn environment() -> Arc<Env> {
    static ENV: OnceLock<Arc<Env>> = OnceLock::new();
    ENV.get_or_init(|| Arc::new(super::k8s::kubernetes_env()))
        .clone()
}
