//! ETCD011 encryption-provider-config.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--encryption-provider-config` to an EncryptionConfiguration that encrypts
    /// `secrets` with KMS v2 (or aescbc/secretbox).
    ///
    /// ## Why is this bad?
    /// Without an encryption configuration, Secrets are stored in etcd in plain text: anyone with
    /// an etcd backup or disk has every credential.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-apiserver
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.35.0
    ///     command: # expect: ETCD011
    ///     - kube-apiserver
    ///     - --etcd-servers=https://127.0.0.1:2379
    /// ```
    ///
    /// ## Remediation
    /// Set `--encryption-provider-config` to an EncryptionConfiguration that encrypts `secrets`
    /// with KMS v2 (or aescbc/secretbox).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.27
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "ETCD011",
        name: "encryption-provider-config",
        title: "Secrets not encrypted at rest",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.27"), Nsa("C-0066")],
        remediation: "Set --encryption-provider-config to an EncryptionConfiguration that encrypts secrets with KMS v2 (or aescbc/secretbox).",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["encryption-provider-config"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
