//! CP035 kubelet-server-certificate-rotation.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`) that
    /// fail this requirement: remove `RotateKubeletServerCertificate=false` from `--feature-gates`.
    ///
    /// ## Why is this bad?
    /// Without rotation, kubelet serving certificates live until they expire and cannot be replaced
    /// automatically after a compromise.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-controller-manager
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-controller-manager
    ///     image: registry.k8s.io/kube-controller-manager:v1.35.0
    ///     command:
    ///     - kube-controller-manager
    ///     - --feature-gates=RotateKubeletServerCertificate=false # expect: CP035
    /// ```
    ///
    /// ## Remediation
    /// Remove `RotateKubeletServerCertificate=false` from `--feature-gates`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.6
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP035",
        name: "kubelet-server-certificate-rotation",
        title: "Kubelet serving certificate rotation disabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.3.6")],
        remediation: "Remove RotateKubeletServerCertificate=false from --feature-gates.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Lacks {
    flag: "feature-gates",
    item: "RotateKubeletServerCertificate=false",
    default_has: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ControllerManager, &CHECK);
}
