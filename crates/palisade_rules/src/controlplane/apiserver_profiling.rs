//! CP015 apiserver-profiling.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--profiling=false`.
    ///
    /// ## Why is this bad?
    /// The profiling endpoints expose internals useful to an attacker and can be used to load the
    /// API server.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-apiserver
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.35.0
    ///     command:
    ///     - kube-apiserver
    ///     - --profiling=true # expect: CP015
    /// ```
    ///
    /// ## Remediation
    /// Set `--profiling=false`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.15
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP015",
        name: "apiserver-profiling",
        title: "API server profiling enabled",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.2.15")],
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
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
