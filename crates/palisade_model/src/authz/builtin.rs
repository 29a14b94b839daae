//! The RBAC objects every API server creates at start-up and keeps reconciled (its bootstrap
//! policy): `cluster-admin`, `admin`, `edit`, `view` and the roles they aggregate, the
//! `system:*` roles of components and controllers, and their bindings. Bindings in manifests
//! mostly reference these roles, so answering without them would say "no" where the cluster
//! says "yes".

use std::sync::OnceLock;

use super::{RbacGraph, RoleKind, scope_index};
use crate::rbac::{GrantScope, Power};

/// The Kubernetes version whose bootstrap policy is embedded.
pub const BOOTSTRAP_POLICY_VERSION: &str = "v1.35";

/// The policy as data, in the form the API server serves it (Roles, ClusterRoles and their
/// bindings).
const POLICY: &str = include_str!("../../data/bootstrap-rbac-v1.35.yaml");

/// The bootstrap policy, read and resolved once.
fn policy() -> &'static RbacGraph {
    static POLICY_GRAPH: OnceLock<RbacGraph> = OnceLock::new();
    POLICY_GRAPH.get_or_init(|| {
        let mut graph = RbacGraph::default();
        for doc in palisade_source::parse_stream(POLICY, &palisade_source::Limits::default())
            .iter()
            .flatten()
        {
            for object in crate::objects_in(doc).objects {
                graph.add(&object, &palisade_diagnostics::ArcStr::new(), 0, None);
            }
        }
        for role in &mut graph.roles {
            role.builtin = true;
            role.location = None;
        }
        for binding in &mut graph.bindings {
            binding.builtin = true;
            binding.location = None;
            binding.subject_locations.iter_mut().for_each(|l| *l = None);
        }
        graph.resolve();
        graph
    })
}

impl RbacGraph {
    /// Add the bootstrap policy's roles and bindings that the input does not define itself (a
    /// snapshot of a live cluster carries its own, possibly changed, copies). Call before
    /// [`RbacGraph::resolve`].
    pub fn add_builtin_policy(&mut self) {
        let builtin = policy();
        let roles: std::collections::HashSet<(RoleKind, Option<&str>, &str)> = self
            .roles
            .iter()
            .map(|r| (r.kind, r.namespace.as_deref(), r.name.as_str()))
            .collect();
        let missing_roles: Vec<_> = builtin
            .roles
            .iter()
            .filter(|r| !roles.contains(&(r.kind, r.namespace.as_deref(), r.name.as_str())))
            .cloned()
            .collect();
        let bindings: std::collections::HashSet<(bool, Option<&str>, &str)> = self
            .bindings
            .iter()
            .map(|b| (b.cluster, b.namespace.as_deref(), b.name.as_str()))
            .collect();
        let missing_bindings: Vec<_> = builtin
            .bindings
            .iter()
            .filter(|b| !bindings.contains(&(b.cluster, b.namespace.as_deref(), b.name.as_str())))
            .cloned()
            .collect();
        self.roles.extend(missing_roles);
        self.bindings.extend(missing_bindings);
    }
}

/// The powers a built-in role confers when bound with `scope` (empty for a role that is not
/// built in). Rules that see one binding at a time use it for bindings to `admin`, `edit`, ….
pub fn builtin_role_powers(
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    scope: GrantScope,
) -> Vec<Power> {
    let graph = policy();
    graph
        .roles
        .iter()
        .position(|r| {
            r.kind.as_str() == kind && r.namespace.as_deref() == namespace && r.name == name
        })
        .map(|i| {
            graph.role_powers[i][scope_index(scope == GrantScope::Cluster)]
                .iter()
                .map(|(p, _, _)| *p)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::{Identity, Request, Scope, Target};

    #[test]
    fn the_embedded_policy_loads_whole() {
        let docs = palisade_source::parse_stream(POLICY, &palisade_source::Limits::default());
        let errors: Vec<String> = docs
            .iter()
            .filter_map(|d| d.as_ref().err().map(|e| e.to_string()))
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let graph = policy();
        let count = |kind: RoleKind| graph.roles.iter().filter(|r| r.kind == kind).count();
        assert_eq!(count(RoleKind::ClusterRole), 68);
        assert_eq!(count(RoleKind::Role), 7);
        assert_eq!(graph.bindings.iter().filter(|b| b.cluster).count(), 49);
        assert_eq!(graph.bindings.iter().filter(|b| !b.cluster).count(), 7);
        assert!(
            graph
                .roles
                .iter()
                .all(|r| r.builtin && r.location.is_none())
        );
        assert!(
            graph.unresolved().next().is_none(),
            "every binding's role is in the policy"
        );
    }

    #[test]
    fn aggregated_roles_have_the_rules_of_what_they_aggregate() {
        let graph = policy();
        let can = |role: &str, verb: &str, group: &str, resource: &str| {
            let role = graph
                .roles
                .iter()
                .find(|r| r.kind == RoleKind::ClusterRole && r.name == role)
                .expect("built-in role");
            let request = Request {
                verb: verb.into(),
                scope: Scope::Namespace("x".into()),
                target: Target::Resource {
                    group: group.into(),
                    resource: resource.into(),
                    subresource: None,
                    name: None,
                },
            };
            role.rules.iter().any(|r| r.allows(&request))
        };
        assert!(can("view", "list", "", "pods"));
        assert!(
            !can("view", "get", "", "secrets"),
            "view does not read Secrets"
        );
        assert!(can("edit", "get", "", "secrets"));
        assert!(can("edit", "create", "apps", "deployments"));
        assert!(!can(
            "edit",
            "create",
            "rbac.authorization.k8s.io",
            "rolebindings"
        ));
        assert!(can(
            "admin",
            "create",
            "rbac.authorization.k8s.io",
            "rolebindings"
        ));
        assert!(
            can("admin", "create", "apps", "deployments"),
            "admin aggregates edit"
        );
        assert!(can("cluster-admin", "delete", "", "nodes"));
        // The powers rules see through bindings to built-in roles.
        assert!(
            builtin_role_powers("ClusterRole", None, "edit", GrantScope::Namespace)
                .contains(&Power::CreateWorkloads)
        );
        assert!(builtin_role_powers("ClusterRole", None, "view", GrantScope::Namespace).is_empty());
        assert_eq!(
            builtin_role_powers("ClusterRole", None, "cluster-admin", GrantScope::Cluster)[0],
            Power::Admin
        );
        let masters = Identity::user("root", &["system:masters".to_string()]);
        let mut g = RbacGraph::default();
        g.add_builtin_policy();
        g.resolve();
        let everything = Request {
            verb: "delete".into(),
            scope: Scope::Cluster,
            target: Target::NonResource("/logs".into()),
        };
        assert_eq!(g.authorize(&masters, &everything).len(), 1);
    }
}
