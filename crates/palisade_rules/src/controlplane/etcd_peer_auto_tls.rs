//! ETCD006 etcd-peer-auto-tls.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `--peer-auto-tls` and configure peer certificates from the cluster PKI.
    ///
    /// ## Why is this bad?
    /// `--peer-auto-tls` generates self-signed peer certificates that members cannot verify.
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
    ///     command:
    ///     - etcd
    ///     - --peer-auto-tls=true # expect: ETCD006
    /// ```
    ///
    /// ## Remediation
    /// Remove `--peer-auto-tls` and configure peer certificates from the cluster PKI.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.6
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD006",
        name: "etcd-peer-auto-tls",
        title: "etcd uses self-signed peer certificates",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("2.6")],
        remediation: "Remove --peer-auto-tls and configure peer certificates from the cluster PKI.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "peer-auto-tls",
    value: "false",
    unset_ok: true,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
