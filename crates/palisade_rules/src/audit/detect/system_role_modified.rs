//! AUDIT-D17 system-role-modified: System ClusterRole or Role modified or deleted.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::listed;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports updates, patches and deletes of Roles and ClusterRoles named `system:*` (except
    /// those on `audit-modifiable-system-roles`: by default `system:coredns` and
    /// `system:managed-certificate-controller`), at any outcome.
    ///
    /// ## Why is this bad?
    /// The bootstrap roles define what the cluster's own components may do. Widening one hands
    /// its power to everything bound to it; deleting one breaks a component or clears the way
    /// for a replacement.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D17
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d17-example
    /// stage: ResponseComplete
    /// verb: patch
    /// requestURI: /apis/rbac.authorization.k8s.io/v1/clusterroles/system:node
    /// user: {username: alice}
    /// objectRef: {resource: clusterroles, name: "system:node", apiGroup: rbac.authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Confirm who changed it and why; the API server restores bootstrap roles' missing rules
    /// at start, but not extra ones: compare the role with `kubectl get clusterrole -o yaml` of
    /// a fresh cluster.
    ///
    /// ## References
    /// - Falco k8saudit rules: System ClusterRole Modified/Deleted
    pub static RULE = {
        id: "AUDIT-D17",
        name: "system-role-modified",
        title: "System ClusterRole or Role modified or deleted",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1098")],
        remediation: "Confirm the change was intended; restore the bootstrap role's rules.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete()
        || !(event.is("clusterroles") || event.is("roles"))
        || !matches!(event.verb.as_str(), "update" | "patch" | "delete")
        || !event.name().starts_with("system:")
    {
        return;
    }
    ctx.applicable();
    if listed(
        &ctx.options::<AuditOptions>().audit_modifiable_system_roles,
        event.name(),
    ) {
        return;
    }
    super::report_change(ctx, event);
}
