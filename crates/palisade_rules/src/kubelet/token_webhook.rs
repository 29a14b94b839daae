//! KUBELET004 kubelet-token-webhook.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set
    /// `authentication.webhook.enabled: true`.
    ///
    /// ## Why is this bad?
    /// Without webhook token authentication, ServiceAccount and user tokens cannot be used against
    /// the kubelet API, pushing clients to weaker access.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// authentication:
    ///   webhook:
    ///     enabled: false # expect: KUBELET004
    /// ```
    ///
    /// ## Remediation
    /// Set `authentication.webhook.enabled: true`.
    ///
    /// ## References
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET004",
        name: "kubelet-token-webhook",
        title: "Kubelet does not check bearer tokens with the API server",
        severity: Medium,
        layer: Cluster,
        frameworks: [],
        remediation: "Set authentication.webhook.enabled: true.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Equals {
    path: &["authentication", "webhook", "enabled"],
    value: "true",
    unset_ok: true,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
