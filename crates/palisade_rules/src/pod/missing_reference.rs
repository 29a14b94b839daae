//! POD025 missing-reference.

use std::collections::HashSet;

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags workloads that reference a ServiceAccount, Secret or ConfigMap that is not in the
    /// scanned set, when the scan does hold objects of that kind in the workload's namespace
    /// (so that the namespace's objects of that kind are managed in these files). References
    /// marked `optional: true`, the `default` ServiceAccount and the `kube-root-ca.crt`
    /// ConfigMap (which the control plane publishes into every namespace) are not checked.
    ///
    /// ## Why is this bad?
    /// A pod that references a missing Secret or ConfigMap does not start; one that names a
    /// missing ServiceAccount is rejected. A typo can also make a pod pick up a same-named
    /// object created by someone else, with other contents or permissions.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata: {name: settings, namespace: shop}
    /// ---
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: api, namespace: shop}
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example.com/api:1.0
    ///     envFrom:
    ///     - configMapRef: {name: setings} # expect: POD025
    /// ```
    ///
    /// ## Remediation
    /// Fix the name, add the object to the manifests, or mark the reference `optional: true`.
    ///
    /// ## References
    /// - Kubernetes: Configure a Pod to Use a ConfigMap
    pub static RULE = {
        id: "POD025",
        name: "missing-reference",
        title: "Reference to an object missing from the manifests",
        severity: Low,
        layer: Code,
        frameworks: [],
        remediation: "Fix the referenced name, add the object, or mark the reference optional.",
        hook: Hook::Inventory(check),
    }
}

/// Objects the control plane creates in every namespace: never in the manifests.
const PUBLISHED: &[(&str, &str)] = &[
    ("ServiceAccount", "default"),
    ("ConfigMap", "kube-root-ca.crt"),
];

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    let mut present: HashSet<(&str, Option<&str>, &str)> = HashSet::new();
    let mut managed: HashSet<(&str, Option<&str>)> = HashSet::new();
    for fact in &inventory.facts {
        let kind = match fact.kind {
            FactKind::Secret { .. } => "Secret",
            FactKind::ConfigMap => "ConfigMap",
            FactKind::ServiceAccount { .. } => "ServiceAccount",
            _ => continue,
        };
        let ns = fact.object.namespace.as_deref();
        managed.insert((kind, ns));
        present.insert((kind, ns, fact.object.name.as_deref().unwrap_or("")));
    }
    for fact in &inventory.facts {
        let FactKind::Workload(w) = &fact.kind else {
            continue;
        };
        let ns = fact.object.namespace.as_deref();
        let sa = (
            "ServiceAccount",
            w.service_account.as_str(),
            &w.service_account_site,
        );
        let refs = w
            .references
            .iter()
            .filter(|r| r.required)
            .map(|r| (r.kind, r.name.as_str(), &r.site));
        let published = |(kind, name, _): &(&str, &str, _)| PUBLISHED.contains(&(*kind, *name));
        // One finding per missing object and workload, at its first reference.
        let mut reported: HashSet<(&str, &str)> = HashSet::new();
        for (kind, name, site) in std::iter::once(sa).chain(refs).filter(|r| !published(r)) {
            if !managed.contains(&(kind, ns)) {
                continue;
            }
            ctx.applicable();
            if !present.contains(&(kind, ns, name)) && reported.insert((kind, name)) {
                ctx.report(
                    fact,
                    site,
                    format!("{kind} {name:?} is not among the scanned {kind}s of its namespace"),
                );
            }
        }
    }
}
