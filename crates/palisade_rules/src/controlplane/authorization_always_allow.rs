//! CP006 authorization-always-allow.

use palisade_engine::prelude::*;

use super::authorization::{self, Requirement};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) whose
    /// `--authorization-mode` includes `AlwaysAllow` or is unset (its default is
    /// `AlwaysAllow`), and `AuthorizationConfiguration` files (structured authorization,
    /// `--authorization-config`) with an authorizer of type `AlwaysAllow`. An API server that
    /// uses `--authorization-config` is judged by that file where it is in the scan; without
    /// it, the control is reported as not evaluated rather than passed or failed.
    ///
    /// ## Why is this bad?
    /// `AlwaysAllow` lets every authenticated request that no earlier authorizer denies do
    /// anything: RBAC is not enforced.
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
    /// Set `--authorization-mode=Node,RBAC`, or remove the `AlwaysAllow` authorizer from the
    /// `AuthorizationConfiguration` and list `Node` and `RBAC` there.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.6
    /// - Kubernetes: kube-apiserver command-line reference
    /// - Kubernetes: Authorization, configuring the API server using an authorization config
    ///   file (`AuthorizationConfiguration`, `apiserver.config.k8s.io/v1`)
    pub static RULE = {
        id: "CP006",
        name: "authorization-always-allow",
        title: "API server authorizes every request",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("1.2.6")],
        remediation: "Set --authorization-mode=Node,RBAC, or remove the AlwaysAllow authorizer from the AuthorizationConfiguration.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    authorization::evaluate(object, ctx, Requirement::Lacks("AlwaysAllow"));
}
