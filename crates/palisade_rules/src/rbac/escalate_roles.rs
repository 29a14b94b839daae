//! RBAC007 escalate-roles.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant the `escalate` verb on `roles` or `clusterroles`.
    ///
    /// ## Why is this bad?
    /// `escalate` lets its holder add any permission to a role it can edit, bypassing the RBAC
    /// escalation check: a direct path to cluster-admin.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: role-editor
    /// rules:
    /// - apiGroups: ["rbac.authorization.k8s.io"] # expect: RBAC007
    ///   resources: ["roles", "clusterroles"]
    ///   verbs: ["escalate", "update"]
    /// ```
    ///
    /// ## Remediation
    /// Remove `escalate`; grant role editing only to cluster administrators.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.8: Limit use of the Bind, Impersonate and Escalate permissions
    /// - Kubernetes: RBAC, restrictions on role creation or update
    pub static RULE = {
        id: "RBAC007",
        name: "escalate-roles",
        title: "Role can escalate roles",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("5.1.8"), Mitre("T1098")],
        remediation: "Remove escalate; grant role editing only to cluster administrators.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::Escalate,
        "its subjects can add any permission to roles",
    );
}
