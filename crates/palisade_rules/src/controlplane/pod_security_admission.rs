//! CP026 pod-security-admission.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `PodSecurity` from `--disable-admission-plugins`.
    ///
    /// ## Why is this bad?
    /// Disabling PodSecurity removes Pod Security Standards enforcement from every namespace.
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
    ///     - --disable-admission-plugins=PodSecurity # expect: CP026
    /// ```
    ///
    /// ## Remediation
    /// Remove `PodSecurity` from `--disable-admission-plugins`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.2.1
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP026",
        name: "pod-security-admission",
        title: "PodSecurity admission plugin disabled",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.2.1")],
        remediation: "Remove PodSecurity from --disable-admission-plugins.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Lacks {
    flag: "disable-admission-plugins",
    item: "PodSecurity",
    default_has: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
