//! CP001 anonymous-auth.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--anonymous-auth=false` (or limit anonymous access to health endpoints
    /// with an AuthenticationConfiguration).
    ///
    /// ## Why is this bad?
    /// With anonymous authentication on, requests without credentials are served as
    /// `system:anonymous`: any RBAC grant to that user or to `system:unauthenticated` becomes
    /// public.
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
    ///     - --anonymous-auth=true # expect: CP001
    /// ```
    ///
    /// ## Remediation
    /// Set `--anonymous-auth=false` (or limit anonymous access to health endpoints with an
    /// AuthenticationConfiguration).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.1
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP001",
        name: "anonymous-auth",
        title: "API server allows anonymous requests",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.1")],
        remediation: "Set --anonymous-auth=false (or limit anonymous access to health endpoints with an AuthenticationConfiguration).",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "anonymous-auth",
    value: "false",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
