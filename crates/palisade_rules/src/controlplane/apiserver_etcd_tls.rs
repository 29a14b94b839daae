//! ETCD009 apiserver-etcd-tls.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--etcd-certfile`, `--etcd-keyfile` and `--etcd-cafile`.
    ///
    /// ## Why is this bad?
    /// etcd holds every Secret; without client certificates and CA verification the API server
    /// connection to it can be impersonated or read.
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
    ///     command: # expect: ETCD009
    ///     - kube-apiserver
    ///     - --etcd-servers=https://127.0.0.1:2379
    /// ```
    ///
    /// ## Remediation
    /// Set `--etcd-certfile`, `--etcd-keyfile` and `--etcd-cafile`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.23
    /// - CIS Kubernetes Benchmark 1.2.26
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "ETCD009",
        name: "apiserver-etcd-tls",
        title: "API server talks to etcd without mutual TLS",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.23"), Cis("1.2.26")],
        remediation: "Set --etcd-certfile, --etcd-keyfile and --etcd-cafile.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["etcd-certfile", "etcd-keyfile", "etcd-cafile"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
