//! POD004 namespace-limits-and-quotas.

use palisade_engine::prelude::*;

use crate::network::namespace_isolation::{namespace_site, namespaces_with_workloads};

declare_rule! {
    /// ## What it does
    /// Flags namespaces that run workloads in the scanned set but have no LimitRange or no
    /// ResourceQuota there. The `kube-system`, `kube-public` and `kube-node-lease` namespaces
    /// are not counted; workloads without a namespace count in the namespace they are applied
    /// to (`default`, or `scan --namespace`). The finding points at the Namespace object when it
    /// is scanned, else at the namespace's first workload.
    ///
    /// ## Why is this bad?
    /// A LimitRange gives containers that set no requests or limits bounded defaults; a
    /// ResourceQuota caps what the whole namespace can take, including the number of objects
    /// it may create. Without them one namespace (or a compromised ServiceAccount in it) can
    /// starve the nodes or flood etcd with objects, a denial of service for every tenant.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop # expect: POD004
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
    /// apiVersion: v1
    /// kind: LimitRange
    /// metadata:
    ///   name: defaults
    ///   namespace: shop
    /// spec:
    ///   limits:
    ///   - type: Container
    ///     default: {cpu: 500m, memory: 256Mi}
    /// ```
    ///
    /// ## Remediation
    /// Add a LimitRange with default requests and limits and a ResourceQuota that caps CPU,
    /// memory and object counts (`count/pods`, `count/secrets`, …) to each application
    /// namespace.
    ///
    /// ## References
    /// - Kubernetes: Resource Quotas, and Limit Ranges
    /// - Kubernetes: RBAC good practices, denial of service through object creation
    pub static RULE = {
        id: "POD004",
        name: "namespace-limits-and-quotas",
        title: "Namespace without LimitRange or ResourceQuota",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1499")],
        remediation: "Add a LimitRange and a ResourceQuota (CPU, memory and object counts) to the namespace.",
        hook: Hook::Inventory(check),
    }
}

use crate::SYSTEM_NAMESPACES;

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    for (ns, (fact, _)) in namespaces_with_workloads(inventory) {
        if SYSTEM_NAMESPACES.contains(&ns) {
            continue;
        }
        ctx.applicable();
        let has =
            |want: fn(&FactKind) -> bool| inventory.in_namespace(Some(ns)).any(|f| want(&f.kind));
        let missing: Vec<&str> = [
            ("LimitRange", has(|k| matches!(k, FactKind::LimitRange))),
            (
                "ResourceQuota",
                has(|k| matches!(k, FactKind::ResourceQuota)),
            ),
        ]
        .into_iter()
        .filter(|(_, present)| !present)
        .map(|(kind, _)| kind)
        .collect();
        if !missing.is_empty() {
            ctx.report(
                fact,
                namespace_site(fact),
                format!(
                    "namespace {ns:?} runs workloads but has no {}",
                    missing.join(" and no ")
                ),
            );
        }
    }
}
