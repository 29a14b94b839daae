//! CP022 extend-token-expiration.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--service-account-extend-token-expiration=false`.
    ///
    /// ## Why is this bad?
    /// Extended expiration turns short-lived projected tokens into year-long ones for legacy
    /// clients, widening the window for a stolen token.
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
    ///     - --service-account-extend-token-expiration=true # expect: CP022
    /// ```
    ///
    /// ## Remediation
    /// Set `--service-account-extend-token-expiration=false`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.30
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP022",
        name: "extend-token-expiration",
        title: "ServiceAccount token expiration extended",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.30")],
        remediation: "Set --service-account-extend-token-expiration=false.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "service-account-extend-token-expiration",
    value: "false",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
