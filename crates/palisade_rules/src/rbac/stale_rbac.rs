//! RBAC032 stale-rbac.

use std::collections::HashSet;

use palisade_engine::prelude::*;
use palisade_model::inventory::{BindingFact, RoleFact};
use palisade_model::labels::LabelSelector;

declare_rule! {
    /// ## What it does
    /// Flags RBAC objects of the scanned set that refer to nothing or that nothing refers to:
    /// - a Role or ClusterRole that no binding of the scan grants, when the scan holds
    ///   bindings (in the Role's namespace, for a Role). Built-in roles, `system:` roles,
    ///   aggregating ClusterRoles (with an `aggregationRule`, bound by people as needed) and
    ///   ClusterRoles they aggregate (selected by an aggregation rule of the scan, or labelled
    ///   `…aggregate-to-…`) are left out;
    /// - a binding whose Role or ClusterRole is not in the scan, when the scan holds roles of
    ///   that kind (in the binding's namespace, for a Role). Roles that exist in every cluster
    ///   (`cluster-admin`, `admin`, `edit`, `view`, `extension-apiserver-authentication-reader`)
    ///   and names with a `:` (reserved for the API server and distributions: `system:…`,
    ///   `kubeadm:…`) are never missing;
    /// - a ServiceAccount subject that is not in the scan, when the scan holds ServiceAccounts
    ///   of its namespace (the `default` ServiceAccount always exists);
    /// - a ServiceAccount of the scan that a binding of the scan grants a role, while no
    ///   workload of the scan runs as it, when the scan holds workloads of its namespace and
    ///   no custom resource there (an operator may run pods as it).
    ///
    /// Objects without a namespace are judged in the namespace they are applied to
    /// (`default`, or `scan --namespace`).
    /// Roles that a controller binds at run time (Knative brokers, user-facing editor and
    /// viewer roles) are reported as unbound: suppress them with the reason.
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

/// Roles the API server creates in `kube-system` without a `:` in their name.
const DEFAULT_ROLES: &[&str] = &["extension-apiserver-authentication-reader"];

fn reserved(name: &str) -> bool {
    name.contains(':')
}

/// A role as (kind, namespace, name): ClusterRoles have no namespace; a Role without one
/// gets it when applied.
type RoleKey<'i> = (&'i str, Option<&'i str>, &'i str);

/// The role a binding grants; Roles live in the binding's namespace.
fn granted<'i>(fact: &'i Fact, b: &'i BindingFact) -> RoleKey<'i> {
    let ns = if b.role_kind == "Role" {
        fact.object.namespace.as_deref()
    } else {
        None
    };
    (b.role_kind.as_str(), ns, b.role_name.as_str())
}

