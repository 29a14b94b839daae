//! CP002 token-auth-file.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `--token-auth-file`; authenticate people with OIDC and workloads with
    /// ServiceAccount tokens.
    ///
    /// ## Why is this bad?
    /// Static tokens live in a plain file on the control plane, never expire and can only be
    /// revoked by restarting the API server.
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
    ///     - --token-auth-file=/etc/kubernetes/tokens.csv # expect: CP002
    /// ```
    ///
    /// ## Remediation
    /// Remove `--token-auth-file`; authenticate people with OIDC and workloads with ServiceAccount
    /// tokens.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.2
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP002",
        name: "token-auth-file",
        title: "API server uses static token authentication",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.2")],
        remediation: "Remove --token-auth-file; authenticate people with OIDC and workloads with ServiceAccount tokens.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Unset("token-auth-file");

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
