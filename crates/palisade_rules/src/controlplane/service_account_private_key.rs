//! CP033 service-account-private-key.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`) that
    /// fail this requirement: set `--service-account-private-key-file`.
    ///
    /// ## Why is this bad?
    /// The controller manager needs an explicit key to sign ServiceAccount tokens so that the key
    /// can be rotated.
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
    ///     command: # expect: CP033
    ///     - kube-controller-manager
    ///     - --profiling=false
    /// ```
    ///
    /// ## Remediation
    /// Set `--service-account-private-key-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.4
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP033",
        name: "service-account-private-key",
        title: "ServiceAccount signing key not set",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.3.4")],
        remediation: "Set --service-account-private-key-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["service-account-private-key-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ControllerManager, &CHECK);
}
