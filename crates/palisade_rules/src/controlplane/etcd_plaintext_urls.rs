//! ETCD008 etcd-plaintext-urls.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags etcd static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: use `https://` for every client and peer URL.
    ///
    /// ## Why is this bad?
    /// A plaintext listener exposes every object, Secrets included, to anyone on the network path.
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
    ///     - --listen-client-urls=https://127.0.0.1:2379,http://10.0.0.5:2379 # expect: ETCD008
    /// ```
    ///
    /// ## Remediation
    /// Use `https://` for every client and peer URL.
    ///
    /// ## References
    /// - Kubernetes: Operating etcd clusters for Kubernetes, securing communication
    /// - Kubernetes: etcd command-line reference
    pub static RULE = {
        id: "ETCD008",
        name: "etcd-plaintext-urls",
        title: "etcd listens or advertises over plain HTTP",
        severity: High,
        layer: Cluster,
        frameworks: [],
        remediation: "Use https:// for every client and peer URL.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::HttpsOnly(&[
    "listen-client-urls",
    "listen-peer-urls",
    "advertise-client-urls",
]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::Etcd, &CHECK);
}