/// Whether a ClusterRole grants through others that aggregate it: an aggregation rule of the
/// scan selects its labels, or it carries an `aggregate-to-…` label (for the built-in
/// `admin`, `edit` and `view`, or aggregating roles outside the scan).
fn aggregated(role: &RoleFact, selectors: &[&LabelSelector]) -> bool {
    role.labels.keys().any(|k| k.contains("aggregate-to-"))
        || selectors.iter().any(|s| s.matches(&role.labels))
}

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    let mut roles: HashSet<RoleKey<'_>> = HashSet::new();
    let mut managed_roles: HashSet<(&str, Option<&str>)> = HashSet::new();
    let mut bound: HashSet<RoleKey<'_>> = HashSet::new();
    let mut binding_namespaces: HashSet<Option<&str>> = HashSet::new();
    let mut accounts: HashSet<(Option<&str>, &str)> = HashSet::new();
    let mut account_namespaces: HashSet<&str> = HashSet::new();
    let mut selectors: Vec<&LabelSelector> = Vec::new();
    // ServiceAccounts pods run as, namespaces with workloads, namespaces with custom resources
    // and ServiceAccounts bindings grant to.
    let mut running: HashSet<(Option<&str>, &str)> = HashSet::new();
    let mut workload_namespaces: HashSet<Option<&str>> = HashSet::new();
    let mut custom_namespaces: HashSet<Option<&str>> = HashSet::new();
    let mut granted_accounts: HashSet<(Option<&str>, &str)> = HashSet::new();
    for fact in &inventory.facts {
        let ns = fact.object.namespace.as_deref();
        let name = fact.object.name.as_deref().unwrap_or("");
        match &fact.kind {
            FactKind::Role(r) => {
                let key = (
                    fact.object.kind.as_str(),
                    if r.cluster { None } else { ns },
                    name,
                );
                roles.insert(key);
                if !r.builtin && !reserved(name) {
                    managed_roles.insert((key.0, key.1));
                }
                selectors.extend(r.aggregation.iter().flatten());
            }
            FactKind::Binding(b) => {
                bound.insert(granted(fact, b));
                binding_namespaces.insert(if b.cluster { None } else { ns });
                for s in b.subjects.iter().filter(|s| s.kind == "ServiceAccount") {
                    granted_accounts.insert((s.namespace.as_deref().or(ns), s.name.as_str()));
                }
            }
            FactKind::Workload(w) => {
                running.insert((ns, w.service_account.as_str()));
                workload_namespaces.insert(ns);
            }
            FactKind::Other { custom: true, .. } => {
                custom_namespaces.insert(ns);
            }
            FactKind::ServiceAccount { .. } => {
                accounts.insert((ns, name));
                account_namespaces.extend(ns);
            }
            _ => {}
        }
    }
    let role_exists = |(kind, ns, name): RoleKey<'_>| {
        roles.contains(&(kind, ns, name)) || (kind == "Role" && roles.contains(&(kind, None, name)))
    };
    let role_bound = |(kind, ns, name): RoleKey<'_>| {
        bound.contains(&(kind, ns, name))
            || (kind == "Role" && bound.contains(&(kind, None, name)))
            || (ns.is_none() && bound.iter().any(|(k, _, n)| *k == kind && *n == name))
    };
    for fact in &inventory.facts {
        let ns = fact.object.namespace.as_deref();
        match &fact.kind {
            FactKind::Role(r) => {
                let name = fact.object.name.as_deref().unwrap_or("");
                if r.builtin
                    || reserved(name)
                    || r.aggregation.is_some()
                    || aggregated(r, &selectors)
                {
                    continue;
                }
                // A ClusterRole can be granted by bindings of any namespace; a Role without a
                // namespace by bindings of the one it is applied to.
                let scanned = if r.cluster || ns.is_none() {
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
                if !role_bound(key) {
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
            FactKind::Binding(b) if !b.builtin && !b.role_name.is_empty() => {
                ctx.applicable();
                let key @ (kind, role_ns, name) = granted(fact, b);
                let default = match kind {
                    "ClusterRole" => DEFAULT_CLUSTER_ROLES.contains(&name),
                    _ => role_ns == Some("kube-system") && DEFAULT_ROLES.contains(&name),
                };
                let managed = (kind == "ClusterRole" || role_ns.is_some())
                    && managed_roles.contains(&(kind, role_ns));
                if managed && !default && !reserved(name) && !role_exists(key) {
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
                    let Some(sa_ns) = s.namespace.as_deref().or(ns) else {
                        continue;
                    };
                    let name = s.name.as_str();
                    if name != "default"
                        && account_namespaces.contains(sa_ns)
                        && !accounts.contains(&(Some(sa_ns), name))
                        && !accounts.contains(&(None, name))
                    {
                        ctx.report(
                            fact,
                            &s.site,
                            format!(
                                "{} grants its role to ServiceAccount {sa_ns}/{name}, which is not among the scanned ServiceAccounts of its namespace",
                                fact.object.kind
                            ),
                        );
                    }
                }
            }
            FactKind::ServiceAccount { .. }
                if workload_namespaces.contains(&ns) && !custom_namespaces.contains(&ns) =>
            {
                let name = fact.object.name.as_deref().unwrap_or("");
                ctx.applicable();
                if granted_accounts.contains(&(ns, name)) && !running.contains(&(ns, name)) {
                    ctx.report(
                        fact,
                        &fact.site,
                        format!(
                            "ServiceAccount {}/{name} holds grants but no workload of the scanned set runs as it",
                            ns.unwrap_or("(no namespace)")
                        ),
                    );
                }
            }
            _ => {}
        }
    }
}
