//! AUDIT-D13 ephemeral-container-added: a debug container added to a running pod.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports create, update and patch requests on the `ephemeralcontainers` subresource of
    /// pods that succeed (what `kubectl debug` does).
    ///
    /// ## Why is this bad?
    /// An ephemeral container joins a running pod's namespaces with an image and a command of
    /// the caller's choosing: a shell in the pod that bypasses the workload's own image, and
    /// with a privileged profile, a way onto the node.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D13
    /// apiVersion: audit.k8s.io/v1
    /// auditID: 6f0c2f1e-0013
    /// stage: ResponseComplete
    /// verb: patch
    /// requestURI: /api/v1/namespaces/shop/pods/web-0/ephemeralcontainers
    /// user: {username: alice}
    /// objectRef: {resource: pods, subresource: ephemeralcontainers, namespace: shop, name: web-0, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Confirm the debugging session was expected; limit `update` and `patch` on
    /// `pods/ephemeralcontainers`, and enforce Pod Security so debug profiles stay unprivileged.
    ///
    /// ## References
    /// - Falco k8saudit rules: EphemeralContainers Created
    pub static RULE = {
        id: "AUDIT-D13",
        name: "ephemeral-container-added",
        title: "Ephemeral container added to a pod",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1609"), Mitre("T1610")],
        remediation: "Confirm the debugging session was expected; limit update and patch on pods/ephemeralcontainers.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete()
        || event.resource() != "pods"
        || event.subresource() != "ephemeralcontainers"
        || !event.modifies()
    {
        return;
    }
    ctx.applicable();
    if !event.succeeded() {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} added an ephemeral container to {}",
            super::who(event),
            super::target(event)
        ),
    );
}
