//! RBAC008 impersonate.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `impersonate` on `users`, `groups` or `serviceaccounts`, or on
    /// `userextras` and `uids` (`authentication.k8s.io`).
    ///
    /// ## Why is this bad?
    /// Impersonation lets its holder act as any user, group or ServiceAccount it may impersonate,
    /// including `system:masters`, and the audit log records the impersonated identity.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: impersonator
    /// rules:
    /// - apiGroups: [""] # expect: RBAC008
    ///   resources: ["users", "groups"]
    ///   verbs: ["impersonate"]
    /// ```
    ///
    /// ## Remediation
    /// Remove `impersonate`, or restrict it with `resourceNames` to specific, unprivileged
    /// identities.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.8: Limit use of the Bind, Impersonate and Escalate permissions
    /// - Kubernetes: User impersonation
    pub static RULE = {
        id: "RBAC008",
        name: "impersonate",
        title: "Role can impersonate identities",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("5.1.8"), Mitre("T1078")],
        remediation: "Remove impersonate, or restrict it with resourceNames to specific, unprivileged identities.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::Impersonate,
        "its subjects can act as other identities",
    );
}
