//! RBAC policy rules, matched the way the Kubernetes RBAC authorizer matches them.

use palisade_source::NodeRef;

/// One entry of a Role's or ClusterRole's `rules`.
#[derive(Debug, Clone, Default)]
pub struct PolicyRule<'d> {
    /// `verbs`.
    pub verbs: Vec<&'d str>,
    /// `apiGroups` (`""` is the core group).
    pub api_groups: Vec<&'d str>,
    /// `resources`, possibly `resource/subresource`, `*` or `*/subresource`.
    pub resources: Vec<&'d str>,
    /// `resourceNames`; empty means every name.
    pub resource_names: Vec<&'d str>,
    /// `nonResourceURLs`.
    pub non_resource_urls: Vec<&'d str>,
}

fn strings<'d>(node: Option<NodeRef<'d, '_>>) -> Vec<&'d str> {
    node.map(|n| n.items().filter_map(|i| i.as_str()).collect())
        .unwrap_or_default()
}

impl<'d> PolicyRule<'d> {
    /// Read a rule mapping.
    pub fn from_node(node: NodeRef<'d, '_>) -> Self {
        PolicyRule {
            verbs: strings(node.get("verbs")),
            api_groups: strings(node.get("apiGroups")),
            resources: strings(node.get("resources")),
            resource_names: strings(node.get("resourceNames")),
            non_resource_urls: strings(node.get("nonResourceURLs")),
        }
    }

