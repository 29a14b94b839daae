//! SEC005 legacy-token-secret.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Secrets of type `kubernetes.io/service-account-token`: long-lived ServiceAccount
    /// tokens.
    ///
    /// ## Why is this bad?
    /// These tokens never expire and are not bound to a pod: anyone who reads the Secret once
    /// holds the ServiceAccount's permissions until the Secret is deleted. Since Kubernetes 1.24
    /// pods get short-lived, audience-bound tokens through the TokenRequest API instead.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: ci-token
    ///   annotations:
    ///     kubernetes.io/service-account.name: ci
    /// type: kubernetes.io/service-account-token # expect: SEC005
    /// ```
    ///
    /// ## Remediation
    /// Delete the Secret and obtain tokens with `kubectl create token` or a projected
    /// `serviceAccountToken` volume with an expiry and audience.
    ///
    /// ## References
    /// - Kubernetes: Service account token Secrets (legacy)
    /// - Kubernetes: Managing Service Accounts, bound service account tokens
    pub static RULE = {
        id: "SEC005",
        name: "legacy-token-secret",
        title: "Long-lived ServiceAccount token Secret",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1528")],
        remediation: "Delete the Secret; use TokenRequest (kubectl create token) or projected serviceAccountToken volumes.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Secret" {
        return;
    }
    ctx.applicable();
    if object.root.get("type").and_then(|t| t.as_str())
        == Some("kubernetes.io/service-account-token")
    {
        let sa = object
            .annotation("kubernetes.io/service-account.name")
            .and_then(|a| a.as_str())
            .unwrap_or("");
        ctx.report(
            "/type",
            format!("Secret holds a long-lived token for ServiceAccount {sa:?}"),
        );
    }
}
