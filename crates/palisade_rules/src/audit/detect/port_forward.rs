//! AUDIT-D12 port-forward: `kubectl port-forward` to a pod.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports requests on the `portforward` subresource of pods, once per request: at its
    /// first response stage (`ResponseStarted` when the tunnel opens, else
    /// `ResponseComplete`). Falco judges every stage, so it reports one tunnel twice.
    ///
    /// ## Why is this bad?
    /// Port forwarding opens a tunnel from the client to a pod's ports, past Services,
    /// Ingresses and NetworkPolicies: a way to reach a database or an admin port from a
    /// laptop, and for an attacker a proxy into the cluster network.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D12
    /// apiVersion: audit.k8s.io/v1
    /// auditID: 6f0c2f1e-0012
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/shop/pods/db-0/portforward
    /// user: {username: alice}
    /// objectRef: {resource: pods, subresource: portforward, namespace: shop, name: db-0, apiVersion: v1}
    /// responseStatus: {code: 101}
    /// ```
    ///
    /// ## Remediation
    /// Confirm the tunnel was expected; limit `create` on `pods/portforward`.
    ///
    /// ## References
    /// - Falco k8saudit rules: port-forward
    pub static RULE = {
        id: "AUDIT-D12",
        name: "pod-port-forward",
        title: "Port forwarding to a pod",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1090")],
        remediation: "Confirm the tunnel was expected; limit create on pods/portforward to the people who need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if event.resource() != "pods"
        || event.subresource() != "portforward"
        || !super::first_response(event, state)
    {
        return;
    }
    ctx.applicable();
    super::report(
        ctx,
        event,
        format!(
            "{} forwarded ports of {}",
            super::who(event),
            super::target(event)
        ),
    );
}
