//! NET014: a workload that the namespace's ingress NetworkPolicies leave out.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// In a namespace whose NetworkPolicies restrict ingress for some pods but none selects every
    /// pod (`podSelector: {}`), reports each workload that no ingress policy selects. Namespaces
    /// with no ingress policy at all are reported once by NET002 instead.
    ///
    /// ## Why is this bad?
    /// A pod no policy selects is not isolated: every pod in the cluster (and, through Services, beyond) can connect to it. Partial policy sets
    /// often leave out the workloads added after them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: db, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: db}}
    ///   policyTypes: [Ingress, Egress]
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: web # expect: NET014
    ///   namespace: shop
    /// spec:
    ///   template:
    ///     metadata: {labels: {app: web}}
    ///     spec:
    ///       containers: [{name: web, image: example.com/web:1.0}]
    /// ```
    ///
    /// ## Remediation
    /// Add a default-deny ingress policy (`podSelector: {}`) to the namespace, or a policy that
    /// selects the workload and allows only the flows it needs.
    ///
    /// ## References
    /// - Kubernetes: Network Policies, isolated and non-isolated pods
    /// - NSA/CISA Kubernetes Hardening Guide: network separation (kubescape C-0030)
    pub static RULE = {
        id: "NET014",
        name: "workload-without-ingress-policy",
        title: "Workload selected by no ingress NetworkPolicy",
        severity: Medium,
        layer: Cluster,
        frameworks: [Nsa("C-0030")],
        remediation: "Add a default-deny ingress NetworkPolicy to the namespace, or one that selects this workload.",
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    super::namespace_isolation::report_uncovered(inventory, ctx, false);
}
