//! ETCD005 etcd-peer-client-cert-auth.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--peer-client-cert-auth=true`.
    ///
    /// ## Why is this bad?
    /// Without peer certificate authentication a rogue member can join the cluster and receive all
    /// data.
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
    ///     - --peer-client-cert-auth=false # expect: ETCD005
    /// ```
    ///
    /// ## Remediation
    /// Set `--peer-client-cert-auth=true`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.5
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD005",
        name: "etcd-peer-client-cert-auth",
        title: "etcd does not authenticate its peers",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("2.5")],
        remediation: "Set --peer-client-cert-auth=true.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "peer-client-cert-auth",
    value: "true",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
