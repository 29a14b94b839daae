//! RBAC020 modify-pod-status.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `update` or `patch` on `pods/status`.
    ///
    /// ## Why is this bad?
    /// Pod status holds the pod IP and readiness that Services route by: whoever can rewrite it can
    /// redirect Service traffic to an address of their choosing.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: status-writer
    /// rules:
    /// - apiGroups: [""] # expect: RBAC020
    ///   resources: ["pods/status"]
    ///   verbs: ["patch"]
    /// ```
    ///
    /// ## Remediation
    /// Leave pod status to the kubelet; remove the permission.
    ///
    /// ## References
    /// - rbac-police: modify_pod_status
    pub static RULE = {
        id: "RBAC020",
        name: "modify-pod-status",
        title: "Role can rewrite pod status",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1557")],
        remediation: "Leave pod status to the kubelet; remove the permission.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::ModifyPodStatus,
        "its subjects can redirect Service traffic through pod status",
    );
}
