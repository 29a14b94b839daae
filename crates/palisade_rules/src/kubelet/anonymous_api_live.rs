//! KUBELET019 kubelet-anonymous-api-live: the kubelet's API answers anonymous requests.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a kubelet whose API (port 10250) answered an anonymous probe with a success on
    /// `/pods`, `/configz`, `/runningpods/`, `/metrics` or `/spec/` (`palisade probe kubelet`,
    /// `palisade node --probe`). When the kubelet's own configuration says anonymous requests
    /// are refused, KUBELET022 reports the contradiction instead.
    ///
    /// ## Why is this bad?
    /// The kubelet's API lists every pod on the node with its environment, and with
    /// `AlwaysAllow` authorization runs commands in them (`/run`, `/exec`): anyone who can
    /// reach port 10250 owns the node's workloads.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: KUBELET019
    /// endpoints:
    ///   - component: kubelet
    ///     address: https://10.0.1.12:10250
    ///     anonymous: [{path: /pods, status: 200}, {path: /configz, status: 200}]
    /// ```
    ///
    /// ## Remediation
    /// Set `authentication.anonymous.enabled: false` and `authorization.mode: Webhook` in the
    /// kubelet's configuration (or `--anonymous-auth=false --authorization-mode=Webhook`) and
    /// restart it.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.1, 4.2.2
    /// - Kubernetes documentation: Kubelet authentication/authorization
    pub static RULE = {
        id: "KUBELET019",
        name: "kubelet-anonymous-api-live",
        title: "Kubelet API answers anonymous requests",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("4.2.1"), Mitre("T1613")],
        remediation: "Set authentication.anonymous.enabled: false and authorization.mode: Webhook, then restart the kubelet.",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    for endpoint in facts.endpoints_of("kubelet") {
        ctx.applicable();
        let open = endpoint.open_paths();
        if open.is_empty() || super::configured_anonymous(facts) == Some(false) {
            continue;
        }
        ctx.report(
            NodeFacts::endpoint_subject(endpoint),
            "",
            format!(
                "the kubelet at {} answered anonymous requests for {}",
                endpoint.address,
                open.join(", ")
            ),
        );
    }
}
