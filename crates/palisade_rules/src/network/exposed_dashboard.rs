//! NET018 exposed-dashboard.

use palisade_engine::prelude::*;
use palisade_model::inventory::{ServiceFact, WorkloadFact};

use crate::addons::dashboard;

declare_rule! {
    /// ## What it does
    /// Flags the ways the Kubernetes Dashboard is reachable from outside the cluster: a
    /// NodePort or LoadBalancer Service whose selector matches the pods of a Dashboard
    /// workload (any image of `kubernetesui/dashboard`, `kubernetes-dashboard-*` or the v3
    /// `dashboard-api`, `-auth` and `-web` modules), and an Ingress that routes to a Service
    /// selecting them. Services and workloads are matched within a namespace across every file
    /// of the scan.
    ///
    /// ## Why is this bad?
    /// The Dashboard is a full cluster-management console: reachable from outside, its login
    /// (or its absence, see POD027) and the permissions of its ServiceAccount are all that
    /// stand between the internet and the cluster. Exposed Dashboards are among the first
    /// things scanners for Kubernetes look for.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: kubernetes-dashboard
    ///   namespace: kubernetes-dashboard
    /// spec:
    ///   type: NodePort
    ///   selector: # expect: NET018
    ///     k8s-app: kubernetes-dashboard
    ///   ports:
    ///   - port: 443
    ///     targetPort: 8443
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: kubernetes-dashboard
    ///   namespace: kubernetes-dashboard
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: {k8s-app: kubernetes-dashboard}
    ///     spec:
    ///       containers:
    ///       - name: kubernetes-dashboard
    ///         image: kubernetesui/dashboard:v2.7.0
    ///         args: [--auto-generate-certificates]
    /// ```
    ///
    /// ## Remediation
    /// Keep the Dashboard's Service a ClusterIP without an Ingress, and reach it through
    /// `kubectl port-forward` or `kubectl proxy`; if it must be published, put an
    /// authenticating proxy with single sign-on in front of it.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Exposed sensitive interfaces (MS-TA9005)
    /// - kubescape C-0021 Exposed sensitive interfaces, C-0014 Access Kubernetes dashboard
    /// - Kubernetes Dashboard: accessing the Dashboard
    pub static RULE = {
        id: "NET018",
        name: "exposed-dashboard",
        title: "Kubernetes Dashboard reachable from outside the cluster",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1133")],
        remediation: "Keep the Dashboard behind a ClusterIP Service without an Ingress; use kubectl port-forward, or an authenticating proxy.",
        hook: Hook::Inventory(check),
    }
}

/// The Dashboard workloads of a namespace that a Service selects.
fn dashboards<'i>(
    inventory: &'i Inventory,
    namespace: Option<&'i str>,
    service: &'i ServiceFact,
) -> impl Iterator<Item = &'i Fact> + 'i {
    inventory.in_namespace(namespace).filter(move |target| {
        let FactKind::Workload(w) = &target.kind else {
            return false;
        };
        !service.selector.is_empty()
            && service
                .selector
                .iter()
                .all(|(k, v)| w.labels.get(k) == Some(v))
            && is_dashboard(w)
    })
}

fn is_dashboard(w: &WorkloadFact) -> bool {
    w.images.iter().any(|i| dashboard(i).is_some())
}

/// `Deployment "kubernetes-dashboard"`, for messages.
fn named(fact: &Fact) -> String {
    format!(
        "{} {:?}",
        fact.object.kind,
        fact.object.name.as_deref().unwrap_or("")
    )
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    let any = inventory
        .facts
        .iter()
        .any(|f| matches!(&f.kind, FactKind::Workload(w) if is_dashboard(w)));
    if !any {
        return;
    }
    ctx.applicable();
    for fact in &inventory.facts {
        let namespace = fact.object.namespace.as_deref();
        match &fact.kind {
            FactKind::Service(service) if service.exposed => {
                for target in dashboards(inventory, namespace, service) {
                    ctx.report(
                        fact,
                        &service.selector_site,
                        format!(
                            "NodePort or LoadBalancer Service exposes the Kubernetes Dashboard ({}) outside the cluster",
                            named(target)
                        ),
                    );
                }
            }
            FactKind::Ingress { backends, .. } => {
                for backend in backends {
                    for service in inventory.in_namespace(namespace).filter(|s| {
                        s.object.kind == "Service"
                            && s.object.name.as_deref() == Some(backend.service.as_str())
                    }) {
                        let FactKind::Service(selector) = &service.kind else {
                            continue;
                        };
                        for target in dashboards(inventory, namespace, selector) {
                            ctx.report(
                                fact,
                                &backend.site,
                                format!(
                                    "Ingress routes to Service {:?}, which serves the Kubernetes Dashboard ({})",
                                    backend.service,
                                    named(target)
                                ),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}
