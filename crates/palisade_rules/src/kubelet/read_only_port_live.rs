//! KUBELET021 kubelet-read-only-port-live: the kubelet's read-only port answers.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a kubelet whose read-only port (10255, plain HTTP, no authentication) answered
    /// a probe of `/pods` (`palisade probe kubelet`, `palisade node --probe`), whatever its
    /// configuration says.
    ///
    /// ## Why is this bad?
    /// The read-only port lists every pod on the node, with environment variables that often
    /// hold credentials, to anyone who can reach it, without TLS or authentication.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: KUBELET021
    /// endpoints:
    ///   - component: kubelet-read-only
    ///     address: http://10.0.1.12:10255
    ///     anonymous: [{path: /pods, status: 200}]
    /// ```
    ///
    /// ## Remediation
    /// Set `readOnlyPort: 0` in the kubelet's configuration (or `--read-only-port=0`) and
    /// restart it.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.4
    pub static RULE = {
        id: "KUBELET021",
        name: "kubelet-read-only-port-live",
        title: "Kubelet read-only port answers",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("4.2.4"), Mitre("T1613")],
        remediation: "Set readOnlyPort: 0 and restart the kubelet.",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    for endpoint in facts.endpoints_of("kubelet-read-only") {
        ctx.applicable();
        if endpoint.open_paths().is_empty() {
            continue;
        }
        ctx.report(
            NodeFacts::endpoint_subject(endpoint),
            "",
            format!(
                "the kubelet's read-only port at {} answered /pods",
                endpoint.address
            ),
        );
    }
}
