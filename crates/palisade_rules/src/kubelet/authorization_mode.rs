//! KUBELET002 kubelet-authorization-mode.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `authorization.mode:
    /// Webhook` so the API server decides.
    ///
    /// ## Why is this bad?
    /// With `AlwaysAllow`, every request that reaches the kubelet API may exec into pods, read logs
    /// and port-forward.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authorization:
    ///   mode: AlwaysAllow # expect: KUBELET002
    /// ```
    ///
    /// ## Remediation
    /// Set `authorization.mode: Webhook` so the API server decides.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.2
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET002",
        name: "kubelet-authorization-mode",
        title: "Kubelet authorizes every request",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("4.2.2")],
        remediation: "Set authorization.mode: Webhook so the API server decides.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::NotIn {
    path: &["authorization", "mode"],
    bad: &["AlwaysAllow"],
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
