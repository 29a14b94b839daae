//! KUBELET005 kubelet-read-only-port.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `readOnlyPort: 0` (the
    /// default) or remove it.
    ///
    /// ## Why is this bad?
    /// The read-only port (10255) serves pod and node details without any authentication.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// readOnlyPort: 10255 # expect: KUBELET005
    /// ```
    ///
    /// ## Remediation
    /// Set `readOnlyPort: 0` (the default) or remove it.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.4
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET005",
        name: "kubelet-read-only-port",
        title: "Kubelet read-only port open",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("4.2.4")],
        remediation: "Set readOnlyPort: 0 (the default) or remove it.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Equals {
    path: &["readOnlyPort"],
    value: "0",
    unset_ok: true,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
