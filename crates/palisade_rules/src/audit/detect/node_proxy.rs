//! AUDIT-D32 node-proxy-access: the kubelet API reached through `nodes/proxy`.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports every request on the `proxy` subresource of nodes, whatever its verb and
    /// outcome, except by users on `audit-node-proxy-users` (a metrics scraper that reads
    /// the kubelet through the API server). The path on the kubelet is shown, masked.
    ///
    /// ## Why is this bad?
    /// `nodes/proxy` forwards to the kubelet API of the node: `/exec`, `/run` and `/pods` of
    /// every container on it, past the API server's audit of exec and past admission. Even
    /// `get nodes/proxy` is enough for command execution over WebSocket.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D32
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d32-example
    /// stage: ResponseComplete
    /// verb: get
    /// requestURI: /api/v1/nodes/ip-10-0-1-7/proxy/runningpods/
    /// user: {username: "system:serviceaccount:monitoring:agent"}
    /// objectRef: {resource: nodes, subresource: proxy, name: ip-10-0-1-7, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Confirm the caller needs the kubelet API; grant `nodes/metrics` or `nodes/stats`
    /// instead of `nodes/proxy` to scrapers, and list the ones that need it in
    /// `audit-node-proxy-users`.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Access Kubelet API (MS-TA9030)
    /// - MITRE ATT&CK T1613 Container and Resource Discovery
    pub static RULE = {
        id: "AUDIT-D32",
        name: "node-proxy-access",
        title: "Kubelet API reached through nodes/proxy",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1613"), Mitre("MS-TA9030")],
        remediation: "Confirm the caller needs the kubelet API; grant nodes/metrics or nodes/stats instead of nodes/proxy.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if event.resource() != "nodes"
        || event.subresource() != "proxy"
        || !super::first_response(event, state)
    {
        return;
    }
    ctx.applicable();
    let users = &ctx.options::<AuditOptions>().audit_node_proxy_users;
    if super::listed(users, &event.user.username) {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} reached the kubelet of node {:?}: {} {}{}",
            super::who(event),
            event.name(),
            event.verb,
            event.masked_uri(),
            super::outcome(event)
        ),
    );
}
