//! CP042 apiserver-anonymous-api-live: the API server serves more than public information to
//! anonymous clients.

use palisade_engine::prelude::*;

/// What the API server's default `system:public-info-viewer` role lets anyone read.
const PUBLIC: [&str; 4] = ["/healthz", "/livez", "/readyz", "/version"];

declare_rule! {
    /// ## What it does
    /// Reports an API server that answered an anonymous probe with a success on anything but
    /// its public health and version endpoints (`/healthz`, `/livez`, `/readyz`,
    /// `/version`): discovery (`/api`, `/apis`), `/metrics`, or objects
    /// (`/api/v1/namespaces`). Found by `palisade probe apiserver` and `palisade node
    /// --probe`.
    ///
    /// ## Why is this bad?
    /// Anonymous requests are `system:anonymous` in `system:unauthenticated`: anything bound
    /// to them is open to the whole network that reaches the API server. Discovery maps the
    /// cluster for an attacker; objects leak outright.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: CP042
    /// endpoints:
    ///   - component: kube-apiserver
    ///     address: https://10.0.0.10:6443
    ///     anonymous: [{path: /healthz, status: 200}, {path: /api/v1/namespaces, status: 200}]
    /// ```
    ///
    /// ## Remediation
    /// Set `--anonymous-auth=false` (or limit anonymous requests to the health endpoints with
    /// an AuthenticationConfiguration), and remove bindings to `system:anonymous` and
    /// `system:unauthenticated`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.1
    /// - Kubernetes documentation: Authenticating (anonymous requests)
    pub static RULE = {
        id: "CP042",
        name: "apiserver-anonymous-api-live",
        title: "API server answers anonymous requests beyond public information",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.1"), Mitre("T1613")],
        remediation: "Set --anonymous-auth=false or limit anonymous requests to health endpoints; remove bindings to system:anonymous and system:unauthenticated.",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    for endpoint in facts.endpoints_of("kube-apiserver") {
        ctx.applicable();
        let open: Vec<&str> = endpoint
            .open_paths()
            .into_iter()
            .filter(|p| !PUBLIC.contains(p))
            .collect();
        if open.is_empty() {
            continue;
        }
        ctx.report(
            NodeFacts::endpoint_subject(endpoint),
            "",
            format!(
                "the API server at {} answered anonymous requests for {}",
                endpoint.address,
                open.join(", ")
            ),
        );
    }
}
