//! KUBELET015 kubelet-seccomp-default.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `seccompDefault: true` so
    /// that RuntimeDefault applies to every pod.
    ///
    /// ## Why is this bad?
    /// Without it, every pod that does not ask for a seccomp profile runs unconfined, with the full
    /// system call surface.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// seccompDefault: false # expect: KUBELET015
    /// ```
    ///
    /// ## Remediation
    /// Set `seccompDefault: true` so that RuntimeDefault applies to every pod.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.14
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET015",
        name: "kubelet-seccomp-default",
        title: "Kubelet does not apply seccomp by default",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.2.14")],
        remediation: "Set seccompDefault: true so that RuntimeDefault applies to every pod.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Equals {
    path: &["seccompDefault"],
    value: "true",
    unset_ok: false,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
