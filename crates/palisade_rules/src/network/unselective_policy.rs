//! NET011 unselective-policy.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicies whose `podSelector` selects none of the pod templates of the
    /// scanned workloads in its namespace (where workloads without one are applied), when the scan has
    /// workloads there. Namespaces the scan holds no workloads of, or holds custom resources
    /// of (whose controllers may create pods the scan cannot see, such as a
    /// prometheus-operator `Prometheus`), are not judged. An empty `podSelector` selects every
    /// pod and is never reported.
    ///
    /// ## Why is this bad?
    /// A policy that selects no pod protects nothing: usually a label was renamed on the
    /// workloads, or the selector has a typo, and the pods it was written for accept traffic
    /// the policy was meant to block.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: api}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example.com/api:1.0
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api-ingress
    ///   namespace: shop
    /// spec:
    ///   podSelector: # expect: NET011
    ///     matchLabels: {app: apii}
    ///   ingress:
    ///   - from:
    ///     - podSelector: {matchLabels: {app: web}}
    /// ```
    ///
    /// ## Remediation
    /// Fix the selector (or the workloads' labels) so that the policy selects the pods it was
    /// written for, or delete the policy.
    ///
    /// ## References
    /// - Kubernetes: Network Policies, podSelector
    /// - kubescape C-0299 Network policies that select no pods
    pub static RULE = {
        id: "NET011",
        name: "unselective-policy",
        title: "NetworkPolicy selects no pod",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Fix the podSelector or the workloads' labels so that the policy selects its pods, or delete it.",
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    for fact in &inventory.facts {
        let FactKind::NetworkPolicy(p) = &fact.kind else {
            continue;
        };
        if p.replaced_by.is_some() {
            continue;
        }
        let Some(ns) = fact.object.namespace.as_deref() else {
            continue;
        };
        let mut scanned = false;
        let mut operated = false;
        // Cluster-scoped facts have no namespace; namespaced ones were placed.
        let mut labels = Vec::new();
        for f in inventory
            .in_namespace(Some(ns))
            .chain(inventory.in_namespace(None))
        {
            match &f.kind {
                FactKind::Workload(w) => {
                    scanned |= f.object.namespace.is_some();
                    labels.push(&w.labels);
                }
                FactKind::Other { custom: true, .. } => operated |= f.object.namespace.is_some(),
                _ => {}
            }
        }
        if !scanned || operated {
            continue;
        }
        ctx.applicable();
        if !p.selects_all && !labels.iter().any(|l| p.selector.matches(l)) {
            ctx.report(
                fact,
                &p.selector_site,
                format!(
                    "NetworkPolicy {:?} selects none of the scanned workloads of namespace {ns:?}",
                    fact.object.name.as_deref().unwrap_or("")
                ),
            );
        }
    }
}
