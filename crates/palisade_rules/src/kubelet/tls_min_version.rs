//! KUBELET020 kubelet-tls-min-version.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `tlsMinVersion:
    /// VersionTLS12` (or 13), or leave it unset.
    ///
    /// ## Why is this bad?
    /// TLS 1.0 and 1.1 are deprecated and allow downgrade attacks.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// tlsMinVersion: VersionTLS10 # expect: KUBELET020
    /// ```
    ///
    /// ## Remediation
    /// Set `tlsMinVersion: VersionTLS12` (or 13), or leave it unset.
    ///
    /// ## References
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET020",
        name: "kubelet-tls-min-version",
        title: "Kubelet accepts TLS older than 1.2",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Set tlsMinVersion: VersionTLS12 (or 13), or leave it unset.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::NotIn {
    path: &["tlsMinVersion"],
    bad: crate::controlplane::WEAK_TLS_VERSIONS,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
