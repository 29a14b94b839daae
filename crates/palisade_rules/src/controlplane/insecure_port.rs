//! CP025 insecure-port.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate_all};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that serve
    /// the API without TLS and authentication: `--insecure-port` set to anything but `0`
    /// (releases before 1.20 served plain HTTP there), or `--secure-port=0`, which turns the
    /// authenticated HTTPS port off.
    ///
    /// ## Why is this bad?
    /// Requests to the insecure port skip authentication and authorization entirely: whoever
    /// reaches it is cluster-admin, and its traffic, Secrets included, is unencrypted.
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
    ///     image: registry.k8s.io/kube-apiserver:v1.18.20
    ///     command:
    ///     - kube-apiserver
    ///     - --insecure-port=8080 # expect: CP025
    /// ```
    ///
    /// ## Remediation
    /// Set `--insecure-port=0` (or remove it on 1.20 and later, where it is gone) and keep
    /// `--secure-port` at a non-zero port such as `6443`.
    ///
    /// ## References
    /// - kubescape C-0005 API server insecure port is enabled (NSA)
    /// - Kubernetes: Controlling access to the Kubernetes API, API server ports and IPs
    pub static RULE = {
        id: "CP025",
        name: "insecure-port",
        title: "API server serves an unauthenticated port",
        severity: Critical,
        layer: Cluster,
        frameworks: [Nsa("C-0005")],
        remediation: "Set --insecure-port=0 (or remove it) and keep --secure-port non-zero.",
        hook: Hook::Pod(check),
    }
}

const CHECKS: &[Check] = &[
    Check::Equals {
        flag: "insecure-port",
        value: "0",
        unset_ok: true,
    },
    Check::NotIn {
        flag: "secure-port",
        bad: &["0"],
    },
];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate_all(pod, ctx, &[Component::ApiServer], CHECKS);
}
