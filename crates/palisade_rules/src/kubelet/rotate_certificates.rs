//! KUBELET011 kubelet-rotate-certificates.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `rotateCertificates: true`.
    ///
    /// ## Why is this bad?
    /// Without rotation the kubelet client certificate lives until it expires and cannot be
    /// replaced automatically after a compromise.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// rotateCertificates: false # expect: KUBELET011
    /// ```
    ///
    /// ## Remediation
    /// Set `rotateCertificates: true`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.10
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET011",
        name: "kubelet-rotate-certificates",
        title: "Kubelet client certificate rotation disabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.2.10")],
        remediation: "Set rotateCertificates: true.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Equals {
    path: &["rotateCertificates"],
    value: "true",
    unset_ok: true,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
