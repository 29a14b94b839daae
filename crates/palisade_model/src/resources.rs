//! Which API resources are namespaced and which are cluster-scoped, as the API server serves
//! them.
//!
//! Scope decides what RBAC can grant: a RoleBinding grants only namespaced resources (in its
//! namespace), even when it references a ClusterRole, and cluster-scoped resources are granted
//! only through ClusterRoleBindings. The built-in table is generated from k8s-openapi's resource
//! metadata for the supported Kubernetes version (see `builtin.rs`); CustomResourceDefinitions
//! in the input add their own `spec.scope`.

use std::collections::BTreeMap;

use crate::object::Object;

mod builtin;

/// The Kubernetes version the built-in table describes.
pub const KUBERNETES_VERSION: &str = builtin::KUBERNETES_VERSION;

/// Namespaced or cluster-scoped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceScope {
    /// Objects live in a namespace (`/namespaces/NS/RESOURCE/NAME`).
    Namespaced,
    /// Objects are cluster-wide (`/RESOURCE/NAME`).
    Cluster,
}

impl ResourceScope {
    fn of(namespaced: bool) -> Self {
        if namespaced {
            ResourceScope::Namespaced
        } else {
            ResourceScope::Cluster
        }
    }
}

/// Resources the authorizer checks that are not API objects: the targets of the `impersonate`
/// verb and of `approve` on signers. They have no URL of their own, so no OpenAPI schema lists
/// them (`k8s.io/apiserver/pkg/endpoints/filters/impersonation.go`,
/// `pkg/registry/certificates/certificates/strategy.go`). All are cluster-scoped.
const AUTHORIZATION_ONLY: [(&str, &str); 5] = [
    ("", "users"),
    ("", "groups"),
    ("authentication.k8s.io", "userextras"),
    ("authentication.k8s.io", "uids"),
    ("certificates.k8s.io", "signers"),
];

/// The scope of a built-in resource (`resource` may carry a `/subresource`, which shares the
/// resource's scope). `None` when the group has no such resource.
pub fn builtin_scope(group: &str, resource: &str) -> Option<ResourceScope> {
    let resource = base(resource);
    if let Ok(i) = builtin::RESOURCES.binary_search_by(|r| (r.0, r.1).cmp(&(group, resource))) {
        return Some(ResourceScope::of(builtin::RESOURCES[i].3));
    }
    AUTHORIZATION_ONLY
        .contains(&(group, resource))
        .then_some(ResourceScope::Cluster)
}

/// The scope of a built-in kind (`Pod`, `ClusterRole`) of an API group; `None` for kinds the
/// table does not know (custom resources).
pub fn builtin_kind_scope(group: &str, kind: &str) -> Option<ResourceScope> {
    builtin::RESOURCES
        .iter()
        .find(|r| r.0 == group && r.2 == kind)
        .map(|r| ResourceScope::of(r.3))
}

/// The resource (plural) name of a built-in kind of an API group (`pods` for `Pod`); `None`
/// for kinds the table does not know. Subresources that share a kind are never returned.
pub fn builtin_resource_of_kind(group: &str, kind: &str) -> Option<&'static str> {
    builtin::RESOURCES
        .iter()
        .find(|r| r.0 == group && r.2 == kind && !r.1.contains('/'))
        .map(|r| r.1)
}

/// The API group of an `apiVersion` (`""` for `v1`).
pub fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn base(resource: &str) -> &str {
    resource.split_once('/').map_or(resource, |(r, _)| r)
}

/// The built-in table plus the CustomResourceDefinitions of an input.
#[derive(Debug, Clone, Default)]
pub struct ResourceTable {
    /// (group, plural) of each CRD, with its scope and kind.
    custom: BTreeMap<(String, String), (ResourceScope, String)>,
}

fn text<'d>(node: Option<palisade_source::NodeRef<'d, '_>>) -> Option<&'d str> {
    node.and_then(|n| n.as_str())
}

