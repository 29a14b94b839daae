//! ETCD001 etcd-tls.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--cert-file` and `--key-file`.
    ///
    /// ## Why is this bad?
    /// Without a serving certificate etcd, which stores every Secret, talks to the API server in
    /// plain text.
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
    ///     command: # expect: ETCD001
    ///     - etcd
    ///     - --data-dir=/var/lib/etcd
    /// ```
    ///
    /// ## Remediation
    /// Set `--cert-file` and `--key-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.1
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD001",
        name: "etcd-tls",
        title: "etcd serves clients without TLS",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("2.1")],
        remediation: "Set --cert-file and --key-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["cert-file", "key-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
