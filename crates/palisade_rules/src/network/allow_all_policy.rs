//! NET005 allow-all-policy.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags NetworkPolicy rules that allow every peer: an ingress rule without `from` (or an
    /// egress rule without `to`), a peer that selects every namespace (`namespaceSelector: {}`
    /// with no `podSelector` or an empty one), and an `ipBlock` of `0.0.0.0/0` or `::/0` with no
    /// `except`.
    ///
    /// ## Why is this bad?
    /// Such a rule turns a policy meant to restrict traffic into an allow-list of everything:
    /// every pod of every namespace (or the whole internet) can reach, or be reached from, the
    /// selected pods on the rule's ports.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata:
    ///   name: api
    ///   namespace: shop
    /// spec:
    ///   podSelector:
    ///     matchLabels: {app: api}
    ///   ingress:
    ///   - from:
    ///     - namespaceSelector: {} # expect: NET005
    /// ```
    ///
    /// ## Remediation
    /// Name the peers that need access: select their namespaces and pods by label, or list the
    /// CIDRs of the external systems.
    ///
    /// ## References
    /// - Kubernetes: Network Policies, behavior of to and from selectors
    /// - NSA/CISA Kubernetes Hardening Guidance: network separation
    pub static RULE = {
        id: "NET005",
        name: "allow-all-policy",
        title: "NetworkPolicy rule allows every peer",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1046")],
        remediation: "List the namespaces, pods or CIDRs that need access instead of allowing every peer.",
        hook: Hook::Object(check),
    }
}

fn is_empty_map(node: Option<NodeRef<'_, '_>>) -> bool {
    node.is_some_and(|n| {
        n.entries()
            .all(|(_, v)| v.is_null() || v.entries().len() == 0 && v.items().len() == 0)
    })
}

/// Why a peer admits everything, if it does.
fn open_peer(peer: NodeRef<'_, '_>) -> Option<&'static str> {
    if let Some(ns) = peer.get("namespaceSelector")
        && is_empty_map(Some(ns))
        && peer
            .get("podSelector")
            .is_none_or(|p| is_empty_map(Some(p)))
    {
        return Some("every pod in every namespace");
    }
    let block = peer.get("ipBlock")?;
    let cidr = block.get("cidr").and_then(|c| c.as_str())?;
    let no_except = block.get("except").is_none_or(|e| e.items().len() == 0);
    (matches!(cidr, "0.0.0.0/0" | "::/0") && no_except).then_some("every address")
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "NetworkPolicy" || !object.api_version.starts_with("networking.k8s.io/") {
        return;
    }
    ctx.applicable();
    for (direction, peers_key, word) in [("ingress", "from", "from"), ("egress", "to", "to")] {
        let Some(rules) = object.root.path(&["spec", direction]) else {
            continue;
        };
        for (i, rule) in rules.items().enumerate() {
            match rule.get(peers_key).filter(|p| p.items().len() > 0) {
                None => ctx.report(
                    format!("/spec/{direction}/{i}"),
                    format!("{direction} rule {i} has no `{peers_key}`, so it allows traffic {word} every peer"),
                ),
                Some(peers) => {
                    for (j, peer) in peers.items().enumerate() {
                        if let Some(what) = open_peer(peer) {
                            ctx.report(
                                format!("/spec/{direction}/{i}/{peers_key}/{j}"),
                                format!("{direction} rule {i} allows traffic {word} {what}"),
                            );
                        }
                    }
                }
            }
        }
    }
}
