//! CP006 authorization-always-allow.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--authorization-mode=Node,RBAC`.
    ///
    /// ## Why is this bad?
    /// `AlwaysAllow` (the default when `--authorization-mode` is unset) lets every authenticated
    /// request do anything: RBAC is not enforced.
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
    ///     - --authorization-mode=AlwaysAllow # expect: CP006
    /// ```
    ///
    /// ## Remediation
    /// Set `--authorization-mode=Node,RBAC`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.6
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP006",
        name: "authorization-always-allow",
        title: "API server authorizes every request",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("1.2.6")],
        remediation: "Set --authorization-mode=Node,RBAC.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Lacks {
    flag: "authorization-mode",
    item: "AlwaysAllow",
    default_has: true,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
