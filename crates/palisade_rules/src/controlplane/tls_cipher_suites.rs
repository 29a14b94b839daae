//! CP021 tls-cipher-suites.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: limit `--tls-cipher-suites` to AEAD suites with ECDHE key exchange (or leave it
    /// unset to use Go defaults).
    ///
    /// ## Why is this bad?
    /// CBC-mode and RSA key-exchange suites lack forward secrecy or have known weaknesses.
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
    ///     command:
    ///     - kube-apiserver
    ///     - --tls-cipher-suites=TLS_RSA_WITH_AES_128_CBC_SHA,TLS_AES_128_GCM_SHA256 # expect: CP021
    /// ```
    ///
    /// ## Remediation
    /// Limit `--tls-cipher-suites` to AEAD suites with ECDHE key exchange (or leave it unset to use
    /// Go defaults).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.29
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP021",
        name: "tls-cipher-suites",
        title: "API server allows weak TLS cipher suites",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.2.29")],
        remediation: "Limit --tls-cipher-suites to AEAD suites with ECDHE key exchange (or leave it unset to use Go defaults).",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Subset {
    flag: "tls-cipher-suites",
    allowed: &[
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ],
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
