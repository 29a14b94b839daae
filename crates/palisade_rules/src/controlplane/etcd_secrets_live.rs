//! ETCD015 etcd-secrets-unencrypted-live: Secrets stored in etcd without encryption.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an etcd whose sampled Secrets (`palisade probe etcd` reads at most `--sample`
    /// keys under `/registry/secrets/`, classifies each value and drops it) include values
    /// stored without the API server's encryption envelope (`k8s:enc:<provider>:v1:<key>:`).
    /// Values are never printed.
    ///
    /// ## Why is this bad?
    /// A backup of etcd, a copy of its data directory or a read of its port is then a read
    /// of every Secret. When the API server does encrypt (the EncryptionConfiguration lists
    /// a provider), plaintext values are Secrets written before encryption was turned on:
    /// they stay readable until rewritten. With `palisade node --probe`, the node's
    /// EncryptionConfiguration is read and the finding says so.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: ETCD015
    /// endpoints:
    ///   - component: etcd
    ///     address: "10.0.0.10:2379"
    ///     secrets: {sampled: 20, plaintext: 3, providers: {aescbc: [key1]}}
    /// ```
    ///
    /// ## Remediation
    /// Configure `--encryption-provider-config` with a `kms` (v2) or `aescbc` provider first,
    /// then rewrite every Secret so that it is stored encrypted:
    /// `kubectl get secrets -A -o json | kubectl replace -f -`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.27, 1.2.28
    /// - Kubernetes documentation: Encrypting Confidential Data at Rest
    pub static RULE = {
        id: "ETCD015",
        name: "etcd-secrets-unencrypted-live",
        title: "Secrets stored in etcd without encryption",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.27"), Mitre("T1552.007")],
        remediation: "Enable encryption at rest (kms v2 or aescbc), then rewrite every Secret: kubectl get secrets -A -o json | kubectl replace -f -.",
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
        if sample.plaintext == 0 {
            continue;
        }
        let configured = facts
            .secret_encryption
            .as_ref()
            .and_then(|p| p.first())
            .filter(|p| p.as_str() != "identity");
        let message = if let Some(first) = configured {
            format!(
                "etcd at {}: the EncryptionConfiguration encrypts Secrets with {first}, yet {} of {} sampled Secrets are stored without encryption: they were written before encryption was enabled; rewrite them (kubectl get secrets -A -o json | kubectl replace -f -)",
                e.address, sample.plaintext, sample.sampled
            )
        } else if sample.providers.is_empty() {
            format!(
                "etcd at {}: all {} sampled Secrets are stored without encryption",
                e.address, sample.sampled
            )
        } else {
            let providers: Vec<&str> = sample.providers.keys().map(String::as_str).collect();
            format!(
                "etcd at {}: {} of {} sampled Secrets are stored without encryption although others use {}: they were written before encryption was enabled; rewrite them (kubectl get secrets -A -o json | kubectl replace -f -)",
                e.address,
                sample.plaintext,
                sample.sampled,
                providers.join(", ")
            )
        };
        ctx.report(NodeFacts::endpoint_subject(e), "", message);
    }
}
