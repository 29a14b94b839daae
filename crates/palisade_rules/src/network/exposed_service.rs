//! NET006 exposed-service.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Services of type `NodePort` or `LoadBalancer`, which are reachable from outside
    /// the cluster network.
    ///
    /// ## Why is this bad?
    /// A NodePort opens the port on every node's addresses, a LoadBalancer usually on a public
    /// IP; both bypass the Ingress or Gateway layer where TLS, authentication and rate limits
    /// are normally enforced, and NetworkPolicies often do not cover node traffic.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: admin
    /// spec:
    ///   type: NodePort # expect: NET006
    ///   selector: {app: admin}
    ///   ports:
    ///   - port: 8080
    /// ```
    ///
    /// ## Remediation
    /// Use `ClusterIP` and expose the application through an Ingress or Gateway; if a load
    /// balancer is required, make it internal and restrict `loadBalancerSourceRanges`.
    ///
    /// ## References
    /// - Falco rule: Create NodePort Service
    /// - Microsoft Threat Matrix for Kubernetes: Exposed sensitive interfaces (MS-TA9005)
    pub static RULE = {
        id: "NET006",
        name: "exposed-service",
        title: "Service exposed outside the cluster",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1133")],
        remediation: "Use a ClusterIP Service behind an Ingress or Gateway; restrict load balancers to internal addresses and source ranges.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Service" {
        return;
    }
    ctx.applicable();
    let kind = object.root.path(&["spec", "type"]).and_then(|t| t.as_str());
    if let Some(kind @ ("NodePort" | "LoadBalancer")) = kind {
        let restricted = kind == "LoadBalancer"
            && object
                .root
                .path(&["spec", "loadBalancerSourceRanges"])
                .is_some_and(|r| r.items().len() > 0);
        let detail = if restricted {
            " (limited by loadBalancerSourceRanges)"
        } else {
            ""
        };
        ctx.report(
            "/spec/type",
            format!("Service of type {kind} is reachable from outside the cluster{detail}"),
        );
    }
}
