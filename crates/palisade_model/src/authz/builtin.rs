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
                graph.add(&object, "", 0, None);
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
