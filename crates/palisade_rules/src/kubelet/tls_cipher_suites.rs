//! KUBELET013 kubelet-tls-cipher-suites.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: limit `tlsCipherSuites` to AEAD
    /// suites with ECDHE key exchange.
    ///
    /// ## Why is this bad?
    /// CBC-mode and RSA key-exchange suites lack forward secrecy or have known weaknesses.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// tlsCipherSuites: # expect: KUBELET013
    /// - TLS_RSA_WITH_AES_128_CBC_SHA
    /// ```
    ///
    /// ## Remediation
    /// Limit `tlsCipherSuites` to AEAD suites with ECDHE key exchange.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.12
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET013",
        name: "kubelet-tls-cipher-suites",
        title: "Kubelet allows weak TLS cipher suites",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("4.2.12")],
        remediation: "Limit tlsCipherSuites to AEAD suites with ECDHE key exchange.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Subset {
    path: &["tlsCipherSuites"],
    allowed: &[
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ],
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
