//! AUDIT003 audit-log-maxbackup.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--audit-log-maxbackup` to 10 or more.
    ///
    /// ## Why is this bad?
    /// Few rotated files mean a burst of activity can push the evidence out of the logs.
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
    ///     - --audit-log-maxbackup=3 # expect: AUDIT003
    /// ```
    ///
    /// ## Remediation
    /// Set `--audit-log-maxbackup` to 10 or more.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.18
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "AUDIT003",
        name: "audit-log-maxbackup",
        title: "Fewer than 10 audit log backups",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.2.18")],
        remediation: "Set --audit-log-maxbackup to 10 or more.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::AtLeast {
    flag: "audit-log-maxbackup",
    min: 10,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
