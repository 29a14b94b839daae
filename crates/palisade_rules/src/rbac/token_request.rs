//! RBAC013 token-request.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `create` on `serviceaccounts/token` (the TokenRequest API).
    ///
    /// ## Why is this bad?
    /// TokenRequest issues tokens for any ServiceAccount the rule covers: its holder acts with
    /// those ServiceAccounts' permissions, from anywhere, for as long as the tokens live.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: token-minter
    /// rules:
    /// - apiGroups: [""] # expect: RBAC013
    ///   resources: ["serviceaccounts/token"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Remediation
    /// Remove the permission, or restrict it with `resourceNames` to specific, low-privilege
    /// ServiceAccounts.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.13: Minimize access to the service account token creation
    /// - Kubernetes: TokenRequest API
    pub static RULE = {
        id: "RBAC013",
        name: "token-request",
        title: "Role can mint ServiceAccount tokens",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.13"), Mitre("T1528")],
        remediation: "Remove the permission, or restrict it with resourceNames to specific, low-privilege ServiceAccounts.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::TokenRequest,
        "its subjects can issue tokens for ServiceAccounts",
    );
}
