//! NET020 duplicate-network-policy.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags a NetworkPolicy that a later NetworkPolicy of the same namespace and name in the
    /// same file (or the same rendered chart template or kustomization) replaces, as
    /// `kubectl apply -f` of the file would. The earlier one is reported, naming the later
    /// one. Objects without a namespace are compared in the namespace they are applied to.
    ///
    /// Different files of a repository are often alternatives (`install.yaml` and
    /// `ha/install.yaml`) rather than one set, so duplicates across files are not reported;
    /// `palisade netpol`, which reads its input as one set, keeps the later one and says so.
    ///
    /// ## Why is this bad?
    /// Only the last manifest applied survives: the rules of the earlier one silently
    /// disappear, usually a copied file whose name was not changed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: web # expect: NET020
    ///   namespace: shop
    /// spec:
    ///   podSelector: {matchLabels: {app: web}}
    ///   ingress:
    ///   - from:
    ///     - podSelector: {matchLabels: {app: gateway}}
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: web
    ///   namespace: shop
    /// spec:
    ///   podSelector: {matchLabels: {app: api}}
    ///   ingress:
    ///   - from:
    ///     - podSelector: {matchLabels: {app: web}}
    /// ```
    ///
    /// ## Remediation
    /// Give each policy its own name, or merge them into one.
    ///
    /// ## References
    /// - Kubernetes: kubectl apply (objects are identified by kind, namespace and name)
    pub static RULE = {
        id: "NET020",
        name: "duplicate-network-policy",
        title: "NetworkPolicy replaced by another of the same name",
        severity: Medium,
        layer: Cluster,
        frameworks: [],
        remediation: "Give each NetworkPolicy its own name, or merge the two.",
        hook: Hook::Inventory(check),
    }
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    for fact in &inventory.facts {
        let FactKind::NetworkPolicy(p) = &fact.kind else {
            continue;
        };
        ctx.applicable();
        if let Some(later) = &p.replaced_by {
            ctx.report(
                fact,
                &fact.site,
                format!(
                    "NetworkPolicy {}/{} is replaced by the one of the same name {}",
                    fact.object.namespace.as_deref().unwrap_or("(no namespace)"),
                    fact.object.name.as_deref().unwrap_or(""),
                    later
                        .span
                        .as_ref()
                        .map_or("later in the input".to_string(), |s| format!(
                            "at line {}",
                            s.line
                        ))
                ),
            );
        }
    }
}
