//! ETCD013 etcd-plaintext-clients-live: etcd serves clients without TLS.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an etcd endpoint that served a client over plain gRPC, without TLS (`palisade probe
    /// etcd`).
    ///
    /// ## Why is this bad?
    /// Everything the API server stores crosses the network readable, Secrets included, and anyone
    /// who reaches the port reads and writes the cluster's state without credentials.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: ETCD013
    /// endpoints:
    ///   - {component: etcd, address: "10.0.0.10:2379", plaintext: true}
    /// ```
    ///
    /// ## Remediation
    /// Serve clients only on `https://` URLs (`--listen-client-urls`, `--advertise-client-urls`)
    /// with `--cert-file` and `--key-file`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 2.1
    /// - etcd documentation: Transport security model
    pub static RULE = {
        id: "ETCD013",
        name: "etcd-plaintext-clients-live",
        title: "etcd serves clients without TLS",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("2.1")],
        remediation: "Serve clients only over TLS with --cert-file and --key-file.",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    for e in facts.endpoints_of("etcd") {
        ctx.applicable();
        if e.plaintext == Some(true) {
            ctx.report(
                NodeFacts::endpoint_subject(e),
                "",
                format!("etcd at {} served a client without TLS", e.address),
            );
        }
    }
}
