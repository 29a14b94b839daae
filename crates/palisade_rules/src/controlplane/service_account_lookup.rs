//! CP017 service-account-lookup.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `--service-account-lookup=false`.
    ///
    /// ## Why is this bad?
    /// Without lookup, tokens of deleted ServiceAccounts stay valid until they expire.
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
    ///     - --service-account-lookup=false # expect: CP017
    /// ```
    ///
    /// ## Remediation
    /// Remove `--service-account-lookup=false`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.21
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP017",
        name: "service-account-lookup",
        title: "ServiceAccount token lookup disabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.21")],
        remediation: "Remove --service-account-lookup=false.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "service-account-lookup",
    value: "true",
    unset_ok: true,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
