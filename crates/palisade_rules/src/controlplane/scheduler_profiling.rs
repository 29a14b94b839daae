//! CP037 scheduler-profiling.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-scheduler static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--profiling=false`.
    ///
    /// ## Why is this bad?
    /// The profiling endpoints expose internals and can be used to load the scheduler.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-scheduler
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-scheduler
    ///     image: registry.k8s.io/kube-scheduler:v1.35.0
    ///     command:
    ///     - kube-scheduler
    ///     - --profiling=true # expect: CP037
    /// ```
    ///
    /// ## Remediation
    /// Set `--profiling=false`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.4.1
    /// - Kubernetes: kube-scheduler command-line reference
    pub static RULE = {
        id: "CP037",
        name: "scheduler-profiling",
        title: "Scheduler profiling enabled",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.4.1")],
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
    evaluate(pod, ctx, Component::Scheduler, &CHECK);
}
