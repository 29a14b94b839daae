//! `[rule-options]` keys of the workload rules.

use palisade_engine::FamilyOptions;
use serde::Deserialize;

/// Options of the workload rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct PodOptions {
    /// Labels every workload must carry (POD017); empty for the recommended ones.
    pub required_labels: Vec<String>,
    /// Registries images in `kube-system` and `kube-public` may come from (POD018); empty for
    /// the Kubernetes project's own.
    pub system_registries: Vec<String>,
    /// The lowest user id containers may run as (POD029); `None` for the default.
    pub min_uid: Option<i64>,
}

impl PodOptions {
    /// The `[rule-options]` keys these options are read from.
    pub const KEYS: &[&str] = &["required-labels", "system-registries", "min-uid"];

    /// The labels POD017 requires: the configured ones, else the recommended
    /// `app.kubernetes.io/name` and `app.kubernetes.io/instance`.
    pub fn required_labels(&self) -> Vec<&str> {
        if self.required_labels.is_empty() {
            vec!["app.kubernetes.io/name", "app.kubernetes.io/instance"]
        } else {
            self.required_labels.iter().map(String::as_str).collect()
        }
    }

    /// The lowest user id POD029 accepts: the configured one, else 10000, above the ids a
    /// node's own accounts use (as kube-score, kubesec and Checkov CKV_K8S_40 require).
    pub fn min_uid(&self) -> i64 {
        self.min_uid.unwrap_or(10_000)
    }

    /// The registries POD018 allows in the system namespaces: the configured ones, else the
    /// Kubernetes project's `registry.k8s.io` and its predecessor `k8s.gcr.io`.
    pub fn system_registries(&self) -> Vec<String> {
        if self.system_registries.is_empty() {
            vec!["registry.k8s.io".to_string(), "k8s.gcr.io".to_string()]
        } else {
            self.system_registries.clone()
        }
    }
}

static DEFAULTS: PodOptions = PodOptions {
    required_labels: Vec::new(),
    system_registries: Vec::new(),
    min_uid: None,
};

impl FamilyOptions for PodOptions {
    fn defaults() -> &'static Self {
        &DEFAULTS
    }
}
