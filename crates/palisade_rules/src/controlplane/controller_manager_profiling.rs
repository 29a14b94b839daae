//! CP031 controller-manager-profiling.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`) that
    /// fail this requirement: set `--profiling=false`.
    ///
    /// ## Why is this bad?
    /// The profiling endpoints expose internals and can be used to load the controller manager.
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
    ///     command:
    ///     - kube-controller-manager
    ///     - --profiling=true # expect: CP031
    /// ```
    ///
    /// ## Remediation
    /// Set `--profiling=false`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.2
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP031",
        name: "controller-manager-profiling",
        title: "Controller manager profiling enabled",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.3.2")],
        remediation: "Set --profiling=false.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "profiling",
    value: "false",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ControllerManager, &CHECK);
}
