//! CP019 apiserver-tls.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--tls-cert-file` and `--tls-private-key-file`.
    ///
    /// ## Why is this bad?
    /// Without an explicit certificate the API server serves a self-signed one that clients cannot
    /// verify, inviting them to skip verification.
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
    ///     command: # expect: CP019
    ///     - kube-apiserver
    ///     - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
    /// ```
    ///
    /// ## Remediation
    /// Set `--tls-cert-file` and `--tls-private-key-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.24
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP019",
        name: "apiserver-tls",
        title: "API server serving certificate not set",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.24")],
        remediation: "Set --tls-cert-file and --tls-private-key-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["tls-cert-file", "tls-private-key-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
