//! AUDIT004 audit-log-maxsize.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--audit-log-maxsize` to 100 (MB) or more.
    ///
    /// ## Why is this bad?
    /// Small files rotate quickly and, with few backups, lose history.
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
    ///     - --audit-log-maxsize=10 # expect: AUDIT004
    /// ```
    ///
    /// ## Remediation
    /// Set `--audit-log-maxsize` to 100 (MB) or more.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.19
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "AUDIT004",
        name: "audit-log-maxsize",
        title: "Audit log files smaller than 100 MB",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.2.19")],
        remediation: "Set --audit-log-maxsize to 100 (MB) or more.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::AtLeast {
    flag: "audit-log-maxsize",
    min: 100,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
