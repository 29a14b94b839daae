//! RBAC003 wildcard-permission.

use palisade_engine::prelude::*;

use super::custom_role_rules;

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules with a wildcard (`*`) in `verbs`, `resources`,
    /// `apiGroups` or `nonResourceURLs`. Rules that grant everything are left to RBAC002 when
    /// it runs.
    ///
    /// ## Why is this bad?
    /// A wildcard grants more than anyone reviewed: every verb includes `escalate`, `bind` and
    /// `impersonate` where they apply, every resource includes Secrets and subresources such as
    /// `pods/exec`, and both grow as new resource types are installed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: app-manager
    /// rules:
    /// - apiGroups: ["apps"] # expect: RBAC003
    ///   resources: ["deployments"]
    ///   verbs: ["*"]
    /// ```
    ///
    /// ## Remediation
    /// Replace each wildcard with the explicit verbs, resources and groups that are needed.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.3: Minimize wildcard use in Roles and ClusterRoles
    /// - Falco rule: ClusterRole With Wildcard Created
    pub static RULE = {
        id: "RBAC003",
        name: "wildcard-permission",
        title: "Role uses a wildcard",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("5.1.3")],
        remediation: "Replace wildcards with the explicit verbs, resources and API groups needed.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    for (i, rule) in custom_role_rules(object, ctx) {
        if super::reported_as_admin(rule, ctx) {
            continue;
        }
        let fields: Vec<&str> = [
            ("verbs", &rule.verbs),
            ("resources", &rule.resources),
            ("apiGroups", &rule.api_groups),
            ("nonResourceURLs", &rule.non_resource_urls),
        ]
        .into_iter()
        .filter(|(_, values)| values.contains(&"*"))
        .map(|(field, _)| field)
        .collect();
        if !fields.is_empty() {
            ctx.report(
                format!("/rules/{i}"),
                format!(
                    "{} uses a wildcard in {}",
                    object.kind,
                    fields.join(" and ")
                ),
            );
        }
    }
}
