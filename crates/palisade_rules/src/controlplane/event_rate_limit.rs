//! CP009 event-rate-limit.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: add `EventRateLimit` to `--enable-admission-plugins` and configure it in
    /// `--admission-control-config-file`.
    ///
    /// ## Why is this bad?
    /// Without event rate limits a noisy or malicious client can flood the API server and etcd with
    /// Events.
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
    ///     - --enable-admission-plugins=NodeRestriction # expect: CP009
    /// ```
    ///
    /// ## Remediation
    /// Add `EventRateLimit` to `--enable-admission-plugins` and configure it in `--admission-
    /// control-config-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.9
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP009",
        name: "event-rate-limit",
        title: "EventRateLimit admission plugin not enabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.9")],
        remediation: "Add EventRateLimit to --enable-admission-plugins and configure it in --admission-control-config-file.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Contains {
    flag: "enable-admission-plugins",
    item: "EventRateLimit",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
