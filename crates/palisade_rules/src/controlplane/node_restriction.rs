//! CP014 node-restriction.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: add `NodeRestriction` to `--enable-admission-plugins`.
    ///
    /// ## Why is this bad?
    /// Without NodeRestriction a kubelet can modify other nodes and any pod, and label its own node
    /// to attract sensitive workloads.
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
    ///     - --enable-admission-plugins=EventRateLimit # expect: CP014
    /// ```
    ///
    /// ## Remediation
    /// Add `NodeRestriction` to `--enable-admission-plugins`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.14
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP014",
        name: "node-restriction",
        title: "NodeRestriction admission plugin not enabled",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.14")],
        remediation: "Add NodeRestriction to --enable-admission-plugins.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Contains {
    flag: "enable-admission-plugins",
    item: "NodeRestriction",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
