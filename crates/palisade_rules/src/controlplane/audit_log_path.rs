//! AUDIT001 audit-log-path.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--audit-log-path` and `--audit-policy-file`.
    ///
    /// ## Why is this bad?
    /// Without an audit log there is no record of who did what through the API: incidents cannot be
    /// investigated or even noticed.
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
    ///     command: # expect: AUDIT001
    ///     - kube-apiserver
    ///     - --authorization-mode=Node,RBAC
    /// ```
    ///
    /// ## Remediation
    /// Set `--audit-log-path` and `--audit-policy-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.16
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "AUDIT001",
        name: "audit-log-path",
        title: "API server audit logging off",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.16")],
        remediation: "Set --audit-log-path and --audit-policy-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["audit-log-path"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
