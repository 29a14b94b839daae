//! RBAC006 bind-roles.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant the `bind` verb on `roles` or `clusterroles`.
    ///
    /// ## Why is this bad?
    /// `bind` lets its holder create bindings to roles with permissions it does not have itself,
    /// bypassing the RBAC escalation check: a direct path to cluster-admin.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: role-binder
    /// rules:
    /// - apiGroups: ["rbac.authorization.k8s.io"] # expect: RBAC006
    ///   resources: ["clusterroles"]
    ///   verbs: ["bind"]
    /// ```
    ///
    /// ## Remediation
    /// Remove `bind`, or restrict it with `resourceNames` to the specific roles that may be
    /// granted.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.8: Limit use of the Bind, Impersonate and Escalate permissions
    /// - Kubernetes: RBAC, restrictions on role binding creation or update
    pub static RULE = {
        id: "RBAC006",
        name: "bind-roles",
        title: "Role can bind any role",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("5.1.8"), Mitre("T1098")],
        remediation: "Remove bind, or restrict it with resourceNames to the specific roles that may be granted.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::Bind,
        "its subjects can grant themselves any role",
    );
}
