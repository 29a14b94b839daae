//! KUBELET003 kubelet-client-ca.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set
    /// `authentication.x509.clientCAFile`.
    ///
    /// ## Why is this bad?
    /// Without a client CA the kubelet cannot authenticate the API server or other clients by
    /// certificate.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authentication:
    ///   x509: {} # expect: KUBELET003
    /// ```
    ///
    /// ## Remediation
    /// Set `authentication.x509.clientCAFile`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.3
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET003",
        name: "kubelet-client-ca",
        title: "Kubelet does not verify client certificates",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("4.2.3"), Nsa("C-0070")],
        remediation: "Set authentication.x509.clientCAFile.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Set {
    paths: &[&["authentication", "x509", "clientCAFile"]],
    unless: None,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
