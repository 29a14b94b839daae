//! CP005 kubelet-certificate-authority.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--kubelet-certificate-authority` to the CA that signs kubelet serving
    /// certificates.
    ///
    /// ## Why is this bad?
    /// Without it the API server does not verify the kubelet serving certificate: an attacker on
    /// the path can impersonate a kubelet and receive exec and log traffic.
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
    ///     command: # expect: CP005
    ///     - kube-apiserver
    ///     - --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key
    /// ```
    ///
    /// ## Remediation
    /// Set `--kubelet-certificate-authority` to the CA that signs kubelet serving certificates.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.5
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP005",
        name: "kubelet-certificate-authority",
        title: "API server does not verify kubelet certificates",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.5")],
        remediation: "Set --kubelet-certificate-authority to the CA that signs kubelet serving certificates.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["kubelet-certificate-authority"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
