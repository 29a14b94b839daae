//! CP030 terminated-pod-gc.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`) that
    /// fail this requirement: set `--terminated-pod-gc-threshold` to a value that fits the cluster.
    ///
    /// ## Why is this bad?
    /// With the default threshold (12500) terminated pods accumulate, degrading performance and
    /// keeping old pod data around.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-controller-manager
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-controller-manager
    ///     image: registry.k8s.io/kube-controller-manager:v1.35.0
    ///     command: # expect: CP030
    ///     - kube-controller-manager
    ///     - --profiling=false
    /// ```
    ///
    /// ## Remediation
    /// Set `--terminated-pod-gc-threshold` to a value that fits the cluster.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.1
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP030",
        name: "terminated-pod-gc",
        title: "Terminated pod garbage collection threshold not set",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.3.1")],
        remediation: "Set --terminated-pod-gc-threshold to a value that fits the cluster.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["terminated-pod-gc-threshold"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ControllerManager, &CHECK);
}
