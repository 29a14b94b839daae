//! ETCD004 etcd-peer-tls.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--peer-cert-file` and `--peer-key-file`.
    ///
    /// ## Why is this bad?
    /// Replication traffic between etcd members carries every object in plain text without peer
    /// certificates.
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
    ///     command: # expect: ETCD004
    ///     - etcd
    ///     - --data-dir=/var/lib/etcd
    /// ```
    ///
    /// ## Remediation
    /// Set `--peer-cert-file` and `--peer-key-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.4
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD004",
        name: "etcd-peer-tls",
        title: "etcd peers talk without TLS",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("2.4")],
        remediation: "Set --peer-cert-file and --peer-key-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["peer-cert-file", "peer-key-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