impl ResourceTable {
    /// Record a CustomResourceDefinition's group, plural name and `spec.scope`.
    pub fn add(&mut self, object: &Object<'_, '_>) {
        if object.kind != "CustomResourceDefinition"
            || group_of(&object.api_version) != "apiextensions.k8s.io"
        {
            return;
        }
        let Some(spec) = object.root.get("spec") else {
            return;
        };
        let (Some(group), Some(plural)) = (
            text(spec.get("group")),
            text(spec.path(&["names", "plural"])),
        ) else {
            return;
        };
        let scope = match text(spec.get("scope")) {
            Some("Cluster") => ResourceScope::Cluster,
            _ => ResourceScope::Namespaced,
        };
        let kind = text(spec.path(&["names", "kind"])).unwrap_or_default();
        self.custom.insert(
            (group.to_string(), plural.to_string()),
            (scope, kind.to_string()),
        );
    }

    /// Whether no CustomResourceDefinition was recorded.
    pub fn is_empty(&self) -> bool {
        self.custom.is_empty()
    }

    /// Add the definitions another table collected.
    pub fn merge(&mut self, other: ResourceTable) {
        self.custom.extend(other.custom);
    }

    /// The scope of `group`/`resource` (a `/subresource` suffix is ignored): built in, or from
    /// a CRD of the input. `None` when neither knows it.
    pub fn scope(&self, group: &str, resource: &str) -> Option<ResourceScope> {
        builtin_scope(group, resource).or_else(|| {
            self.custom
                .get(&(group.to_string(), base(resource).to_string()))
                .map(|(s, _)| *s)
        })
    }

    /// The scope of a kind of an API group: built in, or from a CRD of the input.
    pub fn kind_scope(&self, group: &str, kind: &str) -> Option<ResourceScope> {
        builtin_kind_scope(group, kind).or_else(|| {
            self.custom
                .iter()
                .find(|((g, _), (_, k))| g == group && k == kind)
                .map(|(_, (s, _))| *s)
        })
    }

    /// The API groups that serve a resource name, the core group first: how a resource
    /// written without its group (`deployments`) is resolved, as kubectl resolves it.
    pub fn groups_of(&self, resource: &str) -> Vec<String> {
        let resource = base(resource);
        let mut groups: Vec<String> = builtin::RESOURCES
            .iter()
            .filter(|r| r.1 == resource)
            .map(|r| r.0.to_string())
            .chain(
                AUTHORIZATION_ONLY
                    .iter()
                    .filter(|r| r.1 == resource)
                    .map(|r| r.0.to_string()),
            )
            .chain(
                self.custom
                    .keys()
                    .filter(|(_, r)| r == resource)
                    .map(|(g, _)| g.clone()),
            )
            .collect();
        groups.sort_by_key(|g| (!g.is_empty(), g.clone()));
        groups.dedup();
        groups
    }
}

#[cfg(test)]
mod tests;

/// The namespace an object of `kind` lands in, as `kubectl apply` places it: its own, else
/// `default` for a namespaced kind (and a kind the table does not know, as custom resources
/// mostly are), none for a cluster-scoped one. What identifies an object across front doors.
pub fn placed_namespace<'a>(
    api_version: &str,
    kind: &str,
    namespace: Option<&'a str>,
    default: &'a str,
) -> &'a str {
    match builtin_kind_scope(group_of(api_version), kind) {
        Some(ResourceScope::Cluster) => "",
        _ => namespace.unwrap_or(default),
    }
}

#[cfg(test)]
mod placement_tests {
    use super::*;

    #[test]
    fn objects_land_where_kubectl_puts_them() {
        assert_eq!(
            placed_namespace("apps/v1", "Deployment", None, "default"),
            "default"
        );
        assert_eq!(
            placed_namespace("apps/v1", "Deployment", Some("shop"), "default"),
            "shop"
        );
        assert_eq!(
            placed_namespace(
                "rbac.authorization.k8s.io/v1",
                "ClusterRole",
                Some("x"),
                "default"
            ),
            ""
        );
        assert_eq!(
            placed_namespace("example.com/v1", "Widget", None, "prod"),
            "prod"
        );
    }
}
