//! NET016 unmatched-peer.

use std::collections::BTreeMap;

use palisade_engine::prelude::*;
use palisade_model::inventory::PeerFact;
use palisade_model::labels::Labels;
use palisade_model::labels::{LabelSelector, namespace_labels};

declare_rule! {
    /// ## What it does
    /// Flags `from`/`to` entries of NetworkPolicies whose selectors match nothing in the scan:
    /// a `podSelector` that selects none of the scanned workloads of the namespaces the entry
    /// covers, or a `namespaceSelector` that selects none of the cluster's namespaces.
    ///
    /// Only what the scan can know is judged. Pods are judged in namespaces the scan holds
    /// workloads of and no custom resources (whose controllers may create pods it cannot see).
    /// Namespaces are judged only when the scan holds the cluster's Namespace objects (a
    /// snapshot: it has the `kube-system` Namespace), since a repository rarely declares every
    /// namespace its policies name. An empty `namespaceSelector` covers namespaces outside any
    /// scan and is not judged.
    ///
    /// ## Why is this bad?
    /// A peer that selects nothing allows nothing: usually a label or namespace was renamed, or
    /// the selector has a typo. The connection it was written for is blocked, and the quick fix
    /// under pressure is a broader rule than was ever needed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: web, namespace: shop}
    /// spec:
    ///   template:
    ///     metadata: {labels: {app: web}}
    ///     spec:
    ///       containers: [{name: web, image: example.com/web:1.0}]
    /// ---
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: {name: db, namespace: shop}
    /// spec:
    ///   template:
    ///     metadata: {labels: {app: db}}
    ///     spec:
    ///       containers: [{name: db, image: example.com/db:1.0}]
    /// ---
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: {name: db, namespace: shop}
    /// spec:
    ///   podSelector: {matchLabels: {app: db}}
    ///   ingress:
    ///   - from:
    ///     - podSelector: {matchLabels: {app: frontend}} # expect: NET016
    /// ```
    ///
    /// ## Remediation
    /// Fix the selector (or the labels of the pods or namespaces it was written for), or remove
    /// the entry.
    ///
    /// ## References
    /// - Kubernetes: Network Policies, behavior of `to` and `from` selectors
    pub static RULE = {
        id: "NET016",
        name: "unmatched-peer",
        title: "NetworkPolicy peer selects nothing",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Fix the peer's selector or the labels it was written for, or remove the entry.",
        hook: Hook::Inventory(check),
    }
}

/// What the scan knows of a namespace: the labels of its workloads, whether it holds custom
/// resources, and its own labels.
#[derive(Default)]
struct Namespace<'i> {
    workloads: Vec<&'i Labels>,
    operated: bool,
    labels: Option<&'i BTreeMap<String, String>>,
}

impl Namespace<'_> {
    /// Whether the scan shows every pod of the namespace.
    fn judged(&self) -> bool {
        !self.workloads.is_empty() && !self.operated
    }
}

/// The namespaces of the scan, and the labels of workloads without a namespace (none once the
/// inventory is placed; kept for inventories that are not).
type Namespaces<'i> = (BTreeMap<&'i str, Namespace<'i>>, Vec<&'i Labels>);

fn namespaces(inventory: &Inventory) -> Namespaces<'_> {
    let mut out: BTreeMap<&str, Namespace<'_>> = BTreeMap::new();
    let mut floating = Vec::new();
    for fact in &inventory.facts {
        let (kind, name) = (&fact.kind, fact.object.name.as_deref());
        match (kind, fact.object.namespace.as_deref(), name) {
            (FactKind::Workload(w), Some(ns), _) => {
                out.entry(ns).or_default().workloads.push(&w.labels)
            }
            (FactKind::Workload(w), None, _) => floating.push(&w.labels),
            (FactKind::Other { custom: true, .. }, Some(ns), _) => {
                out.entry(ns).or_default().operated = true
            }
            (FactKind::Namespace { labels }, _, Some(name)) => {
                out.entry(name).or_default().labels = Some(labels)
            }
            _ => {}
        }
    }
    (out, floating)
}

/// Why `peer` (of a policy in `policy_ns`) selects nothing, when the scan can tell.
fn unmatched(
    peer: &PeerFact,
    policy_ns: Option<&str>,
    (namespaces, floating): &Namespaces<'_>,
    snapshot: bool,
) -> Option<String> {
    let selects_pods = |ns: &Namespace<'_>, sel: &LabelSelector| {
        ns.workloads.iter().chain(floating).any(|l| sel.matches(l))
    };
    let covered: Vec<(&str, &Namespace<'_>)> = match &peer.namespaces {
        None => {
            let ns = policy_ns?;
            vec![(ns, namespaces.get(ns)?)]
        }
        Some(sel) if sel.is_empty() => return None,
        Some(sel) => {
            let auto = |name: &str| namespace_labels(name, BTreeMap::new());
            let matched: Vec<(&str, &Namespace<'_>)> = namespaces
                .iter()
                .filter(|(name, ns)| match ns.labels {
                    Some(l) => sel.matches(l),
                    None => sel.matches(&auto(name)),
                })
                .map(|(name, ns)| (*name, ns))
                .collect();
            if matched.is_empty() {
                return snapshot.then(|| {
                    "its namespaceSelector selects none of the cluster's namespaces".to_string()
                });
            }
            matched
        }
    };
    let sel = peer.pods.as_ref()?;
    if sel.is_empty() {
        return None;
    }
    if !covered.iter().all(|(_, ns)| ns.judged())
        || covered.iter().any(|(_, ns)| selects_pods(ns, sel))
    {
        return None;
    }
    let names: Vec<String> = covered.iter().map(|(n, _)| format!("{n:?}")).collect();
    Some(format!(
        "its podSelector selects none of the scanned workloads of namespace{} {}",
        if names.len() == 1 { "" } else { "s" },
        names.join(", ")
    ))
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    let namespaces = namespaces(inventory);
    let snapshot = namespaces
        .0
        .get("kube-system")
        .is_some_and(|ns| ns.labels.is_some());
    for fact in &inventory.facts {
        let FactKind::NetworkPolicy(p) = &fact.kind else {
            continue;
        };
        if p.replaced_by.is_some() {
            continue;
        }
        let policy_ns = fact.object.namespace.as_deref();
        for peer in &p.peers {
            ctx.applicable();
            if let Some(why) = unmatched(peer, policy_ns, &namespaces, snapshot) {
                let direction = if peer.egress { "egress" } else { "ingress" };
                ctx.report(
                    fact,
                    &peer.site,
                    format!(
                        "an {direction} peer of NetworkPolicy {:?} allows nothing: {why}",
                        fact.object.name.as_deref().unwrap_or("")
                    ),
                );
            }
        }
    }
}
