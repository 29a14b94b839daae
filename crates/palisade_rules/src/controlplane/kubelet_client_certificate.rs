//! CP004 kubelet-client-certificate.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--kubelet-client-certificate` and `--kubelet-client-key`.
    ///
    /// ## Why is this bad?
    /// Without a client certificate the API server cannot authenticate to kubelets, so kubelets
    /// must accept unauthenticated requests for logs, exec and port-forward.
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
    ///     command: # expect: CP004
    ///     - kube-apiserver
    ///     - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
    /// ```
    ///
    /// ## Remediation
    /// Set `--kubelet-client-certificate` and `--kubelet-client-key`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.4
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP004",
        name: "kubelet-client-certificate",
        title: "API server has no kubelet client certificate",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.4")],
        remediation: "Set --kubelet-client-certificate and --kubelet-client-key.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["kubelet-client-certificate", "kubelet-client-key"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
