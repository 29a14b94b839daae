//! SEC007 unused-secret.

use std::collections::HashSet;

use palisade_engine::prelude::*;
use palisade_model::rbac::Power;

declare_rule! {
    /// ## What it does
    /// Flags Secrets of the scanned set that nothing in the scan uses, when the scan has
    /// workloads in the Secret's namespace: no pod template mounts it (`secret` and projected
    /// volumes), reads it into the environment (`secretKeyRef`, `envFrom`) or pulls images
    /// with it (`imagePullSecrets`), no ServiceAccount lists it (`secrets`,
    /// `imagePullSecrets`), no Ingress serves it (`tls[].secretName`), no other object names
    /// it in a Secret field (`secretName`, `secretRef.name`, … of StorageClasses,
    /// PersistentVolumes and controllers' custom resources; a prometheus-operator
    /// `Alertmanager` uses `alertmanager-<name>`). ServiceAccount token Secrets and Helm
    /// release records (`helm.sh/release.v1`) are left out, and so are the Secrets of
    /// namespaces where a workload's ServiceAccount may read Secrets through the API: a
    /// controller there may read any of them by name. References from objects without a
    /// namespace count for every namespace.
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
    // (namespace, name) of every use; uses from cluster-scoped objects (no namespace) match
    // any namespace.
    let mut used: HashSet<(Option<&str>, &str)> = HashSet::new();
    let mut with_workloads: HashSet<Option<&str>> = HashSet::new();
    let mut readers: HashSet<Option<&str>> = HashSet::new();
    for fact in &inventory.facts {
        let ns = fact.object.namespace.as_deref();
        let names: Vec<&str> = match &fact.kind {
            FactKind::Workload(w) => {
                with_workloads.insert(ns);
                if inventory
                    .rbac()
                    .service_account_powers(ns.unwrap_or_default(), &w.service_account)
                    .iter()
                    .any(|(p, _)| matches!(p, Power::ReadSecrets | Power::Admin))
                {
                    readers.insert(ns);
                }
                w.references
                    .iter()
                    .filter(|r| r.kind == "Secret")
                    .map(|r| r.name.as_str())
                    .collect()
            }
            FactKind::ServiceAccount { secrets, .. } => {
                secrets.iter().map(String::as_str).collect()
            }
            FactKind::Ingress { tls_secrets, .. } => {
                tls_secrets.iter().map(String::as_str).collect()
            }
            FactKind::Other { secrets, .. } => secrets.iter().map(String::as_str).collect(),
            _ => continue,
        };
        used.extend(names.into_iter().map(|n| (ns, n)));
    }
    let is_used = |ns: Option<&str>, name: &str| {
        used.contains(&(ns, name))
            || used.contains(&(None, name))
            || (ns.is_none() && used.iter().any(|(_, n)| *n == name))
    };
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
        // A workload that may read the namespace's Secrets through the API may read this one.
        if readers.contains(&ns) || is_used(ns, name) {
            continue;
        }
        ctx.report(
            fact,
            &fact.site,
            format!("Secret {name:?} is used by no workload, ServiceAccount, Ingress or other object of the scanned set"),
        );
    }
}
