//! ETCD012 encryption-provider.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `EncryptionConfiguration` files (`apiserver.config.k8s.io`) that leave Secrets
    /// unencrypted at rest: no resource entry covers `secrets` (directly, as `*.` or as `*.*`),
    /// or the first provider of that entry is `identity` (the first provider is the one used
    /// to write). A first provider of `kms` with `apiVersion: v1` is reported too: KMS v1 is
    /// deprecated in favour of v2.
    ///
    /// ## Why is this bad?
    /// With `identity` first, Secrets are written to etcd in plain text: every etcd backup and
    /// disk snapshot holds every credential of the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: EncryptionConfiguration
    /// resources:
    /// - resources: [secrets]
    ///   providers:
    ///   - identity: {} # expect: ETCD012
    ///   - aescbc:
    ///       keys:
    ///       - name: key1
    ///         secret: c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==
    /// ```
    ///
    /// ## Remediation
    /// Put a `kms` provider (`apiVersion: v2`) first for `secrets`, or `aescbc`/`secretbox` where
    /// no KMS is available, keep `identity` last only while migrating, and rewrite existing
    /// Secrets so they are re-encrypted.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.28: Ensure that encryption providers are appropriately
    ///   configured
    /// - Kubernetes: Encrypting Confidential Data at Rest
    pub static RULE = {
        id: "ETCD012",
        name: "encryption-provider",
        title: "Secrets not encrypted by the encryption configuration",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.28"), Nsa("C-0066")],
        remediation: "Make kms (v2), aescbc or secretbox the first provider for secrets.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "EncryptionConfiguration"
        || !object.api_version.starts_with("apiserver.config.k8s.io/")
    {
        return;
    }
    ctx.applicable();
    let Some(entries) = object.root.get("resources") else {
        ctx.report(
            "/resources",
            "EncryptionConfiguration lists no resources, so Secrets are stored unencrypted",
        );
        return;
    };
    let covering = entries.items().enumerate().find(|(_, e)| {
        e.get("resources").is_some_and(|r| {
            r.items()
                .filter_map(|i| i.as_str())
                .any(|n| matches!(n, "secrets" | "*." | "*.*"))
        })
    });
    let Some((i, entry)) = covering else {
        ctx.report("/resources", "no entry of the EncryptionConfiguration covers secrets, so they are stored unencrypted");
        return;
    };
    let first = entry.get("providers").and_then(|p| p.at(0));
    let name = first.and_then(|p| p.entries().next().map(|(k, _)| k));
    match name {
        Some("kms" | "aescbc" | "secretbox" | "aesgcm") => {
            let kms_v1 = name == Some("kms")
                && first
                    .and_then(|p| p.get("kms"))
                    .and_then(|k| k.get("apiVersion"))
                    .and_then(|v| v.as_str())
                    .is_none_or(|v| v == "v1");
            if kms_v1 {
                ctx.report(format!("/resources/{i}/providers/0"), "Secrets are encrypted with KMS v1, which is deprecated; use apiVersion: v2");
            }
        }
        Some(other) => ctx.report(
            format!("/resources/{i}/providers/0"),
            format!("the first provider for secrets is {other:?}, so new Secrets are written unencrypted"),
        ),
        None => ctx.report(format!("/resources/{i}/providers"), "the entry for secrets has no provider"),
    }
}
