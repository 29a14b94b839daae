//! AUDIT-D18 secret-read: Secret read.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports successful `get` requests on Secrets by any user, as Falco does (its
    /// description leaves out ServiceAccount tokens, its condition does not). Readers you
    /// expect (the kubelets, `system:node:*`; kube-system's controllers) go on
    /// `audit-expected-secret-readers`.
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

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || !event.is("secrets") || event.verb != "get" {
        return;
    }
    ctx.applicable();
    let expected = &ctx
        .options::<super::options::AuditOptions>()
        .audit_expected_secret_readers;
    if !event.succeeded() || super::listed(expected, &event.user.username) {
        return;
    }
    super::report(
        ctx,
        event,
        format!("{} read {}", super::who(event), super::target(event)),
    );
}
