//! RBAC033 cluster-binding-for-namespaced.

use std::collections::HashMap;

use palisade_engine::prelude::*;
use palisade_model::inventory::RoleFact;

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoleBindings that grant a ClusterRole whose rules all name namespaced
    /// resources (pods, Secrets, Deployments, …) to ServiceAccounts outside the `kube-system`,
    /// `kube-public` and `kube-node-lease` namespaces. The role must be in the scan, or be one
    /// of the built-in `admin`, `edit` and `view`; roles with cluster-scoped or unknown
    /// resources, `nonResourceURLs` or wildcards are not judged.
    ///
    /// ## Why is this bad?
    /// Through a ClusterRoleBinding the permissions apply in every namespace, present and
    /// future, `kube-system` included. An application that works in a few namespaces needs
    /// RoleBindings there: a compromise of its ServiceAccount then stays in those namespaces.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ci-deployer
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: edit
    /// subjects:
    /// - kind: ServiceAccount # expect: RBAC033
    ///   name: deployer
    ///   namespace: ci
    /// ```
    ///
    /// ## Remediation
    /// Replace the ClusterRoleBinding with RoleBindings (to the same ClusterRole) in the
    /// namespaces the ServiceAccount works in.
    ///
    /// ## References
    /// - Kubernetes: Using RBAC authorization, RoleBinding and ClusterRoleBinding
    /// - Kubernetes: RBAC good practices, least privilege
    pub static RULE = {
        id: "RBAC033",
        name: "cluster-binding-for-namespaced",
        title: "ClusterRoleBinding where RoleBindings would do",
        severity: Low,
        layer: Cluster,
        frameworks: [],
        remediation: "Grant the ClusterRole with RoleBindings in the namespaces the ServiceAccount needs.",
        hook: Hook::Inventory(check),
    }
}

use crate::SYSTEM_NAMESPACES;

fn check(inventory: &Inventory, ctx: &mut InventoryCtx<'_>) {
    let cluster_roles: HashMap<&str, &RoleFact> = inventory
        .facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::Role(r) if r.cluster => Some((f.object.name.as_deref()?, r)),
            _ => None,
        })
        .collect();
    for fact in &inventory.facts {
        let FactKind::Binding(b) = &fact.kind else {
            continue;
        };
        if !b.cluster || b.builtin || b.role_kind != "ClusterRole" {
            continue;
        }
        ctx.applicable();
        let namespaced = match cluster_roles.get(b.role_name.as_str()) {
            Some(r) => r.namespaced_only,
            None => matches!(b.role_name.as_str(), "admin" | "edit" | "view"),
        };
        if !namespaced {
            continue;
        }
        for s in &b.subjects {
            let Some(ns) = s.namespace.as_deref() else {
                continue;
            };
            if s.kind == "ServiceAccount" && !SYSTEM_NAMESPACES.contains(&ns) {
                ctx.report(
                    fact,
                    &s.site,
                    format!(
                        "ClusterRoleBinding grants ClusterRole {:?}, which covers only namespaced resources, to ServiceAccount {ns}/{} in every namespace; RoleBindings would do",
                        b.role_name, s.name
                    ),
                );
            }
        }
    }
}
