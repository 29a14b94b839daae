//! NET013 exposed-host-workload.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags NodePort and LoadBalancer Services whose selector matches a workload of the same
    /// namespace that has host access: a privileged container, `hostNetwork`, `hostPID`,
    /// `hostIPC` or a `hostPath` volume.
    ///
    /// ## Why is this bad?
    /// An externally reachable entry point into a pod with host access turns any bug in the
    /// exposed service into a remote compromise of the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: agent
    ///   namespace: ops
    /// spec:
    ///   type: NodePort
    ///   selector: # expect: NET013
    ///     app: agent
    ///   ports:
    ///   - port: 9100
    /// ---
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: agent
    ///   namespace: ops
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {app: agent}
    ///     spec:
    ///       hostNetwork: true
    ///       containers:
    ///       - name: agent
    ///         image: example.com/agent:1.0
    /// ```
    ///
    /// ## Remediation
    /// Keep host-level agents internal (ClusterIP, scraped from inside the cluster), or remove
    /// the host access from the exposed workload.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Exposed sensitive interfaces (MS-TA9005)
    pub static RULE = {
        id: "NET013",
        name: "exposed-host-workload",
        title: "Service exposes a workload with host access",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1133"), Mitre("T1611")],
        remediation: "Use a ClusterIP Service for workloads with host access, or remove their host access.",
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    for fact in &inventory.facts {
        let FactKind::Service(service) = &fact.kind else {
            continue;
        };
        if !service.exposed || service.selector.is_empty() {
            continue;
        }
        ctx.applicable();
        for target in inventory.in_namespace(fact.object.namespace.as_deref()) {
            let FactKind::Workload(w) = &target.kind else {
                continue;
            };
            let selected = service
                .selector
                .iter()
                .all(|(k, v)| w.labels.get(k) == Some(v));
            if selected && !w.host_access.is_empty() {
                ctx.report(
                    fact,
                    &service.selector_site,
                    format!(
                        "Service exposes {} {:?}, which has {}",
                        target.object.kind,
                        target.object.name.as_deref().unwrap_or(""),
                        w.host_access.join(", ")
                    ),
                );
            }
        }
    }
}
