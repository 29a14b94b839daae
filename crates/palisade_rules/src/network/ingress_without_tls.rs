//! NET008 ingress-without-tls.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Ingresses (`networking.k8s.io`) without a `spec.tls` section.
    ///
    /// ## Why is this bad?
    /// Without TLS the Ingress serves plain HTTP: credentials, session cookies and data cross
    /// the network readable and modifiable by anyone on the path.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: Ingress
    /// metadata:
    ///   name: shop
    /// spec: # expect: NET008
    ///   rules:
    ///   - host: shop.example.com
    ///     http:
    ///       paths:
    ///       - path: /
    ///         pathType: Prefix
    ///         backend:
    ///           service: {name: frontend, port: {number: 80}}
    /// ```
    ///
    /// ## Remediation
    /// Add `spec.tls` with the hosts and a certificate Secret (for example issued by
    /// cert-manager), and redirect HTTP to HTTPS.
    ///
    /// ## References
    /// - Falco rule: Ingress Object without TLS Certificate Created
    /// - Kubernetes: Ingress, TLS
    pub static RULE = {
        id: "NET008",
        name: "ingress-without-tls",
        title: "Ingress without TLS",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1040")],
        remediation: "Add spec.tls with a certificate Secret for the Ingress hosts.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Ingress" || !object.api_version.starts_with("networking.k8s.io/") {
        return;
    }
    ctx.applicable();
    if object
        .root
        .path(&["spec", "tls"])
        .is_none_or(|t| t.items().len() == 0)
    {
        ctx.report("/spec/tls", "Ingress serves its hosts without TLS");
    }
}
