//! NODE019 node-external-address.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Nodes that report an `ExternalIP` address in `status.addresses`.
    ///
    /// ## Why is this bad?
    /// A node with a public address can be reached from the internet on every port it opens:
    /// the kubelet API (10250), NodePort Services, host-network pods, SSH. Node pools in private
    /// subnets, reached through load balancers, leave the API server and the load balancers as
    /// the only ways in.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Node
    /// metadata:
    ///   name: worker-1
    /// status:
    ///   addresses:
    ///   - type: InternalIP
    ///     address: 10.0.1.12
    ///   - type: ExternalIP # expect: NODE019
    ///     address: 203.0.113.40
    /// ```
    ///
    /// ## Remediation
    /// Run node pools in private subnets (private clusters on GKE, private node groups on
    /// EKS, no public IP per node on AKS) and expose workloads through load balancers or
    /// Ingresses.
    ///
    /// ## References
    /// - Kubernetes security guidance: put nodes in private networks
    /// - Kubescape C-0229 / C-0248: nodes without public IPs, private clusters
    pub static RULE = {
        id: "NODE019",
        name: "node-external-address",
        title: "Node has a public address",
        severity: Medium,
        layer: Cloud,
        frameworks: [Mitre("T1190")],
        remediation: "Run nodes in private subnets without public addresses; expose workloads through load balancers.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Node" || object.api_version != "v1" {
        return;
    }
    let Some(addresses) = object.root.path(&["status", "addresses"]) else {
        return;
    };
    ctx.applicable();
    for (i, address) in addresses.items().enumerate() {
        if address.get("type").and_then(|t| t.as_str()) == Some("ExternalIP") {
            let ip = address
                .get("address")
                .and_then(|a| a.as_str())
                .unwrap_or("");
            ctx.report(
                format!("/status/addresses/{i}/type"),
                format!("node has the external address {ip}"),
            );
        }
    }
}
