//! CP020 client-ca.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--client-ca-file`.
    ///
    /// ## Why is this bad?
    /// Without a client CA, certificate authentication is off and components fall back to weaker
    /// credentials.
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
    ///     command: # expect: CP020
    ///     - kube-apiserver
    ///     - --authorization-mode=Node,RBAC
    /// ```
    ///
    /// ## Remediation
    /// Set `--client-ca-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.25
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP020",
        name: "client-ca",
        title: "API server client CA not set",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.25")],
        remediation: "Set --client-ca-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["client-ca-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
