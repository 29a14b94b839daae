//! ETCD014 etcd-anonymous-tls-clients-live: etcd serves TLS clients without a certificate.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an etcd endpoint that served a TLS client that presented no certificate (`palisade
    /// probe etcd --cacert`).
    ///
    /// ## Why is this bad?
    /// Without client-certificate authentication, etcd serves whoever connects: every Secret of the
    /// cluster, and writes that bypass the API server's authorization and admission.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: ETCD014
    /// endpoints:
    ///   - {component: etcd, address: "10.0.0.10:2379", plaintext: false, without_client_certificate: true}
    /// ```
    ///
    /// ## Remediation
    /// Set `--client-cert-auth=true` and `--trusted-ca-file` to a CA that signs only the API
    /// server's client certificate.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.2
    /// - etcd documentation: Transport security model
    pub static RULE = {
        id: "ETCD014",
        name: "etcd-anonymous-tls-clients-live",
        title: "etcd serves TLS clients without a certificate",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("2.2")],
        remediation: "Set --client-cert-auth=true with a dedicated --trusted-ca-file.",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    for e in facts.endpoints_of("etcd") {
        ctx.applicable();
        if e.without_client_certificate == Some(true) {
            ctx.report(
                NodeFacts::endpoint_subject(e),
                "",
                format!(
                    "etcd at {} served a TLS client that presented no certificate",
                    e.address
                ),
            );
        }
    }
}
