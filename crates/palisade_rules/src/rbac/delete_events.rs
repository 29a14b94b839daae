//! RBAC023 delete-events.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `delete` or `deletecollection` on `events` (core or `events.k8s.io`).
    ///
    /// ## Why is this bad?
    /// Events record scheduling, image pulls, failures and evictions; deleting them hides an
    /// attacker's activity from operators and tooling that read them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: event-cleaner
    /// rules:
    /// - apiGroups: [""] # expect: RBAC023
    ///   resources: ["events"]
    ///   verbs: ["delete"]
    /// ```
    ///
    /// ## Remediation
    /// Let Event TTLs expire them; remove the permission.
    ///
    /// ## References
    /// - kubescape C-0031 Delete Kubernetes events (MITRE)
    /// - Microsoft Threat Matrix for Kubernetes: Delete Kubernetes events (MS-TA9022)
    pub static RULE = {
        id: "RBAC023",
        name: "delete-events",
        title: "Role can delete Events",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1070")],
        remediation: "Let Event TTLs expire them; remove the permission.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::DeleteEvents,
        "its subjects can delete Events and hide their tracks",
    );
}
