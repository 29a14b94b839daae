//! NET003 default-deny-egress.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads in the scanned set but have no NetworkPolicy that
    /// selects every pod (`podSelector: {}`) for egress (`policyTypes` including `Egress`).
    /// Workloads without a namespace
    /// count in the namespace they are applied to (`default`, or `scan --namespace`).
    ///
    /// ## Why is this bad?
    /// Without egress isolation a compromised pod can reach every service in the cluster, the
    /// cloud metadata endpoint and the internet: lateral movement and data exfiltration are
    /// unrestricted.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop # expect: NET003
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example.com/api:1.0
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: default-deny-ingress
    ///   namespace: shop
    /// spec:
    ///   podSelector: {}
    /// ```
    ///
    /// ## Remediation
    /// Add a default-deny egress policy (`podSelector: {}`, `policyTypes: [Egress]`) and allow
    /// DNS and the destinations each workload needs.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance: ingress and egress blocked (C-0030)
    /// - Kubernetes: Network Policies, default deny all egress traffic
    pub static RULE = {
        id: "NET003",
        name: "default-deny-egress",
        title: "Namespace without egress isolation",
        severity: Medium,
        layer: Cluster,
        frameworks: [Nsa("C-0030")],
        remediation: "Add a NetworkPolicy with podSelector: {} and policyTypes: [Egress] to the namespace, then allow DNS and needed destinations.",
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    super::namespace_isolation::report_unisolated(inventory, ctx, true);
}
