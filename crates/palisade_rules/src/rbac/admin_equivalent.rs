//! RBAC002 admin-equivalent.

use palisade_engine::prelude::*;

use super::custom_role_rules;

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant every verb (`*`) on every resource (`*`) of
    /// every API group (`*`) or of the core group (`""`): rules equivalent to `cluster-admin`
    /// (cluster-wide) or namespace admin.
    ///
    /// ## Why is this bad?
    /// Such a rule grants everything, now and for every resource type added later: Secrets,
    /// exec into pods, RBAC itself. One compromised subject is a compromised cluster (or
    /// namespace).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: operator
    /// rules:
    /// - apiGroups: ["*"] # expect: RBAC002
    ///   resources: ["*"]
    ///   verbs: ["*"]
    /// ```
    ///
    /// ## Remediation
    /// List the API groups, resources and verbs the subject actually uses (`palisade rbac
    /// generate --from-audit` derives them from audit logs) and grant only those.
    ///
    /// ## References
    /// - kubescape C-0035 Administrative roles (NSA, MITRE)
    /// - rbac-police: cluster_admin
    pub static RULE = {
        id: "RBAC002",
        name: "admin-equivalent",
        title: "Role grants every verb on every resource",
        severity: Critical,
        layer: Cluster,
        frameworks: [Nsa("C-0035"), Mitre("T1078.004")],
        remediation: "Grant only the API groups, resources and verbs the subject uses.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    for (i, rule) in custom_role_rules(object, ctx) {
        if rule.is_admin() {
            let groups = if rule.api_groups.contains(&"*") {
                "every API group"
            } else {
                "the core API group"
            };
            ctx.report(
                format!("/rules/{i}"),
                format!(
                    "{} grants every verb on every resource of {groups}",
                    object.kind
                ),
            );
        }
    }
}
