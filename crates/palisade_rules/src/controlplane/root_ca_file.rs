//! CP034 root-ca-file.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-controller-manager static pods (command-line flags in `command` or `args`) that
    /// fail this requirement: set `--root-ca-file`.
    ///
    /// ## Why is this bad?
    /// Without `--root-ca-file`, pods cannot verify the API server certificate and may skip
    /// verification.
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
    ///     command: # expect: CP034
    ///     - kube-controller-manager
    ///     - --profiling=false
    /// ```
    ///
    /// ## Remediation
    /// Set `--root-ca-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.3.5
    /// - Kubernetes: kube-controller-manager command-line reference
    pub static RULE = {
        id: "CP034",
        name: "root-ca-file",
        title: "Root CA not distributed to pods",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.3.5")],
        remediation: "Set --root-ca-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["root-ca-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ControllerManager, &CHECK);
}
