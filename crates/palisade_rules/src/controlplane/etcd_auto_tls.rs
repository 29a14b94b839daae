//! ETCD003 etcd-auto-tls.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `--auto-tls` and configure certificates from the cluster PKI.
    ///
    /// ## Why is this bad?
    /// `--auto-tls` generates self-signed certificates that clients cannot verify.
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
    ///     - --auto-tls=true # expect: ETCD003
    /// ```
    ///
    /// ## Remediation
    /// Remove `--auto-tls` and configure certificates from the cluster PKI.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.3
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD003",
        name: "etcd-auto-tls",
        title: "etcd uses self-signed client certificates",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("2.3")],
        remediation: "Remove --auto-tls and configure certificates from the cluster PKI.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "auto-tls",
    value: "false",
    unset_ok: true,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
