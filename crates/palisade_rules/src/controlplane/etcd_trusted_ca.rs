//! ETCD007 etcd-trusted-ca.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--trusted-ca-file` to a CA used only for etcd.
    ///
    /// ## Why is this bad?
    /// Without a dedicated CA for etcd clients, etcd cannot limit access to the API server; reusing
    /// the cluster CA lets any cluster certificate in.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: etcd
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: etcd
    ///     image: registry.k8s.io/etcd:3.6.4-0
    ///     command: # expect: ETCD007
    ///     - etcd
    ///     - --data-dir=/var/lib/etcd
    /// ```
    ///
    /// ## Remediation
    /// Set `--trusted-ca-file` to a CA used only for etcd.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.7
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD007",
        name: "etcd-trusted-ca",
        title: "etcd trusted CA not set",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("2.7")],
        remediation: "Set --trusted-ca-file to a CA used only for etcd.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["trusted-ca-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
