//! CP008 authorization-rbac.

use palisade_engine::prelude::*;

use super::authorization::{self, Requirement};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) whose
    /// `--authorization-mode` does not include `RBAC`, and `AuthorizationConfiguration` files
    /// (structured authorization, `--authorization-config`) without an authorizer of type
    /// `RBAC`. An API server that uses `--authorization-config` is judged by that file where it
    /// is in the scan; without it, the control is reported as not evaluated.
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
    /// Include `RBAC` in `--authorization-mode` or as an authorizer of the
    /// `AuthorizationConfiguration`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.8
    /// - Kubernetes: kube-apiserver command-line reference
    /// - Kubernetes: Authorization, configuring the API server using an authorization config
    ///   file (`AuthorizationConfiguration`, `apiserver.config.k8s.io/v1`)
    pub static RULE = {
        id: "CP008",
        name: "authorization-rbac",
        title: "RBAC authorizer not enabled",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.8")],
        remediation: "Include RBAC in --authorization-mode or the AuthorizationConfiguration.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    authorization::evaluate(object, ctx, Requirement::Includes("RBAC"));
}
