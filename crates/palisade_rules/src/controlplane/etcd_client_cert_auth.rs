//! ETCD002 etcd-client-cert-auth.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--client-cert-auth=true` with `--trusted-ca-file`.
    ///
    /// ## Why is this bad?
    /// Without client certificate authentication anyone who can reach port 2379 can read and write
    /// every object, Secrets included.
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
    ///     - --client-cert-auth=false # expect: ETCD002
    /// ```
    ///
    /// ## Remediation
    /// Set `--client-cert-auth=true` with `--trusted-ca-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.2
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD002",
        name: "etcd-client-cert-auth",
        title: "etcd does not require client certificates",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("2.2")],
        remediation: "Set --client-cert-auth=true with --trusted-ca-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "client-cert-auth",
    value: "true",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
