//! Shared logic of NET002 and NET003: namespaces whose pods are not all isolated.

use std::collections::BTreeMap;

use palisade_engine::prelude::*;

/// Namespaces that run workloads in the scan, with the fact to report at (the Namespace object
/// when it is in the scan, else the namespace's first workload) and the workload count.
/// Workloads without a namespace were placed where they are applied ([`Inventory::place`]).
pub(crate) fn namespaces_with_workloads(inventory: &Inventory) -> BTreeMap<&str, (&Fact, usize)> {
    let mut out: BTreeMap<&str, (&Fact, usize)> = BTreeMap::new();
    for fact in &inventory.facts {
        if let (FactKind::Workload(_), Some(ns)) = (&fact.kind, fact.object.namespace.as_deref()) {
            let entry = out.entry(ns).or_insert((fact, 0));
            entry.1 += 1;
        }
    }
    for fact in &inventory.facts {
        if let (FactKind::Namespace { .. }, Some(name)) = (&fact.kind, fact.object.name.as_deref())
            && let Some(entry) = out.get_mut(name)
        {
            entry.0 = fact;
        }
    }
    out
}

/// Where to report about a namespace through `fact` (from [`namespaces_with_workloads`]): the
/// Namespace object's name, else the workload's `metadata.namespace`.
pub(crate) fn namespace_site(fact: &Fact) -> &palisade_diagnostics::Location {
    if matches!(fact.kind, FactKind::Namespace { .. }) {
        &fact.site
    } else {
        &fact.namespace_site
    }
}

/// Report namespaces where no NetworkPolicy selects every pod for `direction`.
pub(crate) fn report_unisolated(inventory: &Inventory, ctx: &mut InventoryCtx<'_>, egress: bool) {
    let direction = if egress { "egress" } else { "ingress" };
    for (ns, (fact, workloads)) in namespaces_with_workloads(inventory) {
        ctx.applicable();
        let isolated = inventory.in_namespace(Some(ns)).any(|f| match &f.kind {
            FactKind::NetworkPolicy(p) if p.replaced_by.is_none() => {
                p.selects_all && if egress { p.egress } else { p.ingress }
            }
            _ => false,
        });
        if !isolated {
            ctx.report(
                fact,
                namespace_site(fact),
                format!(
                    "namespace {ns:?} runs {workloads} workload{} but no NetworkPolicy with `podSelector: {{}}` isolates its pods for {direction}",
                    if workloads == 1 { "" } else { "s" }
                ),
            );
        }
    }
}

/// Report workloads that no NetworkPolicy selects for `direction` in namespaces that do have
/// policies for it (but none that selects every pod): the pods a partial policy set leaves
/// open. Namespaces without any such policy are NET002/NET003's.
pub(crate) fn report_uncovered(inventory: &Inventory, ctx: &mut InventoryCtx<'_>, egress: bool) {
    let direction = if egress { "egress" } else { "ingress" };
    for (ns, _) in namespaces_with_workloads(inventory) {
        let policies: Vec<&palisade_model::inventory::NetworkPolicyFact> = inventory
            .in_namespace(Some(ns))
            .filter_map(|f| match &f.kind {
                FactKind::NetworkPolicy(p)
                    if p.replaced_by.is_none() && (if egress { p.egress } else { p.ingress }) =>
                {
                    Some(p)
                }
                _ => None,
            })
            .collect();
        if policies.is_empty() || policies.iter().any(|p| p.selects_all) {
            continue;
        }
        ctx.applicable();
        for fact in inventory.in_namespace(Some(ns)) {
            let FactKind::Workload(w) = &fact.kind else {
                continue;
            };
            if !policies.iter().any(|p| p.selector.matches(&w.labels)) {
                ctx.report(
                    fact,
                    &fact.site,
                    format!(
                        "{} {ns}/{} is selected by none of the {} {direction} NetworkPolic{} of its namespace, so its pods are not isolated for {direction}",
                        fact.object.kind,
                        fact.object.name.as_deref().unwrap_or(""),
                        policies.len(),
                        if policies.len() == 1 { "y" } else { "ies" }
                    ),
                );
            }
        }
    }
}
