//! Shared logic of NET002 and NET003: namespaces whose pods are not all isolated.

use std::collections::BTreeMap;

use palisade_engine::prelude::*;

/// Namespaces that run workloads in the scan, with the fact to report at (the Namespace object
/// when it is in the scan, else the namespace's first workload) and the workload count.
/// Workloads without a namespace are left out: where they run is decided at apply time.
pub(crate) fn namespaces_with_workloads(inventory: &Inventory) -> BTreeMap<&str, (&Fact, usize)> {
    let mut out: BTreeMap<&str, (&Fact, usize)> = BTreeMap::new();
    for fact in &inventory.facts {
        if let (FactKind::Workload(_), Some(ns)) = (&fact.kind, fact.object.namespace.as_deref()) {
            let entry = out.entry(ns).or_insert((fact, 0));
            entry.1 += 1;
        }
    }
    for fact in &inventory.facts {
        if let (FactKind::Namespace, Some(name)) = (&fact.kind, fact.object.name.as_deref())
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
    if matches!(fact.kind, FactKind::Namespace) {
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
            FactKind::NetworkPolicy(p) => {
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
