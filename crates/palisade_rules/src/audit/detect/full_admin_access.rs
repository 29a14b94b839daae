//! AUDIT-D25 full-admin-access: Request by a user with full administrative access.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::listed;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports requests by the users on `audit-full-admin-users` (identities that hold full
    /// administrative access, such as a break-glass admin), once per user per run. The list is
    /// empty by default, which turns the detection off, as Falco ships it.
    ///
    /// ## Why is this bad?
    /// Break-glass and administrator accounts should be used rarely and visibly: every session
    /// is worth a record.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D25
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d25-example
    /// stage: ResponseComplete
    /// verb: delete
    /// requestURI: /api/v1/namespaces/shop
    /// user: {username: kubernetes-admin}
    /// objectRef: {resource: namespaces, name: shop, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// # audit-full-admin-users: kubernetes-admin
    /// ```
    ///
    /// ## Remediation
    /// Confirm the session was expected; prefer personal identities with narrower roles for
    /// daily work.
    ///
    /// ## References
    /// - Falco k8saudit rules: Full K8s Administrative Access
    pub static RULE = {
        id: "AUDIT-D25",
        name: "full-admin-access",
        title: "Request by a user with full administrative access",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1078")],
        remediation: "Confirm the administrative session was expected; use narrower identities for daily work.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() {
        return;
    }
    let admins = &ctx.options::<AuditOptions>().audit_full_admin_users;
    if admins.is_empty() {
        return;
    }
    ctx.applicable();
    if !listed(admins, &event.user.username) || state.bump(&event.user.username) > 1 {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{}, which has full administrative access, made a request: {} {}",
            super::who(event),
            event.verb,
            event.masked_uri()
        ),
    );
}
