//! NET002 default-deny-ingress.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads in the scanned set but have no NetworkPolicy that
    /// selects every pod (`podSelector: {}`) for ingress: a default-deny policy (no ingress
    /// rules) or a namespace-wide allow-list. Workloads without a namespace count in the
    /// namespace they are applied to (`default`, or `scan --namespace`). The finding points at
    /// the Namespace object when it is scanned, else at the namespace's first workload.
    ///
    /// ## Why is this bad?
    /// Pods that no ingress policy selects accept connections from every pod in the cluster: a
    /// compromise anywhere can reach them. Starting from deny-all makes every allowed flow a
    /// decision.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop # expect: NET002
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example.com/api:1.0
    /// ```
    ///
    /// ## Remediation
    /// Add a default-deny policy to the namespace and allow the needed flows explicitly:
    /// `kind: NetworkPolicy`, `spec: {podSelector: {}, policyTypes: [Ingress]}`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.3.2: Ensure that all Namespaces have Network Policies defined
    /// - Kubernetes: Network Policies, default policies
    pub static RULE = {
        id: "NET002",
        name: "default-deny-ingress",
        title: "Namespace without ingress isolation",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("5.3.2"), Nsa("C-0030"), Nsa("C-0054")],
        remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Ingress] to the namespace, then allow the needed flows.",
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    super::namespace_isolation::report_unisolated(inventory, ctx, false);
}