    /// The rules of a Role or ClusterRole object, with their index.
    pub fn of_role(role: NodeRef<'d, '_>) -> Vec<(usize, PolicyRule<'d>)> {
        role.get("rules")
            .map(|rules| {
                rules
                    .items()
                    .enumerate()
                    .map(|(i, r)| (i, PolicyRule::from_node(r)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether the rule grants `verb`.
    pub fn has_verb(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| *v == "*" || *v == verb)
    }

    /// Whether the rule covers the API group.
    pub fn has_group(&self, group: &str) -> bool {
        self.api_groups.iter().any(|g| *g == "*" || *g == group)
    }

    /// Whether the rule covers `resource` (or `resource/subresource`), as the authorizer's
    /// `ResourceMatches`: `*`, an exact match, or `*/subresource`.
    pub fn has_resource(&self, resource: &str) -> bool {
        let subresource = resource.split_once('/').map(|(_, s)| s);
        self.resources.iter().any(|r| {
            *r == "*"
                || *r == resource
                || subresource.is_some_and(|s| r.strip_prefix("*/") == Some(s))
        })
    }

    /// Whether the rule covers `resource` or any of its subresources (`userextras/scopes` for
    /// `userextras`).
    pub fn has_resource_or_subresource(&self, resource: &str) -> bool {
        self.resources.iter().any(|r| {
            *r == "*"
                || *r == resource
                || r.starts_with("*/")
                || r.strip_prefix(resource)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// Whether the rule grants `verb` on `group`/`resource` for every object name (rules
    /// restricted by `resourceNames` do not).
    pub fn allows(&self, verb: &str, group: &str, resource: &str) -> bool {
        self.resource_names.is_empty()
            && self.has_verb(verb)
            && self.has_group(group)
            && self.has_resource(resource)
    }

    /// Whether the rule grants `verb` on `group`/`resource` for at least the object `name`.
    pub fn allows_name(&self, verb: &str, group: &str, resource: &str, name: &str) -> bool {
        (self.resource_names.is_empty() || self.resource_names.contains(&name))
            && self.has_verb(verb)
            && self.has_group(group)
            && self.has_resource(resource)
    }
}

/// A subject of a RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'d> {
    /// Index in `subjects`.
    pub index: usize,
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: &'d str,
    /// The name.
    pub name: &'d str,
    /// The namespace (ServiceAccounts).
    pub namespace: Option<&'d str>,
}

impl<'d> Subject<'d> {
    /// The subjects of a binding object.
    pub fn of_binding(binding: NodeRef<'d, '_>) -> Vec<Subject<'d>> {
        let Some(subjects) = binding.get("subjects") else {
            return Vec::new();
        };
        subjects
            .items()
            .enumerate()
            .map(|(index, s)| Subject {
                index,
                kind: s.get("kind").and_then(|k| k.as_str()).unwrap_or(""),
                name: s.get("name").and_then(|k| k.as_str()).unwrap_or(""),
                namespace: s.get("namespace").and_then(|k| k.as_str()),
            })
            .collect()
    }

    /// `Kind name` (`ServiceAccount ns/name` for service accounts), for messages.
    pub fn describe(&self) -> String {
        match (self.kind, self.namespace) {
            ("ServiceAccount", Some(ns)) => format!("ServiceAccount {ns}/{}", self.name),
            (kind, _) => format!("{kind} {}", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_source::{Limits, parse_stream};

    fn rule(text: &str) -> bool {
        let docs = parse_stream(text, &Limits::default());
        let node = docs[0].as_ref().unwrap().root().unwrap();
        let r = PolicyRule::from_node(node);
        r.allows("create", "", "pods/exec")
    }

    #[test]
    fn signing_takes_the_api_client_signer_or_its_domain_wildcard() {
        let signs = |names: &str| {
            let text = format!(
                "rules:\n- {{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests, certificatesigningrequests/approval], verbs: [create, update]}}\n- {{apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]{names}}}\n"
            );
            let docs = parse_stream(&text, &Limits::default());
            let rules = PolicyRule::of_role(docs[0].as_ref().unwrap().root().unwrap());
            approves_csrs(rules.iter().map(|(i, r)| (*i, r)))
        };
        assert_eq!(signs(""), Some(1));
        assert_eq!(signs(", resourceNames: [kubernetes.io/*]"), Some(1));
        assert_eq!(
            signs(", resourceNames: [kubernetes.io/kube-apiserver-client]"),
            Some(1)
        );
        assert_eq!(
            signs(", resourceNames: [kubernetes.io/kube-apiserver-client-kubelet]"),
            None,
            "kubelet client certificates are limited to system:nodes"
        );
        assert_eq!(signs(", resourceNames: [example.com/*]"), None);
    }

    #[test]
    fn matches_like_the_authorizer() {
        assert!(rule(
            "verbs: [create]\napiGroups: ['']\nresources: [pods/exec]\n"
        ));
        assert!(rule("verbs: ['*']\napiGroups: ['*']\nresources: ['*']\n"));
        assert!(rule(
            "verbs: [create]\napiGroups: ['']\nresources: ['*/exec']\n"
        ));
        assert!(
            !rule("verbs: [create]\napiGroups: ['']\nresources: [pods]\n"),
            "pods does not cover pods/exec"
        );
        assert!(
            !rule("verbs: [create]\napiGroups: ['']\nresources: ['pods/*']\n"),
            "pods/* is not a wildcard"
        );
        assert!(!rule(
            "verbs: [create]\napiGroups: [apps]\nresources: [pods/exec]\n"
        ));
        assert!(!rule(
            "verbs: [get]\napiGroups: ['']\nresources: [pods/exec]\n"
        ));
        assert!(!rule(
            "verbs: [create]\napiGroups: ['']\nresources: [pods/exec]\nresourceNames: [one]\n"
        ));
    }
}

/// A dangerous permission: any of `verbs` on any of `resources` in `group`. A resource written
/// `name/*` stands for every subresource of `name`.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    /// Verbs, any of which grants the power.
    pub verbs: &'static [&'static str],
    /// The API group.
    pub group: &'static str,
    /// Resources, any of which grants the power.
    pub resources: &'static [&'static str],
}

/// What an RBAC permission lets its holder do that matters for security. The one place that
/// says which verbs on which resources grant which power; rules and the RBAC analysis use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Power {
    /// Every verb on every resource (of every group, or of the core group).
    Admin,
    /// Read Secret values.
    ReadSecrets,
    /// Create pods or workload controllers.
    CreateWorkloads,
    /// Bind roles the holder does not have.
    Bind,
    /// Add permissions to roles.
    Escalate,
    /// Act as other identities.
    Impersonate,
    /// Create PersistentVolumes (hostPath).
    CreatePersistentVolumes,
    /// Reach the kubelet API.
    NodesProxy,
    /// Change admission webhooks.
    Webhooks,
    /// Mint ServiceAccount tokens.
    TokenRequest,
    /// Exec into or attach to containers.
    Exec,
    /// Add ephemeral containers to running pods.
    EphemeralContainers,
    /// Relabel namespaces.
    ModifyNamespaces,
    /// Forward ports into pods.
    PortForward,
    /// Rewrite pod status (hijack Service selection).
    ModifyPodStatus,
    /// Rewrite Service status (CVE-2020-8554 load-balancer IPs).
    ModifyServiceStatus,
    /// Delete Events (cover tracks).
    DeleteEvents,
    /// Delete workloads, Secrets and volumes.
    DeleteResources,
    /// Change nodes or their status (cordon, relabel).
    ModifyNodes,
    /// Remove pods from their nodes (delete or evict).
    EvictPods,
    /// Create, approve and sign certificate requests: client certificates for any identity.
    /// It takes three grants together, so [`Power::grants`] is empty: see [`approves_csrs`].
    ApproveCsr,
}

/// How a role's rules take effect: through a ClusterRoleBinding, everywhere; or through a
/// RoleBinding (every Role is bound so), in its namespace only, where the authorizer sees no
/// cluster-scoped resource and no non-resource URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GrantScope {
    /// A ClusterRoleBinding.
    Cluster,
    /// A RoleBinding.
    Namespace,
}

impl GrantScope {
    /// How a Role (`Namespace`) or a ClusterRole (`Cluster`: it may be bound either way, the
    /// wider one counts) takes effect.
    pub fn of_role_kind(kind: &str) -> GrantScope {
        if kind == "Role" {
            GrantScope::Namespace
        } else {
            GrantScope::Cluster
        }
    }

    /// Whether `verb` on `group`/`resource` (subresources included) can take effect. Through
    /// a RoleBinding, the authorizer sees cluster-scoped resources without a namespace, with
    /// two exceptions the API server builds into its request attributes: a request on one
    /// Namespace object (`get`, `update`, `patch` or `delete` of `namespaces/NAME`, whose URL
    /// names it) carries the namespace NAME, and the `bind` check for a RoleBinding's
    /// ClusterRole carries the binding's namespace. Resources the table does not know (custom
    /// resources) may be namespaced.
    pub fn can_grant(self, verb: &str, group: &str, resource: &str) -> bool {
        self == GrantScope::Cluster
            || in_own_namespace(verb, group, resource)
            || crate::resources::builtin_scope(group, resource)
                != Some(crate::resources::ResourceScope::Cluster)
    }
}

/// Verbs whose request URL names one Namespace object (`/api/v1/namespaces/NAME`), so that the
/// request carries that namespace; `list`, `watch`, `create` and `deletecollection` address
/// the collection and carry none.
pub const NAMESPACE_OBJECT_VERBS: [&str; 4] = ["get", "update", "patch", "delete"];

/// Whether a request for `verb` on a cluster-scoped `group`/`resource` carries a namespace
/// all the same: one Namespace object (through its own namespace), or `bind` on a
/// ClusterRole (checked in the namespace of the RoleBinding being created).
pub fn in_own_namespace(verb: &str, group: &str, resource: &str) -> bool {
    let base = resource.split('/').next().unwrap_or(resource);
    (group.is_empty() && base == "namespaces" && NAMESPACE_OBJECT_VERBS.contains(&verb))
        || (group == "rbac.authorization.k8s.io" && resource == "clusterroles" && verb == "bind")
}

/// The API group of certificate signing requests.
const CERTIFICATES: &str = "certificates.k8s.io";

/// The signer whose certificates authenticate to the API server as any user and group, and
/// the domain wildcard the CertificateApproval admission plugin also accepts for it.
const API_CLIENT_SIGNERS: [&str; 2] = ["kubernetes.io/kube-apiserver-client", "kubernetes.io/*"];

/// Whether `rules` together let their holder create certificate signing requests, approve
/// them (`certificatesigningrequests/approval`) and sign for the API client signer (`approve`
/// on `signers`, for every name or for one of [`API_CLIENT_SIGNERS`]): a client certificate
/// for any identity, `system:masters` included. Returns the index of the rule that grants
/// `approve` on signers.
pub fn approves_csrs<'r, 'd: 'r>(
    rules: impl Iterator<Item = (usize, &'r PolicyRule<'d>)> + Clone,
) -> Option<usize> {
    let any = |f: &dyn Fn(&PolicyRule<'_>) -> bool| rules.clone().any(|(_, r)| f(r));
    let create = any(&|r| r.allows("create", CERTIFICATES, "certificatesigningrequests"));
    let approval = any(&|r| approves_csr_requests(r).is_some());
    let sign = rules
        .clone()
        .find(|(_, r)| {
            API_CLIENT_SIGNERS
                .iter()
                .any(|name| r.allows_name("approve", CERTIFICATES, "signers", name))
        })
        .map(|(i, _)| i);
    (create && approval).then_some(sign).flatten()
}

/// The verb (`update` or `patch`) through which `rule` grants the `approval` subresource of
/// certificate signing requests (CIS 5.1.11), for every request name. Approving still takes
/// `approve` on the request's signer, which [`approves_csrs`] looks for.
pub fn approves_csr_requests(rule: &PolicyRule<'_>) -> Option<&'static str> {
    ["update", "patch"]
        .into_iter()
        .find(|verb| rule.allows(verb, CERTIFICATES, "certificatesigningrequests/approval"))
}

impl Power {
    /// The grants that confer the power (empty for [`Power::Admin`], which is a rule shape).
    pub fn grants(self) -> &'static [Grant] {
        const RBAC: &str = "rbac.authorization.k8s.io";
        match self {
            Power::Admin => &[],
            Power::ReadSecrets => &[Grant {
                verbs: &["get", "list", "watch"],
                group: "",
                resources: &["secrets"],
            }],
            Power::CreateWorkloads => &[
                Grant {
                    verbs: &["create"],
                    group: "",
                    resources: &["pods", "replicationcontrollers"],
                },
                Grant {
                    verbs: &["create", "update", "patch"],
                    group: "apps",
                    resources: &["deployments", "replicasets", "statefulsets", "daemonsets"],
                },
                Grant {
                    verbs: &["create", "update", "patch"],
                    group: "batch",
                    resources: &["jobs", "cronjobs"],
                },
                Grant {
                    verbs: &["update", "patch"],
                    group: "",
                    resources: &["replicationcontrollers"],
                },
            ],
            Power::Bind => &[Grant {
                verbs: &["bind"],
                group: RBAC,
                resources: &["clusterroles", "roles"],
            }],
            Power::Escalate => &[Grant {
                verbs: &["escalate"],
                group: RBAC,
                resources: &["clusterroles", "roles"],
            }],
            Power::Impersonate => &[
                Grant {
                    verbs: &["impersonate"],
                    group: "",
                    resources: &["users", "groups", "serviceaccounts"],
                },
                Grant {
                    verbs: &["impersonate"],
                    group: "authentication.k8s.io",
                    resources: &["userextras/*", "uids"],
                },
            ],
            Power::CreatePersistentVolumes => &[Grant {
                verbs: &["create"],
                group: "",
                resources: &["persistentvolumes"],
            }],
            Power::NodesProxy => &[Grant {
                verbs: &[
                    "get", "create", "update", "patch", "delete", "list", "watch",
                ],
                group: "",
                resources: &["nodes/proxy"],
            }],
            Power::Webhooks => &[Grant {
                verbs: &["create", "update", "patch"],
                group: "admissionregistration.k8s.io",
                resources: &[
                    "validatingwebhookconfigurations",
                    "mutatingwebhookconfigurations",
                ],
            }],
            Power::TokenRequest => &[Grant {
                verbs: &["create"],
                group: "",
                resources: &["serviceaccounts/token"],
            }],
            Power::Exec => &[Grant {
                verbs: &["create"],
                group: "",
                resources: &["pods/exec", "pods/attach"],
            }],
            Power::EphemeralContainers => &[Grant {
                verbs: &["update", "patch"],
                group: "",
                resources: &["pods/ephemeralcontainers"],
            }],
            Power::ModifyNamespaces => &[Grant {
                verbs: &["update", "patch"],
                group: "",
                resources: &["namespaces"],
            }],
            Power::PortForward => &[Grant {
                verbs: &["create"],
                group: "",
                resources: &["pods/portforward"],
            }],
            Power::ModifyPodStatus => &[Grant {
                verbs: &["update", "patch"],
                group: "",
                resources: &["pods/status"],
            }],
            Power::ModifyServiceStatus => &[Grant {
                verbs: &["update", "patch"],
                group: "",
                resources: &["services/status"],
            }],
            Power::DeleteEvents => &[
                Grant {
                    verbs: &["delete", "deletecollection"],
                    group: "",
                    resources: &["events"],
                },
                Grant {
                    verbs: &["delete", "deletecollection"],
                    group: "events.k8s.io",
                    resources: &["events"],
                },
            ],
            Power::ModifyNodes => &[Grant {
                verbs: &["update", "patch"],
                group: "",
                resources: &["nodes", "nodes/status"],
            }],
            Power::EvictPods => &[
                Grant {
                    verbs: &["delete"],
                    group: "",
                    resources: &["pods"],
                },
                Grant {
                    verbs: &["create"],
                    group: "",
                    resources: &["pods/eviction"],
                },
            ],
            Power::ApproveCsr => &[],
            Power::DeleteResources => &[
                Grant {
                    verbs: &["delete", "deletecollection"],
                    group: "",
                    resources: &[
                        "secrets",
                        "persistentvolumes",
                        "persistentvolumeclaims",
                        "pods",
                        "services",
                    ],
                },
                Grant {
                    verbs: &["delete", "deletecollection"],
                    group: "apps",
                    resources: &["deployments", "statefulsets", "daemonsets", "replicasets"],
                },
            ],
        }
    }

    /// Every power, most dangerous first.
    pub const ALL: [Power; 13] = [
        Power::Admin,
        Power::Bind,
        Power::Escalate,
        Power::Impersonate,
        Power::ReadSecrets,
        Power::CreateWorkloads,
        Power::NodesProxy,
        Power::Webhooks,
        Power::TokenRequest,
        Power::Exec,
        Power::EphemeralContainers,
        Power::CreatePersistentVolumes,
        Power::ModifyNamespaces,
    ];

    /// A short description of what the power lets its holder do.
    pub fn describe(self) -> &'static str {
        match self {
            Power::Admin => "do anything",
            Power::ReadSecrets => "read Secret values",
            Power::CreateWorkloads => "run pods as any ServiceAccount of the namespace",
            Power::Bind => "grant itself any role",
            Power::Escalate => "add any permission to roles",
            Power::Impersonate => "act as other identities",
            Power::CreatePersistentVolumes => {
                "mount node directories through hostPath PersistentVolumes"
            }
            Power::NodesProxy => "run commands in any pod through the kubelet",
            Power::Webhooks => "intercept or rewrite API requests",
            Power::TokenRequest => "issue tokens for ServiceAccounts",
            Power::Exec => "run commands in containers",
            Power::EphemeralContainers => "inject containers into running pods",
            Power::ModifyNamespaces => "weaken Pod Security levels and network policy selection",
            Power::PortForward => "connect to any port of its pods",
            Power::ModifyPodStatus => "change pod status to hijack Service traffic",
            Power::ModifyServiceStatus => "claim load-balancer IPs (CVE-2020-8554)",
            Power::DeleteEvents => "delete Events to hide its tracks",
            Power::DeleteResources => "delete workloads, Secrets and volumes",
            Power::ModifyNodes => "cordon and relabel nodes",
            Power::EvictPods => "evict pods from their nodes",
            Power::ApproveCsr => {
                "issue client certificates for any identity, system:masters included"
            }
        }
    }
}

impl PolicyRule<'_> {
    /// Whether the rule is `*` verbs on `*` resources of `*` or the core group.
    pub fn is_admin(&self) -> bool {
        self.resource_names.is_empty()
            && self.verbs.contains(&"*")
            && self.resources.contains(&"*")
            && self.api_groups.iter().any(|g| *g == "*" || g.is_empty())
    }

    /// The first (verb, resource) through which the rule confers `power` for every object name,
    /// when it is bound cluster-wide.
    pub fn confers(&self, power: Power) -> Option<(&'static str, &'static str)> {
        self.confers_in(power, GrantScope::Cluster)
    }

    /// The first (verb, resource) through which the rule confers `power` for every object name
    /// when bound with `scope`: through a RoleBinding only namespaced resources are granted.
    pub fn confers_in(
        &self,
        power: Power,
        scope: GrantScope,
    ) -> Option<(&'static str, &'static str)> {
        if power == Power::Admin {
            return self.is_admin().then_some(("*", "*"));
        }
        power.grants().iter().find_map(|g| {
            g.verbs
                .iter()
                .flat_map(|v| g.resources.iter().map(move |r| (*v, *r)))
                .find(|(v, r)| {
                    let granted = match r.strip_suffix("/*") {
                        Some(base) => {
                            self.resource_names.is_empty()
                                && self.has_verb(v)
                                && self.has_group(g.group)
                                && self.has_resource_or_subresource(base)
                        }
                        None => self.allows(v, g.group, r),
                    };
                    // The scope lookup only for what the rule grants: most pairs it does not.
                    granted && scope.can_grant(v, g.group, r)
                })
        })
    }
}
