//! RBAC012 webhook-configuration.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `create`, `update` or `patch` on `validatingwebhookconfigurations` or
    /// `mutatingwebhookconfigurations`.
    ///
    /// ## Why is this bad?
    /// Admission webhooks see every object written to the API, Secrets included, and mutating ones
    /// can rewrite them: whoever controls them can disable policy enforcement or inject containers
    /// into every new pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: webhook-admin
    /// rules:
    /// - apiGroups: ["admissionregistration.k8s.io"] # expect: RBAC012
    ///   resources: ["mutatingwebhookconfigurations"]
    ///   verbs: ["create", "patch"]
    /// ```
    ///
    /// ## Remediation
    /// Grant webhook configuration changes only to cluster administrators and to the controllers
    /// that own specific webhooks (with `resourceNames`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.12: Minimize access to webhook configuration objects
    /// - Microsoft Threat Matrix for Kubernetes: Malicious admission controller (MS-TA9015)
    pub static RULE = {
        id: "RBAC012",
        name: "webhook-configuration",
        title: "Role can change admission webhooks",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.12"), Mitre("T1562.001")],
        remediation: "Grant webhook configuration changes only to cluster administrators and to the controllers that own specific webhooks (with resourceNames).",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::Webhooks,
        "its subjects can intercept or rewrite API requests",
    );
}
