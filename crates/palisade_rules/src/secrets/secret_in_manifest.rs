//! SEC009 secret-in-manifest.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `Secret` objects with values (`data` or `stringData`) in scanned manifests.
    /// Long-lived token Secrets are left to SEC005. The values are never printed.
    ///
    /// ## Why is this bad?
    /// A Secret in a manifest is a credential in the repository: every clone, fork, CI log and
    /// backup holds it, base64 is not encryption, and it stays in the Git history after it is
    /// "removed".
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: db
    /// stringData: # expect: SEC009
    ///   password: not-a-real-password
    /// ```
    ///
    /// ## Remediation
    /// Rotate the credential and deliver it from a secret store (External Secrets, Vault,
    /// Sealed Secrets, SOPS-encrypted files) instead of a plain manifest.
    ///
    /// ## References
    /// - Kubernetes: Good practices for Kubernetes Secrets
    /// - CIS Kubernetes Benchmark 5.4.2: Consider external secret storage
    pub static RULE = {
        id: "SEC009",
        name: "secret-in-manifest",
        title: "Secret values committed in a manifest",
        severity: Medium,
        layer: Code,
        frameworks: [Cis("5.4.2"), Mitre("T1552.001")],
        remediation: "Rotate the credential and deliver it from a secret store instead of a manifest.",
        inputs: [Manifest],
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Secret"
        || object.root.get("type").and_then(|t| t.as_str())
            == Some("kubernetes.io/service-account-token")
    {
        return;
    }
    ctx.applicable();
    for field in ["data", "stringData"] {
        let Some(values) = object.root.get(field) else {
            continue;
        };
        let keys = values
            .entries()
            .filter(|(_, v)| v.scalar_text().is_some_and(|t| !t.is_empty()))
            .count();
        if keys > 0 {
            ctx.report_redacted(
                format!("/{field}"),
                format!(
                    "Secret carries {keys} value{} in {field}",
                    if keys == 1 { "" } else { "s" }
                ),
            );
        }
    }
}
