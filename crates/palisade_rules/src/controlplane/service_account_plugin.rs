//! CP012 service-account-plugin.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `ServiceAccount` from `--disable-admission-plugins`.
    ///
    /// ## Why is this bad?
    /// The ServiceAccount plugin assigns and validates ServiceAccounts and mounts their tokens;
    /// disabling it breaks workload identity controls.
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
    ///     - --disable-admission-plugins=ServiceAccount # expect: CP012
    /// ```
    ///
    /// ## Remediation
    /// Remove `ServiceAccount` from `--disable-admission-plugins`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.12
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP012",
        name: "service-account-plugin",
        title: "ServiceAccount admission plugin disabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.12")],
        remediation: "Remove ServiceAccount from --disable-admission-plugins.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Lacks {
    flag: "disable-admission-plugins",
    item: "ServiceAccount",
    default_has: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
