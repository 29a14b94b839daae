//! CP008 authorization-rbac.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: include `RBAC` in `--authorization-mode`.
    ///
    /// ## Why is this bad?
    /// Without the RBAC authorizer, Roles and bindings have no effect and least privilege cannot be
    /// expressed.
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
    ///     - --authorization-mode=Node,Webhook # expect: CP008
    /// ```
    ///
    /// ## Remediation
    /// Include `RBAC` in `--authorization-mode`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.8
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP008",
        name: "authorization-rbac",
        title: "RBAC authorizer not enabled",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.8")],
        remediation: "Include RBAC in --authorization-mode.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Contains {
    flag: "authorization-mode",
    item: "RBAC",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
