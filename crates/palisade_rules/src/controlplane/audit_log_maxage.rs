//! AUDIT002 audit-log-maxage.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--audit-log-maxage` to 30 or more (days), or ship logs to a store with
    /// longer retention.
    ///
    /// ## Why is this bad?
    /// Short retention deletes the evidence before most intrusions are discovered.
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
    ///     - --audit-log-maxage=7 # expect: AUDIT002
    /// ```
    ///
    /// ## Remediation
    /// Set `--audit-log-maxage` to 30 or more (days), or ship logs to a store with longer
    /// retention.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.17
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "AUDIT002",
        name: "audit-log-maxage",
        title: "Audit logs kept fewer than 30 days",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.2.17")],
        remediation: "Set --audit-log-maxage to 30 or more (days), or ship logs to a store with longer retention.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::AtLeast {
    flag: "audit-log-maxage",
    min: 30,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
