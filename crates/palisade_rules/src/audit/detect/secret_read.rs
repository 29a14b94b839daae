//! AUDIT-D18 secret-read: Secret read.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports successful `get` requests on Secrets by users who are not the API server's own
    /// identities, ServiceAccounts of kube-system, or nodes (`system:*` users other than
    /// ServiceAccounts outside kube-system are left out, as in Falco).
    ///
    /// ## Why is this bad?
    /// Secret values are credentials: each read by a person or a workload should be one you
    /// expect. A read by an identity that never read Secrets before is how stolen tokens are
    /// used.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D18
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d18-example
    /// stage: ResponseComplete
    /// verb: get
    /// requestURI: /api/v1/namespaces/shop/secrets/db
    /// user: {username: alice}
    /// objectRef: {resource: secrets, namespace: shop, name: db, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Confirm the read was expected; remove `get` on Secrets from roles that do not need it,
    /// and mount Secrets into pods rather than reading them through the API.
    ///
    /// ## References
    /// - Falco k8saudit rules: K8s Secret Get Successfully
    /// - Microsoft Threat Matrix for Kubernetes: List Kubernetes secrets (MS-TA9025)
    pub static RULE = {
        id: "AUDIT-D18",
        name: "secret-read",
        title: "Secret read",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1552.007"), Mitre("MS-TA9025")],
        remediation: "Confirm the read was expected; remove get on Secrets from roles that do not need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

/// Falco leaves out the API server's own identities: every `system:` user but ServiceAccounts
/// outside kube-system.
fn expected_reader(username: &str) -> bool {
    match username.strip_prefix("system:serviceaccount:") {
        Some(account) => account.starts_with("kube-system:"),
        None => username.starts_with("system:"),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || !event.is("secrets") || event.verb != "get" {
        return;
    }
    ctx.applicable();
    if !event.succeeded() || expected_reader(&event.user.username) {
        return;
    }
    super::report(
        ctx,
        event,
        format!("{} read {}", super::who(event), super::target(event)),
    );
}
