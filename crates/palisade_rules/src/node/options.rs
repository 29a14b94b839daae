//! `[rule-options]` keys of the node rules.

use palisade_engine::FamilyOptions;
use serde::Deserialize;

/// Options of the node rules.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct NodeOptions {
    /// Substrings of `status.nodeInfo.osImage` (case-insensitive) that name a
    /// container-optimised OS (NODE017). Replaces the built-in list when set.
    pub container_optimized_os: Vec<String>,
    /// The oldest Kubernetes minor version whose kubelet is still supported (NODE018), as
    /// `1.35`. Managed offerings with extended support set it lower.
    pub oldest_supported_kubelet: String,
}

impl NodeOptions {
    /// The `[rule-options]` keys these options are read from.
    pub const KEYS: &[&str] = &["container-optimized-os", "oldest-supported-kubelet"];
}

/// The container-optimised operating systems known to Palisade, as `osImage` names them.
pub const CONTAINER_OPTIMIZED_OS: &[&str] = &[
    "Container-Optimized OS",
    "Bottlerocket",
    "Flatcar",
    "Talos",
    "Fedora CoreOS",
    "Red Hat Enterprise Linux CoreOS",
    "Azure Linux",
    "CBL-Mariner",
    "k3OS",
];

/// Kubernetes minor versions still patched upstream when this Palisade was released: the
/// three newest (upstream supports each for about fourteen months).
pub const OLDEST_SUPPORTED_KUBELET: &str = "1.35";

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            container_optimized_os: CONTAINER_OPTIMIZED_OS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            oldest_supported_kubelet: OLDEST_SUPPORTED_KUBELET.to_string(),
        }
    }
}

static DEFAULTS: std::sync::LazyLock<NodeOptions> = std::sync::LazyLock::new(NodeOptions::default);

impl FamilyOptions for NodeOptions {
    fn defaults() -> &'static Self {
        &DEFAULTS
    }
}
