//! RBAC032 stale-rbac.

use std::collections::HashSet;

use palisade_engine::prelude::*;
use palisade_model::inventory::BindingFact;

declare_rule! {
    /// ## What it does
    /// Flags RBAC objects of the scanned set that refer to nothing or that nothing refers to:
    /// - a Role or ClusterRole that no binding of the scan grants, when the scan holds
    ///   bindings (in the Role's namespace, for a Role). Built-in roles, `system:` roles and
    ///   ClusterRoles labelled for aggregation (`rbac.authorization.k8s.io/aggregate-to-*`)
    ///   are left out;
    /// - a binding whose Role or ClusterRole is not in the scan, when the scan holds roles of
    ///   that kind (in the binding's namespace, for a Role). ClusterRoles that exist in every
    ///   cluster (`cluster-admin`, `admin`, `edit`, `view`) and names with a `:` (reserved for
    ///   the API server and distributions: `system:…`, `kubeadm:…`) are never missing;
    /// - a ServiceAccount subject that is not in the scan, when the scan holds ServiceAccounts
    ///   of its namespace (the `default` ServiceAccount always exists).
    ///
    /// ## Why is this bad?
    /// Unused roles and dangling bindings are permissions nobody reviews: a role waiting to be
    /// bound, or a binding that starts granting as soon as someone creates a role or
    /// ServiceAccount of that name, possibly with other intentions. They also usually mean
    /// a rename or removal left half of the RBAC behind.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: config-reader # expect: RBAC032
    ///   namespace: shop
    /// rules:
    /// - apiGroups: [""]
    ///   resources: ["configmaps"]
    ///   verbs: ["get"]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: config-reader
    ///   namespace: shop
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: Role
    ///   name: config-raeder # expect: RBAC032
    /// subjects:
    /// - kind: User
    ///   name: alice
    /// ```
    ///
    /// ## Remediation
    /// Delete roles and bindings that are no longer used, and fix the names of the ones that
    /// point at the wrong role or ServiceAccount.
    ///
    /// ## References
    /// - Kubernetes: RBAC good practices, periodic review
    /// - kubescape C-0307 Unused or stale RBAC objects
    pub static RULE = {
        id: "RBAC032",
        name: "stale-rbac",
        title: "Unused role or dangling binding",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Delete unused roles and bindings; fix names that point at missing roles or ServiceAccounts.",
        hook: Hook::Inventory(check),
    }
}

/// ClusterRoles every cluster has (besides `system:` and other `:` names).
const DEFAULT_CLUSTER_ROLES: &[&str] = &["cluster-admin", "admin", "edit", "view"];

fn reserved(name: &str) -> bool {
    name.contains(':')
}

/// The role a binding grants, as (kind, namespace, name); Roles live in the binding's namespace.
fn granted<'i>(fact: &'i Fact, b: &'i BindingFact) -> (&'i str, Option<&'i str>, &'i str) {
    let ns = if b.role_kind == "Role" {
        fact.object.namespace.as_deref()
    } else {
        None
    };
    (b.role_kind.as_str(), ns, b.role_name.as_str())
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    let mut roles: HashSet<(&str, Option<&str>, &str)> = HashSet::new();
    let mut role_namespaces: HashSet<Option<&str>> = HashSet::new();
    let mut bound: HashSet<(&str, Option<&str>, &str)> = HashSet::new();
    let mut binding_namespaces: HashSet<Option<&str>> = HashSet::new();
    let mut accounts: HashSet<(Option<&str>, &str)> = HashSet::new();
    let mut account_namespaces: HashSet<Option<&str>> = HashSet::new();
    for fact in &inventory.facts {
        let ns = fact.object.namespace.as_deref();
        let name = fact.object.name.as_deref().unwrap_or("");
        match &fact.kind {
            FactKind::Role(r) => {
                let ns = if r.cluster { None } else { ns };
                roles.insert((&fact.object.kind, ns, name));
                if !r.builtin && !reserved(name) {
                    role_namespaces.insert(ns);
                }
            }
            FactKind::Binding(b) => {
                bound.insert(granted(fact, b));
                binding_namespaces.insert(if b.cluster { None } else { ns });
            }
            FactKind::ServiceAccount { .. } => {
                accounts.insert((ns, name));
                account_namespaces.insert(ns);
            }
            _ => {}
        }
    }
    for fact in &inventory.facts {
        let ns = fact.object.namespace.as_deref();
        match &fact.kind {
            FactKind::Role(r) => {
                let name = fact.object.name.as_deref().unwrap_or("");
                if r.builtin || r.aggregated || reserved(name) {
                    continue;
                }
                // A ClusterRole can be granted by bindings of any namespace.
                let scanned = if r.cluster {
                    !binding_namespaces.is_empty()
                } else {
                    binding_namespaces.contains(&ns)
                };
                if !scanned {
                    continue;
                }
                ctx.applicable();
                let key = (
                    fact.object.kind.as_str(),
                    if r.cluster { None } else { ns },
                    name,
                );
                if !bound.contains(&key) {
                    ctx.report(
                        fact,
                        &fact.site,
                        format!(
                            "{} {name:?} is granted by no binding of the scanned set",
                            fact.object.kind
                        ),
                    );
                }
            }
            FactKind::Binding(b) if !b.builtin => {
                ctx.applicable();
                let (kind, role_ns, name) = granted(fact, b);
                let known_default = kind == "ClusterRole" && DEFAULT_CLUSTER_ROLES.contains(&name);
                let managed = if kind == "Role" {
                    role_namespaces.contains(&role_ns)
                } else {
                    role_namespaces.contains(&None)
                };
                if managed
                    && !known_default
                    && !reserved(name)
                    && !roles.contains(&(kind, role_ns, name))
                {
                    ctx.report(
                        fact,
                        &b.role_site,
                        format!(
                            "{} grants {kind} {name:?}, which is not in the scanned set",
                            fact.object.kind
                        ),
                    );
                }
                for s in b.subjects.iter().filter(|s| s.kind == "ServiceAccount") {
                    let sa_ns = s.namespace.as_deref().or(ns);
                    if s.name != "default"
                        && account_namespaces.contains(&sa_ns)
                        && !accounts.contains(&(sa_ns, s.name.as_str()))
                    {
                        ctx.report(
                            fact,
                            &s.site,
                            format!(
                                "{} grants its role to ServiceAccount {}/{}, which is not among the scanned ServiceAccounts of its namespace",
                                fact.object.kind,
                                sa_ns.unwrap_or(""),
                                s.name
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}
