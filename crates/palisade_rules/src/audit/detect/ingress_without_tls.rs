//! AUDIT-D24 ingress-without-tls-created: Ingress created without TLS.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports successful Ingress creates (the request body must be recorded) without
    /// `spec.tls`.
    ///
    /// ## Why is this bad?
    /// Without TLS the Ingress serves plain HTTP: credentials and cookies cross the network in
    /// clear.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D24
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d24-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/networking.k8s.io/v1/namespaces/shop/ingresses
    /// user: {username: alice}
    /// objectRef: {resource: ingresses, namespace: shop, name: web, apiGroup: networking.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: Ingress
    ///   metadata: {name: web, namespace: shop}
    ///   spec: {rules: [{host: shop.example.com}]}
    /// ```
    ///
    /// ## Remediation
    /// Add a `tls` section with a certificate for the hosts (cert-manager can issue it).
    ///
    /// ## References
    /// - Falco k8saudit rules: Ingress Object without TLS Certificate Created
    pub static RULE = {
        id: "AUDIT-D24",
        name: "ingress-without-tls-created",
        title: "Ingress created without TLS",
        severity: Medium,
        layer: Cluster,
        frameworks: [],
        remediation: "Add a tls section with a certificate for the Ingress hosts.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::created(event, "ingresses") {
        return;
    }
    ctx.applicable();
    let Some(body) = event.request_json() else {
        return;
    };
    let tls = body
        .pointer("/spec/tls")
        .and_then(|t| t.as_array())
        .is_some_and(|t| !t.is_empty());
    if !tls {
        super::report(
            ctx,
            event,
            format!(
                "{} created {} without TLS",
                super::who(event),
                super::target(event)
            ),
        );
    }
}
