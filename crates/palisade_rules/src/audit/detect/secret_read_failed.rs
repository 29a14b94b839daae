//! AUDIT-D19 secret-read-refused: Secret read refused.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `get` requests on Secrets that did not succeed (any response but 2xx), by any
    /// user but those on `audit-expected-secret-readers` (empty by default, as in Falco).
    ///
    /// ## Why is this bad?
    /// A refused read is an identity trying for credentials it may not have: probing, or a
    /// stolen token being tested.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D19
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d19-example
    /// stage: ResponseComplete
    /// verb: get
    /// requestURI: /api/v1/namespaces/kube-system/secrets/admin-token
    /// user: {username: mallory}
    /// objectRef: {resource: secrets, namespace: kube-system, name: admin-token, apiVersion: v1}
    /// responseStatus: {code: 403}
    /// ```
    ///
    /// ## Remediation
    /// Find out who holds the identity and why it asked; rotate its credentials if it should
    /// not have.
    ///
    /// ## References
    /// - Falco k8saudit rules: K8s Secret Get Unsuccessfully Tried
    pub static RULE = {
        id: "AUDIT-D19",
        name: "secret-read-refused",
        title: "Secret read refused",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1552.007")],
        remediation: "Find out why the identity asked for the Secret; rotate its credentials if it should not have.",
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
    if event.succeeded() || super::listed(expected, &event.user.username) {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} tried to read {}{}",
            super::who(event),
            super::target(event),
            super::outcome(event)
        ),
    );
}
