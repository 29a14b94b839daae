//! CP007 authorization-node.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: include `Node` in `--authorization-mode` (with the NodeRestriction admission
    /// plugin).
    ///
    /// ## Why is this bad?
    /// The Node authorizer limits each kubelet to the objects of its own pods; without it a
    /// compromised node can read every Secret its RBAC grants allow.
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
    ///     - --authorization-mode=RBAC # expect: CP007
    /// ```
    ///
    /// ## Remediation
    /// Include `Node` in `--authorization-mode` (with the NodeRestriction admission plugin).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.7
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP007",
        name: "authorization-node",
        title: "Node authorizer not enabled",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.7")],
        remediation: "Include Node in --authorization-mode (with the NodeRestriction admission plugin).",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Contains {
    flag: "authorization-mode",
    item: "Node",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
