//! KUBELET001 kubelet-anonymous-auth.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set
    /// `authentication.anonymous.enabled: false`.
    ///
    /// ## Why is this bad?
    /// An anonymous kubelet API lets anyone who reaches port 10250 list pods and, with a permissive
    /// authorizer, run commands in them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authentication:
    ///   anonymous:
    ///     enabled: true # expect: KUBELET001
    /// ```
    ///
    /// ## Remediation
    /// Set `authentication.anonymous.enabled: false`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.1
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET001",
        name: "kubelet-anonymous-auth",
        title: "Kubelet accepts anonymous requests",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("4.2.1"), Nsa("C-0069")],
        remediation: "Set authentication.anonymous.enabled: false.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Equals {
    path: &["authentication", "anonymous", "enabled"],
    value: "false",
    unset_ok: true,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
