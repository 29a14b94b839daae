//! KUBELET016 kubelet-protect-kernel-defaults.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `protectKernelDefaults:
    /// true` and tune the kernel parameters on the node.
    ///
    /// ## Why is this bad?
    /// Without it the kubelet silently changes kernel parameters it needs instead of failing on a
    /// node that was hardened differently.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// protectKernelDefaults: false # expect: KUBELET016
    /// ```
    ///
    /// ## Remediation
    /// Set `protectKernelDefaults: true` and tune the kernel parameters on the node.
    ///
    /// ## References
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET016",
        name: "kubelet-protect-kernel-defaults",
        title: "Kubelet may change kernel settings",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Set protectKernelDefaults: true and tune the kernel parameters on the node.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Equals {
    path: &["protectKernelDefaults"],
    value: "true",
    unset_ok: false,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
