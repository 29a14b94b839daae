//! ETCD016 etcd-encryption-key-not-rotated-live: every encrypted Secret uses one key.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an etcd whose sampled, encrypted Secrets all carry one key name
    /// (`k8s:enc:aescbc:v1:key1:`): no evidence that the encryption key was ever rotated. KMS
    /// v2 rotates its data keys itself, so only local providers (aescbc, aesgcm, secretbox)
    /// are judged.
    ///
    /// ## Why is this bad?
    /// A key that is never rotated protects everything ever written with it; a copy of the
    /// EncryptionConfiguration from any time decrypts every backup since.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: ETCD016
    /// endpoints:
    ///   - component: etcd
    ///     address: "10.0.0.10:2379"
    ///     secrets: {sampled: 20, plaintext: 0, providers: {aescbc: [key1]}}
    /// ```
    ///
    /// ## Remediation
    /// Rotate the key: add a new key first in the provider's list, restart the API servers,
    /// rewrite every Secret, then remove the old key. Better, use a KMS v2 provider.
    ///
    /// ## References
    /// - Kubernetes documentation: Encrypting Confidential Data at Rest (rotating a key)
    pub static RULE = {
        id: "ETCD016",
        name: "etcd-encryption-key-not-rotated-live",
        title: "etcd Secrets encrypted with a single, never rotated key",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1552.007")],
        remediation: "Rotate the encryption key (new key first, restart, rewrite Secrets, drop the old key), or use KMS v2.",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    for e in facts.endpoints_of("etcd") {
        let Some(sample) = &e.secrets else {
            continue;
        };
        ctx.applicable();
        for (provider, keys) in &sample.providers {
            if provider.starts_with("kms") || keys.len() != 1 {
                continue;
            }
            let key = keys.iter().next().map_or("", String::as_str);
            ctx.report(
                NodeFacts::endpoint_subject(e),
                "",
                format!(
                    "etcd at {}: every sampled Secret encrypted with {provider} uses the key {key:?}: no sign of rotation",
                    e.address
                ),
            );
        }
    }
}
