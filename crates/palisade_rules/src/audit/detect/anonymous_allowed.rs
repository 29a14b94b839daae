//! AUDIT-D10 anonymous-request-allowed: Anonymous request allowed.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports requests by `system:anonymous` that the authorizer allowed
    /// (`authorization.k8s.io/decision: allow`), except the health endpoints `/healthz`,
    /// `/livez` and `/readyz` (and their sub-paths).
    ///
    /// ## Why is this bad?
    /// Anonymous access that reaches anything beyond health checks means a binding grants
    /// `system:anonymous` or `system:unauthenticated` permissions: anyone who can reach the API
    /// server can use them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D10
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d10-example
    /// stage: ResponseComplete
    /// verb: get
    /// requestURI: /api/v1/namespaces/kube-system/configmaps
    /// user: {username: system:anonymous, groups: ["system:unauthenticated"]}
    /// objectRef: {resource: configmaps, namespace: kube-system, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// annotations: {authorization.k8s.io/decision: allow}
    /// ```
    ///
    /// ## Remediation
    /// Remove bindings to `system:anonymous` and `system:unauthenticated`, and run the API
    /// server with `--anonymous-auth=false` (or an AuthenticationConfiguration that limits
    /// anonymous access to the health endpoints).
    ///
    /// ## References
    /// - Falco k8saudit rules: Anonymous Request Allowed
    /// - CIS Kubernetes Benchmark 1.2.1
    pub static RULE = {
        id: "AUDIT-D10",
        name: "anonymous-request-allowed",
        title: "Anonymous request allowed",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1078.001")],
        remediation: "Remove RBAC bindings to system:anonymous and system:unauthenticated; disable anonymous authentication.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn health_endpoint(uri: &str) -> bool {
    let path = uri.split('?').next().unwrap_or(uri);
    ["/healthz", "/livez", "/readyz"].iter().any(|h| {
        path == *h
            || path
                .strip_prefix(h)
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || event.user.username != "system:anonymous" {
        return;
    }
    ctx.applicable();
    if event.decision() != Some("allow") || health_endpoint(&event.request_uri) {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "an anonymous request was allowed: {} {}",
            event.verb,
            event.masked_uri()
        ),
    );
}
