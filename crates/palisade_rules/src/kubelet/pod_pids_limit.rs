//! KUBELET014 kubelet-pod-pids-limit.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `podPidsLimit` to a bound
    /// that fits your workloads (for example 4096).
    ///
    /// ## Why is this bad?
    /// Without a PID limit one pod can fork-bomb the node and starve every other workload and the
    /// kubelet itself.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1 # expect: KUBELET014
    /// kind: KubeletConfiguration
    /// maxPods: 110
    /// ```
    ///
    /// ## Remediation
    /// Set `podPidsLimit` to a bound that fits your workloads (for example 4096).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.13
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET014",
        name: "kubelet-pod-pids-limit",
        title: "No per-pod process limit",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.2.13")],
        remediation: "Set podPidsLimit to a bound that fits your workloads (for example 4096).",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Set {
    paths: &[&["podPidsLimit"]],
    unless: None,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
