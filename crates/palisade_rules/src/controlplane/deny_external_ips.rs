//! CP003 deny-external-ips.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: add `DenyServiceExternalIPs` to `--enable-admission-plugins`.
    ///
    /// ## Why is this bad?
    /// Without it, anyone who can create a Service can claim arbitrary external IPs and intercept
    /// traffic to them (CVE-2020-8554).
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
    ///     - --enable-admission-plugins=NodeRestriction # expect: CP003
    /// ```
    ///
    /// ## Remediation
    /// Add `DenyServiceExternalIPs` to `--enable-admission-plugins`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.3
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP003",
        name: "deny-external-ips",
        title: "DenyServiceExternalIPs admission plugin not enabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.3")],
        remediation: "Add DenyServiceExternalIPs to --enable-admission-plugins.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Contains {
    flag: "enable-admission-plugins",
    item: "DenyServiceExternalIPs",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
