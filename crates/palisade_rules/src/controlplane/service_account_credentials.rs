//! CP032 service-account-credentials.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`) that
    /// fail this requirement: set `--use-service-account-credentials=true`.
    ///
    /// ## Why is this bad?
    /// Without per-controller ServiceAccounts every controller runs with the controller manager
    /// identity, so RBAC cannot limit any of them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-controller-manager
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-controller-manager
    ///     image: registry.k8s.io/kube-controller-manager:v1.35.0
    ///     command:
    ///     - kube-controller-manager
    ///     - --use-service-account-credentials=false # expect: CP032
    /// ```
    ///
    /// ## Remediation
    /// Set `--use-service-account-credentials=true`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.3
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP032",
        name: "service-account-credentials",
        title: "Controllers share the controller manager credentials",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.3.3")],
        remediation: "Set --use-service-account-credentials=true.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Equals {
    flag: "use-service-account-credentials",
    value: "true",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ControllerManager, &CHECK);
}
