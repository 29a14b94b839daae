//! SEC007 unused-secret.

use std::collections::HashSet;

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Secrets of the scanned set that nothing in the scan uses, when the scan has
    /// workloads in the Secret's namespace: no pod template mounts it (`secret` and projected
    /// volumes), reads it into the environment (`secretKeyRef`, `envFrom`) or pulls images
    /// with it (`imagePullSecrets`), no ServiceAccount lists it (`secrets`,
    /// `imagePullSecrets`) and no Ingress serves it (`tls[].secretName`). ServiceAccount
    /// token Secrets and Helm release records (`helm.sh/release.v1`) are left out.
    ///
    /// ## Why is this bad?
    /// An unused Secret is a credential that is kept, copied to every backup and readable by
    /// whoever can read Secrets of its namespace, for no benefit; it often outlives the
    /// system it was for and is never rotated.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Secret
    /// metadata:
    ///   name: old-db-password # expect: SEC007
    ///   namespace: shop
    /// type: Opaque
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
    /// ```
    ///
    /// ## Remediation
    /// Delete Secrets that nothing uses (and revoke the credentials they hold); if a
    /// controller or operator reads the Secret by name, suppress the finding with a reason.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Remove unused secrets from the cluster (MS-M9023)
    /// - Kubernetes: Good practices for Kubernetes Secrets
    pub static RULE = {
        id: "SEC007",
        name: "unused-secret",
        title: "Secret used by nothing in the scan",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Delete the unused Secret and revoke what it holds, or suppress it with the controller that reads it.",
        hook: Hook::Inventory(check),
    }
}

/// Secret types that exist for the cluster's own bookkeeping.
const SKIPPED_TYPES: &[&str] = &["kubernetes.io/service-account-token", "helm.sh/release.v1"];

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    let mut used: HashSet<(Option<&str>, &str)> = HashSet::new();
    let mut with_workloads: HashSet<Option<&str>> = HashSet::new();
    for fact in &inventory.facts {
        let ns = fact.object.namespace.as_deref();
        match &fact.kind {
            FactKind::Workload(w) => {
                with_workloads.insert(ns);
                used.extend(
                    w.references
                        .iter()
                        .filter(|r| r.kind == "Secret")
                        .map(|r| (ns, r.name.as_str())),
                );
            }
            FactKind::ServiceAccount { secrets, .. } => {
                used.extend(secrets.iter().map(|s| (ns, s.as_str())));
            }
            FactKind::Ingress { tls_secrets } => {
                used.extend(tls_secrets.iter().map(|s| (ns, s.as_str())));
            }
            _ => {}
        }
    }
    for fact in &inventory.facts {
        let FactKind::Secret { secret_type } = &fact.kind else {
            continue;
        };
        let ns = fact.object.namespace.as_deref();
        if secret_type
            .as_deref()
            .is_some_and(|t| SKIPPED_TYPES.contains(&t))
            || !with_workloads.contains(&ns)
        {
            continue;
        }
        ctx.applicable();
        let name = fact.object.name.as_deref().unwrap_or("");
        if !used.contains(&(ns, name)) {
            ctx.report(
                fact,
                &fact.site,
                format!("Secret {name:?} is used by no workload, ServiceAccount or Ingress of the scanned set"),
            );
        }
    }
}
