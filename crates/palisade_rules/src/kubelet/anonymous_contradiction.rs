//! KUBELET022 kubelet-anonymous-contradiction: the kubelet answers anonymously although its
//! configuration refuses anonymous requests.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reconciles the kubelet's configuration with what its API does: reports a kubelet whose
    /// effective configuration (file, drop-ins and flags) sets
    /// `authentication.anonymous.enabled: false`, yet whose API answered an anonymous probe
    /// with a success (`palisade node --probe`).
    ///
    /// ## Why is this bad?
    /// The file on disk is not what runs: the kubelet was not restarted since the change, a
    /// flag or drop-in elsewhere overrides it, or another process answers on the port. An
    /// audit that reads only the file passes a node whose API is open.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: KUBELET022
    /// kubelet_config:
    ///   authentication: {anonymous: {enabled: false}}
    /// endpoints:
    ///   - component: kubelet
    ///     address: https://127.0.0.1:10250
    ///     anonymous: [{path: /pods, status: 200}]
    /// ```
    ///
    /// ## Remediation
    /// Restart the kubelet and probe again; if it still answers, find which process listens
    /// on the port and which flags it runs with (`ss -ltnp`, `/proc/PID/cmdline`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.1
    pub static RULE = {
        id: "KUBELET022",
        name: "kubelet-anonymous-contradiction",
        title: "Kubelet answers anonymously although configured not to",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("4.2.1")],
        remediation: "Restart the kubelet and probe again; find which process listens on the port and with which flags.",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    if super::configured_anonymous(facts) != Some(false) {
        return;
    }
    for endpoint in facts.endpoints_of("kubelet") {
        ctx.applicable();
        let open = endpoint.open_paths();
        if open.is_empty() {
            continue;
        }
        ctx.report(
            NodeFacts::endpoint_subject(endpoint),
            "",
            format!(
                "the kubelet's configuration refuses anonymous requests, but {} answered them for {}",
                endpoint.address,
                open.join(", ")
            ),
        );
    }
}
