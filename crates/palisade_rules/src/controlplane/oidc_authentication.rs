//! CP024 oidc-authentication.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that
    /// configure no external identity provider for people: neither `--oidc-issuer-url` nor
    /// structured authentication (`--authentication-config`, whose JWT authenticators replace
    /// the `--oidc-*` flags) is set.
    ///
    /// ## Why is this bad?
    /// Without an identity provider, people authenticate with client certificates or tokens
    /// that the cluster cannot revoke, that carry no multi-factor check and that outlive the
    /// person's access: a leaked kubeconfig stays valid until it expires.
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
    ///     command: # expect: CP024
    ///     - kube-apiserver
    ///     - --authorization-mode=Node,RBAC
    /// ```
    ///
    /// ## Remediation
    /// Configure an OIDC identity provider with `--authentication-config` (a JWT
    /// authenticator) or `--oidc-issuer-url` and `--oidc-client-id`, and give people access
    /// through it rather than through certificates.
    ///
    /// ## References
    /// - Kubernetes: Authenticating, OpenID Connect tokens and structured authentication
    ///   configuration
    /// - CIS Kubernetes Benchmark 3.1.1: Client certificate authentication should not be used
    ///   for users
    pub static RULE = {
        id: "CP024",
        name: "oidc-authentication",
        title: "API server has no identity provider for users",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Configure an OIDC identity provider with --authentication-config or --oidc-issuer-url.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::SetAny(&["oidc-issuer-url", "authentication-config"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
