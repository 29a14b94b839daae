//! AUDIT-D28 events-deleted: Kubernetes Events deleted.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `delete` and `deletecollection` requests on Events (the core `events` and
    /// `events.k8s.io`), by anyone but the API server's own identities (the namespace
    /// controller empties a namespace it deletes). Refused attempts are reported too, and say
    /// so.
    ///
    /// ## Why is this bad?
    /// Events record what happened to pods and nodes: scheduling, image pulls, kills. Deleting
    /// them is how an attacker covers their tracks; nobody needs to, since Events expire on
    /// their own.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D28
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d28-example
    /// stage: ResponseComplete
    /// verb: deletecollection
    /// requestURI: /api/v1/namespaces/shop/events
    /// user: {username: mallory}
    /// objectRef: {resource: events, namespace: shop, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Find out who deleted the Events and what they did before; remove `delete` on `events`
    /// from their roles.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Delete Kubernetes events (MS-TA9022)
    /// - MITRE ATT&CK T1070 Indicator Removal
    pub static RULE = {
        id: "AUDIT-D28",
        name: "events-deleted",
        title: "Kubernetes Events deleted",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1070"), Mitre("MS-TA9022")],
        remediation: "Find out who deleted the Events and why; remove delete on events from their roles.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete()
        || !event.is("events")
        || !matches!(event.verb.as_str(), "delete" | "deletecollection")
    {
        return;
    }
    ctx.applicable();
    if super::system_component(&event.user.username) {
        return;
    }
    super::report_change(ctx, event);
}
