//! CP013 namespace-lifecycle.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `NamespaceLifecycle` from `--disable-admission-plugins`.
    ///
    /// ## Why is this bad?
    /// NamespaceLifecycle rejects objects in terminating or missing namespaces and protects the
    /// system namespaces from deletion.
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
    ///     - --disable-admission-plugins=NamespaceLifecycle # expect: CP013
    /// ```
    ///
    /// ## Remediation
    /// Remove `NamespaceLifecycle` from `--disable-admission-plugins`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.13
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP013",
        name: "namespace-lifecycle",
        title: "NamespaceLifecycle admission plugin disabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.13")],
        remediation: "Remove NamespaceLifecycle from --disable-admission-plugins.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Lacks {
    flag: "disable-admission-plugins",
    item: "NamespaceLifecycle",
    default_has: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
