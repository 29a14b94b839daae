//! KUBELET010 kubelet-serving-certificate.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `tlsCertFile` and
    /// `tlsPrivateKeyFile`, or `serverTLSBootstrap: true` to obtain a certificate from the cluster
    /// CA.
    ///
    /// ## Why is this bad?
    /// Without a CA-issued serving certificate the kubelet serves a self-signed one, so the API
    /// server cannot verify it is talking to the right node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1 # expect: KUBELET010
    /// kind: KubeletConfiguration
    /// tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
    /// ```
    ///
    /// ## Remediation
    /// Set `tlsCertFile` and `tlsPrivateKeyFile`, or `serverTLSBootstrap: true` to obtain a
    /// certificate from the cluster CA.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.9
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET010",
        name: "kubelet-serving-certificate",
        title: "Kubelet serving certificate not configured",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.2.9")],
        remediation: "Set tlsCertFile and tlsPrivateKeyFile, or serverTLSBootstrap: true to obtain a certificate from the cluster CA.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Set {
    paths: &[&["tlsCertFile"], &["tlsPrivateKeyFile"]],
    unless: Some(&["serverTLSBootstrap"]),
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
