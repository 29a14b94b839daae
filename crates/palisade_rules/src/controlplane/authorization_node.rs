//! CP007 authorization-node.

use palisade_engine::prelude::*;

use super::authorization::{self, Requirement};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) whose
    /// `--authorization-mode` does not include `Node`, and `AuthorizationConfiguration` files
    /// (structured authorization, `--authorization-config`) without an authorizer of type
    /// `Node`. An API server that uses `--authorization-config` is judged by that file where it
    /// is in the scan; without it, the control is reported as not evaluated.
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
    /// Include `Node` in `--authorization-mode` or as an authorizer of the
    /// `AuthorizationConfiguration`, with the NodeRestriction admission plugin.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.7
    /// - Kubernetes: kube-apiserver command-line reference
    /// - Kubernetes: Authorization, configuring the API server using an authorization config
    ///   file (`AuthorizationConfiguration`, `apiserver.config.k8s.io/v1`)
    pub static RULE = {
        id: "CP007",
        name: "authorization-node",
        title: "Node authorizer not enabled",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.7")],
        remediation: "Include Node in --authorization-mode or the AuthorizationConfiguration (with the NodeRestriction admission plugin).",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    authorization::evaluate(object, ctx, Requirement::Includes("Node"));
}
