//! AUDIT-D00 audit-event: every event, for tracing what Palisade reads.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports every audit event it is given, once per request (at `ResponseComplete`, or
    /// the last stage recorded). Opt-in: it runs only when selected by id or name.
    ///
    /// ## Why is this bad?
    /// Nothing is wrong: this is Falco's "All K8s Audit Events" debug rule, for checking
    /// what reaches the detections (the audit policy's levels, the webhook's batches).
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D00
    /// apiVersion: audit.k8s.io/v1
    /// auditID: 1b5c0d8e-0001
    /// stage: ResponseComplete
    /// verb: list
    /// requestURI: /api/v1/namespaces/shop/pods
    /// user: {username: alice}
    /// objectRef: {resource: pods, namespace: shop, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// None: select it only to trace a log.
    ///
    /// ## References
    /// - Falco k8saudit rules: All K8s Audit Events
    pub static RULE = {
        id: "AUDIT-D00",
        name: "audit-event",
        title: "Audit event (trace)",
        severity: Info,
        layer: Cluster,
        frameworks: [],
        remediation: "Nothing to fix: select this rule only to trace what the detections read.",
        inputs: [Audit],
        status: Preview,
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() {
        return;
    }
    ctx.applicable();
    super::report(
        ctx,
        event,
        format!(
            "{} {} ({})",
            super::who(event),
            super::request(event),
            event
                .code()
                .map_or("no response".to_string(), |c| c.to_string())
        ),
    );
}
