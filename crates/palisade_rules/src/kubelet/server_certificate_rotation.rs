//! KUBELET012 kubelet-serving-certificate-rotation.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: remove
    /// `RotateKubeletServerCertificate: false` from `featureGates`.
    ///
    /// ## Why is this bad?
    /// Without serving certificate rotation the kubelet keeps its serving certificate until expiry.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// featureGates:
    ///   RotateKubeletServerCertificate: false # expect: KUBELET012
    /// ```
    ///
    /// ## Remediation
    /// Remove `RotateKubeletServerCertificate: false` from `featureGates`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.11
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET012",
        name: "kubelet-serving-certificate-rotation",
        title: "Kubelet serving certificate rotation disabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.2.11")],
        remediation: "Remove RotateKubeletServerCertificate: false from featureGates.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::NotIn {
    path: &["featureGates", "RotateKubeletServerCertificate"],
    bad: &["false"],
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
