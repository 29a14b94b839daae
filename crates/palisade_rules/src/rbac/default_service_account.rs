//! RBAC029 default-service-account.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags the `default` ServiceAccount of a namespace when it does not set
    /// `automountServiceAccountToken: false`, and RoleBindings and ClusterRoleBindings that
    /// grant a role to a `default` ServiceAccount. Workloads that run as the `default`
    /// ServiceAccount with its token mounted are RBAC030's findings.
    ///
    /// ## Why is this bad?
    /// Every pod that names no ServiceAccount runs as `default`: a token mounted from it, or a
    /// permission granted to it, reaches every such pod of the namespace, including ones
    /// created later by people who never asked for API access. Rights given to a shared
    /// account cannot be audited per application.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ServiceAccount
    /// metadata:
    ///   name: default # expect: RBAC029
    ///   namespace: shop
    /// ```
    ///
    /// ## Remediation
    /// Set `automountServiceAccountToken: false` on each namespace's `default` ServiceAccount,
    /// grant no roles to it, and give workloads that use the API their own ServiceAccounts.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.5: Ensure that default service accounts are not actively
    ///   used
    /// - Kubernetes: Configure Service Accounts for Pods
    pub static RULE = {
        id: "RBAC029",
        name: "default-service-account",
        title: "Default ServiceAccount mounts tokens or holds permissions",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("5.1.5"), Mitre("T1078.001")],
        remediation: "Set automountServiceAccountToken: false on default ServiceAccounts and bind no roles to them.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind == "ServiceAccount" && object.api_version == "v1" {
        if object.name() != Some("default") {
            return;
        }
        ctx.applicable();
        match object.root.get("automountServiceAccountToken") {
            Some(a) if a.as_bool() == Some(false) => {}
            Some(_) => ctx.report(
                "/automountServiceAccountToken",
                "the default ServiceAccount mounts its token into every pod that names no ServiceAccount",
            ),
            None => ctx.report(
                "/metadata/name",
                "the default ServiceAccount does not set automountServiceAccountToken: false",
            ),
        }
        return;
    }
    super::report_subjects(
        object,
        ctx,
        |s| s.kind == "ServiceAccount" && s.name == "default",
        |kind, s, role| {
            format!(
                "{kind} grants {role} to {}, which every pod of the namespace without its own ServiceAccount runs as",
                s.describe()
            )
        },
    );
}
