//! Least-privilege RBAC as manifests: the Roles and ClusterRoles that allow exactly a set of
//! requests, each with the binding that grants it to the subject, as typed values that the
//! caller serialises (YAML, JSON) with serde.

use serde::Serialize;

use super::{Request, Rule, Scope, SubjectKind, SubjectRef, least_privilege};

const RBAC_API: &str = "rbac.authorization.k8s.io/v1";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// `metadata` of a generated object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Metadata {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (Roles and RoleBindings).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A Role or ClusterRole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleManifest {
    /// `rbac.authorization.k8s.io/v1`.
    pub api_version: &'static str,
    /// `Role` or `ClusterRole`.
    pub kind: &'static str,
    /// Name and namespace.
    pub metadata: Metadata,
    /// What it allows.
    pub rules: Vec<Rule>,
}

/// `roleRef` of a binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    /// `rbac.authorization.k8s.io`.
    pub api_group: &'static str,
    /// `Role` or `ClusterRole`.
    pub kind: &'static str,
    /// The role's name.
    pub name: String,
}

/// One subject of a binding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// `rbac.authorization.k8s.io` for users and groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_group: Option<&'static str>,
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: &'static str,
    /// The name.
    pub name: String,
    /// The ServiceAccount's namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingManifest {
    /// `rbac.authorization.k8s.io/v1`.
    pub api_version: &'static str,
    /// `RoleBinding` or `ClusterRoleBinding`.
    pub kind: &'static str,
    /// Name and namespace.
    pub metadata: Metadata,
    /// The role it grants.
    pub role_ref: RoleRef,
    /// Who gets it.
    pub subjects: Vec<Subject>,
}

/// One generated role and the binding that grants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The Role or ClusterRole.
    pub role: RoleManifest,
    /// Its binding to the subject.
    pub binding: BindingManifest,
}

impl From<&SubjectRef> for Subject {
    fn from(s: &SubjectRef) -> Self {
        let service_account = s.kind == SubjectKind::ServiceAccount;
        Subject {
            api_group: (!service_account).then_some(RBAC_GROUP),
            kind: s.kind.as_str(),
            name: s.name.clone(),
            namespace: s.namespace.clone().filter(|_| service_account),
        }
    }
}

/// The roles (one per namespace, one cluster-wide) that allow exactly `requests`, all named
/// `name`, each bound to `subject`.
pub fn least_privilege_grants(
    subject: &SubjectRef,
    name: &str,
    requests: &[Request],
) -> Vec<Grant> {
    least_privilege(requests)
        .into_iter()
        .map(|(scope, rules)| {
            let (role, binding, namespace) = match scope {
                Scope::Namespace(ns) => ("Role", "RoleBinding", Some(ns)),
                _ => ("ClusterRole", "ClusterRoleBinding", None),
            };
            let metadata = Metadata {
                name: name.to_string(),
                namespace,
            };
            Grant {
                role: RoleManifest {
                    api_version: RBAC_API,
                    kind: role,
                    metadata: metadata.clone(),
                    rules,
                },
                binding: BindingManifest {
                    api_version: RBAC_API,
                    kind: binding,
                    metadata,
                    role_ref: RoleRef {
                        api_group: RBAC_GROUP,
                        kind: role,
                        name: name.to_string(),
                    },
                    subjects: vec![Subject::from(subject)],
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::Target;

    fn request(verb: &str, namespace: Option<&str>, resource: &str, name: Option<&str>) -> Request {
        Request {
            verb: verb.into(),
            scope: match namespace {
                Some(ns) => Scope::Namespace(ns.into()),
                None => Scope::Cluster,
            },
            target: Target::Resource {
                group: String::new(),
                resource: resource.into(),
                subresource: None,
                name: name.map(str::to_string),
            },
        }
    }

    #[test]
    fn a_role_per_scope_each_bound_to_the_subject() {
        let sa = SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: "deployer".into(),
            namespace: Some("ci".into()),
        };
        let grants = least_privilege_grants(
            &sa,
            "palisade-deployer",
            &[
                request("get", Some("prod"), "secrets", Some("db")),
                request("list", None, "nodes", None),
            ],
        );
        assert_eq!(grants.len(), 2);
        let json: Vec<serde_json::Value> = grants
            .iter()
            .flat_map(|g| {
                [
                    serde_json::to_value(&g.role).unwrap(),
                    serde_json::to_value(&g.binding).unwrap(),
                ]
            })
            .collect();
        let role = json.iter().find(|v| v["kind"] == "Role").unwrap();
        assert_eq!(
            role,
            &serde_json::json!({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "Role",
                "metadata": {"name": "palisade-deployer", "namespace": "prod"},
                "rules": [{"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"], "verbs": ["get"]}]
            })
        );
        let binding = json
            .iter()
            .find(|v| v["kind"] == "ClusterRoleBinding")
            .unwrap();
        assert_eq!(
            binding["subjects"],
            serde_json::json!([{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}])
        );
        assert_eq!(binding["roleRef"]["kind"], "ClusterRole");
        assert!(binding["metadata"].get("namespace").is_none());
    }

    #[test]
    fn users_are_subjects_of_the_rbac_group_and_urls_have_no_groups() {
        let user = SubjectRef {
            kind: SubjectKind::User,
            name: "system:alice".into(),
            namespace: None,
        };
        let url = Request {
            verb: "get".into(),
            scope: Scope::Cluster,
            target: Target::NonResource("/healthz".into()),
        };
        let grants = least_privilege_grants(&user, "r", &[url]);
        let role = serde_json::to_value(&grants[0].role).unwrap();
        assert_eq!(
            role["rules"],
            serde_json::json!([{"nonResourceURLs": ["/healthz"], "verbs": ["get"]}])
        );
        let binding = serde_json::to_value(&grants[0].binding).unwrap();
        assert_eq!(
            binding["subjects"],
            serde_json::json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:alice"}])
        );
    }
}
