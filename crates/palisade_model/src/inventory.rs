//! The inventory: compact facts about the objects of a scan that cross-object rules need
//! (namespaces, workloads, network policies, Services, RBAC), collected while documents are
//! scanned so that trees can be dropped. Each fact keeps where it came from, for findings.

use std::collections::BTreeMap;

use palisade_diagnostics::{ArcStr, Interner, Location, ObjectRef};

use crate::labels::{LabelSelector, Labels, label_map as labels};
use crate::object::Object;
use crate::rbac::{GrantScope, Power, Subject};

/// One object's facts.
#[derive(Debug, Clone)]
pub struct Fact {
    /// The object.
    pub object: ObjectRef,
    /// The object's `metadata.name` (or its root when unnamed).
    pub site: Location,
    /// The object's `metadata.namespace` (or `site` when unset).
    pub namespace_site: Location,
    /// The object's `palisade.dev/ignore` annotation, for suppressing cross-object findings.
    pub ignore: Option<String>,
    /// Other scanners' suppression annotations of the object, `(key, value)`: filled in by the
    /// engine when it honours them, empty otherwise.
    pub peer_annotations: Vec<(String, String)>,
    /// What the object is.
    pub kind: FactKind,
}

impl Fact {
    /// The RBAC record of a workload's fact (what runs as which ServiceAccount): a workload's
    /// fact stands for its RBAC record, which is not kept beside it.
    pub fn rbac_workload(&self) -> Option<crate::authz::RbacPart> {
        let FactKind::Workload(w) = &self.kind else {
            return None;
        };
        Some(crate::authz::RbacPart::Workload(crate::authz::Workload {
            display: self.object.display_name(),
            namespace: self.object.namespace.as_deref().map(str::to_string),
            service_account: w.service_account.clone(),
        }))
    }
}

/// The facts that matter per kind of object.
#[derive(Debug, Clone)]
pub enum FactKind {
    /// A Namespace.
    Namespace {
        /// Its labels, with the automatic `kubernetes.io/metadata.name`.
        labels: BTreeMap<String, String>,
    },
    /// An object with a pod spec.
    Workload(WorkloadFact),
    /// A NetworkPolicy.
    NetworkPolicy(NetworkPolicyFact),
    /// A Service.
    Service(ServiceFact),
    /// A Secret.
    Secret {
        /// `type`, when set (`Opaque` by default).
        secret_type: Option<String>,
    },
    /// A ConfigMap.
    ConfigMap,
    /// A ServiceAccount, its `automountServiceAccountToken` and the Secrets it names.
    ServiceAccount {
        /// `automountServiceAccountToken`, when set.
        automount: Option<bool>,
        /// The names in `secrets` and `imagePullSecrets`.
        secrets: Vec<String>,
    },
    /// An Ingress, the Secrets its `tls` entries name and the Services it routes to.
    Ingress {
        /// `spec.tls[].secretName`.
        tls_secrets: Vec<String>,
        /// The Services of its default backend and rules.
        backends: Vec<IngressBackend>,
    },
    /// Any other object that is a custom resource or names Secrets.
    Other {
        /// The object is a custom resource (its API group is not a Kubernetes one), which a
        /// controller may turn into pods.
        custom: bool,
        /// Secret names in fields about Secrets (`secretName`, `secretRef.name`,
        /// `adminSecretName`, …) of StorageClasses, PersistentVolumes and custom resources.
        secrets: Vec<String>,
    },
    /// A LimitRange.
    LimitRange,
    /// A ResourceQuota.
    ResourceQuota,
    /// A Role or ClusterRole.
    Role(RoleFact),
    /// A RoleBinding or ClusterRoleBinding.
    Binding(BindingFact),
}

/// A workload's pod template as other objects see it.
#[derive(Debug, Clone)]
pub struct WorkloadFact {
    /// The pod template's labels.
    pub labels: Labels,
    /// `serviceAccountName` (`default` when unset).
    pub service_account: String,
    /// Where the ServiceAccount is (or would be) set.
    pub service_account_site: Location,
    /// Host access the pod has: `privileged`, `hostNetwork`, `hostPID`, `hostIPC`, `hostPath`.
    pub host_access: Vec<&'static str>,
    /// The pod's `automountServiceAccountToken`, when set.
    pub automount: Option<bool>,
    /// Where the pod spec is (to add `automountServiceAccountToken`).
    pub spec_site: Location,
    /// Secrets and ConfigMaps the pod references: volumes, environment and image pull
    /// Secrets.
    pub references: Vec<Reference>,
    /// The images of its containers, init and ephemeral ones included.
    pub images: Vec<String>,
}

/// A Service an Ingress routes to.
#[derive(Debug, Clone)]
pub struct IngressBackend {
    /// The Service's name (in the Ingress's namespace).
    pub service: String,
    /// Where the backend is.
    pub site: Location,
}

/// The Service backends of an Ingress: `networking.k8s.io/v1` (`service.name`) and the older
/// `extensions`/`networking.k8s.io` `v1beta1` (`serviceName`), default backend and rules.
fn ingress_backends(object: &Object<'_, '_>, path: &ArcStr, document: u32) -> Vec<IngressBackend> {
    let spec = object.root.get("spec");
    let mut backends = Vec::new();
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = spec.and_then(|s| s.get(key)) {
            backends.push((format!("/spec/{key}"), b));
        }
    }
    let rules = spec.and_then(|s| s.get("rules"));
    for (r, rule) in rules
        .into_iter()
        .flat_map(|rules| rules.items())
        .enumerate()
    {
        let paths = rule.path(&["http", "paths"]);
        for (p, item) in paths.into_iter().flat_map(|p| p.items()).enumerate() {
            if let Some(b) = item.get("backend") {
                backends.push((format!("/spec/rules/{r}/http/paths/{p}/backend"), b));
            }
        }
    }
    backends
        .into_iter()
        .filter_map(|(pointer, backend)| {
            let service = backend
                .path(&["service", "name"])
                .or_else(|| backend.get("serviceName"))
                .and_then(|n| n.as_str())?;
            Some(IngressBackend {
                service: service.to_string(),
                site: object.location(path, document, &pointer),
            })
        })
        .collect()
}

/// A pod's reference to a Secret or ConfigMap.
#[derive(Debug, Clone)]
pub struct Reference {
    /// `Secret` or `ConfigMap`.
    pub kind: &'static str,
    /// The referenced name.
    pub name: String,
    /// Whether the pod cannot start without the object (not `optional: true`, and not an
    /// image pull Secret).
    pub required: bool,
    /// Where the reference is.
    pub site: Location,
}

/// A pod's reference to a Secret or ConfigMap: kind, name, required, pointer.
type RawReference = (&'static str, String, bool, String);

/// The Secrets and ConfigMaps a pod spec references, with the pointer of each reference.
fn pod_references(pod: &crate::PodSpecView<'_, '_>) -> Vec<RawReference> {
    let mut out = Vec::new();
    let optional = |n: palisade_source::NodeRef<'_, '_>| {
        n.get("optional").and_then(|o| o.as_bool()) == Some(true)
    };
    let mut push =
        |kind: &'static str, node: palisade_source::NodeRef<'_, '_>, key: &str, pointer: String| {
            if let Some(name) = node
                .get(key)
                .and_then(|n| n.as_str())
                .filter(|n| !n.is_empty())
            {
                out.push((kind, name.to_string(), !optional(node), pointer));
            }
        };
    if let Some(volumes) = pod.spec.get("volumes") {
        for (i, v) in volumes.items().enumerate() {
            if let Some(s) = v.get("secret") {
                push(
                    "Secret",
                    s,
                    "secretName",
                    pod.ptr(&format!("volumes/{i}/secret")),
                );
            }
            if let Some(c) = v.get("configMap") {
                push(
                    "ConfigMap",
                    c,
                    "name",
                    pod.ptr(&format!("volumes/{i}/configMap")),
                );
            }
            if let Some(sources) = v.path(&["projected", "sources"]) {
                for (j, src) in sources.items().enumerate() {
                    if let Some(s) = src.get("secret") {
                        push(
                            "Secret",
                            s,
                            "name",
                            pod.ptr(&format!("volumes/{i}/projected/sources/{j}/secret")),
                        );
                    }
                    if let Some(c) = src.get("configMap") {
                        push(
                            "ConfigMap",
                            c,
                            "name",
                            pod.ptr(&format!("volumes/{i}/projected/sources/{j}/configMap")),
                        );
                    }
                }
            }
        }
    }
    for c in pod.containers() {
        if let Some(env) = c.node.get("env") {
            for (i, var) in env.items().enumerate() {
                if let Some(r) = var.path(&["valueFrom", "secretKeyRef"]) {
                    push(
                        "Secret",
                        r,
                        "name",
                        c.ptr(&format!("env/{i}/valueFrom/secretKeyRef")),
                    );
                }
                if let Some(r) = var.path(&["valueFrom", "configMapKeyRef"]) {
                    push(
                        "ConfigMap",
                        r,
                        "name",
                        c.ptr(&format!("env/{i}/valueFrom/configMapKeyRef")),
                    );
                }
            }
        }
        if let Some(env_from) = c.node.get("envFrom") {
            for (i, src) in env_from.items().enumerate() {
                if let Some(r) = src.get("secretRef") {
                    push(
                        "Secret",
                        r,
                        "name",
                        c.ptr(&format!("envFrom/{i}/secretRef")),
                    );
                }
                if let Some(r) = src.get("configMapRef") {
                    push(
                        "ConfigMap",
                        r,
                        "name",
                        c.ptr(&format!("envFrom/{i}/configMapRef")),
                    );
                }
            }
        }
    }
    if let Some(pull) = pod.spec.get("imagePullSecrets") {
        for (i, s) in pull.items().enumerate() {
            if let Some(name) = s
                .get("name")
                .and_then(|n| n.as_str())
                .filter(|n| !n.is_empty())
            {
                out.push((
                    "Secret",
                    name.to_string(),
                    false,
                    pod.ptr(&format!("imagePullSecrets/{i}")),
                ));
            }
        }
    }
    out
}

/// A NetworkPolicy's effect on isolation.
#[derive(Debug, Clone)]
pub struct NetworkPolicyFact {
    /// `podSelector: {}`: the policy selects every pod of its namespace.
    pub selects_all: bool,
    /// `spec.podSelector`.
    pub selector: LabelSelector,
    /// Where the pod selector is (or the spec, when it is missing).
    pub selector_site: Location,
    /// The effective policy types include Ingress (so selected pods are isolated for ingress).
    pub ingress: bool,
    /// The effective policy types include Egress.
    pub egress: bool,
    /// The `from`/`to` entries that select pods or namespaces.
    pub peers: Vec<PeerFact>,
    /// Where the later policy of the same namespace and name in the same file is, which
    /// replaces this one when the file is applied ([`Inventory::prepare`]): a replaced policy
    /// isolates nothing.
    pub replaced_by: Option<Location>,
}

/// A `from` or `to` entry of a NetworkPolicy with a `podSelector` or `namespaceSelector`.
#[derive(Debug, Clone)]
pub struct PeerFact {
    /// `podSelector`.
    pub pods: Option<LabelSelector>,
    /// `namespaceSelector`.
    pub namespaces: Option<LabelSelector>,
    /// The entry is in an egress rule (`to`).
    pub egress: bool,
    /// Where the entry is.
    pub site: Location,
}

/// The selector peers of a NetworkPolicy's rules.
fn policy_peers(object: &Object<'_, '_>, path: &ArcStr, document: u32) -> Vec<PeerFact> {
    let mut out = Vec::new();
    for (direction, key, egress) in [("ingress", "from", false), ("egress", "to", true)] {
        let Some(rules) = object.root.path(&["spec", direction]) else {
            continue;
        };
        for (r, rule) in rules.items().enumerate() {
            for (p, peer) in rule
                .get(key)
                .into_iter()
                .flat_map(|x| x.items())
                .enumerate()
            {
                let pods = peer.get("podSelector").map(|s| LabelSelector::of(Some(s)));
                let namespaces = peer
                    .get("namespaceSelector")
                    .map(|s| LabelSelector::of(Some(s)));
                if pods.is_none() && namespaces.is_none() {
                    continue;
                }
                let pointer = format!("/spec/{direction}/{r}/{key}/{p}");
                out.push(PeerFact {
                    pods,
                    namespaces,
                    egress,
                    site: object.location(path, document, &pointer),
                });
            }
        }
    }
    out
}

/// A Service's reach.
#[derive(Debug, Clone)]
pub struct ServiceFact {
    /// `NodePort` or `LoadBalancer`.
    pub exposed: bool,
    /// `spec.selector`.
    pub selector: BTreeMap<String, String>,
    /// Where the selector (or type) is.
    pub selector_site: Location,
}

/// The powers a Role or ClusterRole confers.
#[derive(Debug, Clone)]
pub struct RoleFact {
    /// ClusterRole (true) or Role.
    pub cluster: bool,
    /// Powers conferred by any of its rules through a ClusterRoleBinding.
    pub powers: Vec<Power>,
    /// Powers conferred through a RoleBinding, which grants no cluster-scoped resource.
    pub namespaced_powers: Vec<Power>,
    /// Every rule names resources, all of them namespaced (a RoleBinding can grant them all).
    pub namespaced_only: bool,
    /// Built in (label `kubernetes.io/bootstrapping: rbac-defaults`).
    pub builtin: bool,
    /// The role's labels (which aggregation rules select).
    pub labels: BTreeMap<String, String>,
    /// `aggregationRule.clusterRoleSelectors`, for a ClusterRole whose rules the controller
    /// manager fills from the ClusterRoles they select.
    pub aggregation: Option<Vec<LabelSelector>>,
}

/// A binding's role and subjects.
#[derive(Debug, Clone)]
pub struct BindingFact {
    /// ClusterRoleBinding (true) or RoleBinding.
    pub cluster: bool,
    /// `roleRef.kind`.
    pub role_kind: String,
    /// `roleRef.name`.
    pub role_name: String,
    /// Where `roleRef.name` is.
    pub role_site: Location,
    /// Built in (label `kubernetes.io/bootstrapping: rbac-defaults`).
    pub builtin: bool,
    /// The subjects.
    pub subjects: Vec<SubjectFact>,
}

/// A subject of a binding.
#[derive(Debug, Clone)]
pub struct SubjectFact {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    /// The name.
    pub name: String,
    /// The namespace (ServiceAccounts).
    pub namespace: Option<String>,
    /// Where the subject is.
    pub site: Location,
}

/// Whether every rule of a role names resources, all of them namespaced (in every API group
/// the rule names that serves them), so that a RoleBinding could grant all of it.
fn namespaced_only(rules: &[(usize, crate::rbac::PolicyRule<'_>)]) -> bool {
    use crate::resources::{ResourceScope, builtin_scope};
    let namespaced = |groups: &[&str], resource: &str| {
        let scopes: Vec<ResourceScope> = if groups.contains(&"*") {
            crate::resources::ResourceTable::default()
                .groups_of(resource)
                .iter()
                .filter_map(|g| builtin_scope(g, resource))
                .collect()
        } else {
            groups
                .iter()
                .filter_map(|g| builtin_scope(g, resource))
                .collect()
        };
        !scopes.is_empty() && scopes.iter().all(|s| *s == ResourceScope::Namespaced)
    };
    !rules.is_empty()
        && rules.iter().all(|(_, r)| {
            // A rule without apiGroups is invalid (the API server rejects it); read it as the
            // core group's, as written.
            let groups: &[&str] = if r.api_groups.is_empty() {
                &[""]
            } else {
                &r.api_groups
            };
            r.non_resource_urls.is_empty()
                && !r.resources.is_empty()
                && r.resources.iter().all(|res| namespaced(groups, res))
        })
}

/// The facts of a set of objects, and the RBAC model of the same objects: the view of a
/// [`crate::cluster::ClusterIndex`] that cross-object rules read.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The facts, in input order. Add every fact before the first query: the lookup
    /// indexes are built once, on first use.
    pub facts: Vec<Fact>,
    /// The RBAC records of the same objects ([`crate::authz::RbacPart`]) but workloads (whose
    /// facts stand for them), placed in the namespace they are applied to by
    /// [`Inventory::prepare`].
    pub rbac_parts: Vec<crate::authz::RbacPart>,
    index: std::sync::OnceLock<Index>,
    rbac: std::sync::OnceLock<crate::authz::RbacGraph>,
}

/// Lookups the cross-object queries need, built once per scan.
#[derive(Debug, Clone, Default)]
struct Index {
    /// `automountServiceAccountToken` of ServiceAccounts by (namespace, name).
    service_accounts: std::collections::HashMap<(Option<ArcStr>, ArcStr), Option<bool>>,
    /// Facts by namespace, so that rules judging one namespace at a time stay linear.
    by_namespace: std::collections::HashMap<Option<ArcStr>, Vec<usize>>,
}

/// Whether a mapping key is about a Secret's name: `secretName`, `adminSecretName`,
/// `csi.storage.k8s.io/provisioner-secret-name`, …
fn secret_name_key(key: &str) -> bool {
    // Letters and digits only, compared case-insensitively, without allocating: this runs on
    // every string-valued key of the objects it walks.
    let folded = || {
        key.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
    };
    let ends_with_name = folded().rev().take(4).eq(b"name".iter().rev().copied());
    ends_with_name && {
        let mut window = [0u8; 6];
        let mut seen = 0;
        folded().any(|b| {
            window.rotate_left(1);
            window[5] = b;
            seen += 1;
            seen >= 6 && &window == b"secret"
        })
    }
}

/// The Secret names an object mentions in fields about Secrets: values of Secret-name keys,
/// and `name` inside a mapping whose key mentions a Secret (`secretRef: {name: …}`). The walk
/// is bounded in depth.
fn secret_mentions(
    node: palisade_source::NodeRef<'_, '_>,
    in_secret: bool,
    depth: u32,
    out: &mut Vec<String>,
) {
    if depth > 16 {
        return;
    }
    for (key, value) in node.entries() {
        if let Some(text) = value.as_str() {
            if secret_name_key(key) || (in_secret && key == "name") {
                out.push(text.to_string());
            }
        } else {
            let secret = key
                .as_bytes()
                .windows(6)
                .any(|w| w.eq_ignore_ascii_case(b"secret"));
            secret_mentions(value, secret, depth + 1, out);
        }
    }
    for item in node.items() {
        secret_mentions(item, in_secret, depth + 1, out);
    }
}

/// Whether an RBAC object is one the API server creates and reconciles.
fn builtin(object: &Object<'_, '_>) -> bool {
    object
        .root
        .path(&["metadata", "labels", "kubernetes.io/bootstrapping"])
        .and_then(|l| l.as_str())
        == Some("rbac-defaults")
}

/// The facts of one object, if cross-object rules care about its kind. Their strings are shared
/// through `strings` with those of the other objects (and findings) of the same file: facts live
/// until the scan ends, one per object.
pub fn fact_of(
    object: &Object<'_, '_>,
    path: &ArcStr,
    document: u32,
    strings: &mut Interner,
) -> Option<Fact> {
    let root = object.root;
    let rbac = object.api_version.starts_with("rbac.authorization.k8s.io/");
    let kind = if let Some(pod) = object.pod_spec() {
        let sa = pod
            .spec
            .get("serviceAccountName")
            .or_else(|| pod.spec.get("serviceAccount"))
            .and_then(|s| s.as_str())
            .filter(|s| !s.is_empty());
        let sa_pointer = if pod.spec.get("serviceAccountName").is_some() {
            pod.ptr("serviceAccountName")
        } else {
            pod.pointer.clone()
        };
        let mut host_access = Vec::new();
        if pod.containers().iter().any(|c| {
            c.security_context(&["privileged"])
                .and_then(|p| p.as_bool())
                == Some(true)
        }) {
            host_access.push("privileged");
        }
        for field in ["hostNetwork", "hostPID", "hostIPC"] {
            if pod.spec.get(field).and_then(|v| v.as_bool()) == Some(true) {
                host_access.push(field);
            }
        }
        if !pod.host_path_volumes().is_empty() {
            host_access.push("hostPath");
        }
        FactKind::Workload(WorkloadFact {
            labels: Labels::of(pod.metadata.and_then(|m| m.get("labels")), strings),
            service_account: sa.unwrap_or("default").to_string(),
            service_account_site: object.location(path, document, strings.str(&sa_pointer)),
            host_access,
            automount: pod
                .spec
                .get("automountServiceAccountToken")
                .and_then(|a| a.as_bool()),
            references: pod_references(pod)
                .into_iter()
                .map(|(kind, name, required, pointer)| Reference {
                    kind,
                    name,
                    required,
                    site: object.location(path, document, strings.str(&pointer)),
                })
                .collect(),
            spec_site: object.location(path, document, strings.str(&pod.pointer)),
            images: pod
                .containers()
                .iter()
                .filter_map(|c| c.node.get("image").and_then(|i| i.as_str()))
                .map(str::to_string)
                .collect(),
        })
    } else {
        match &*object.kind {
            "Namespace" => {
                let written = labels(root.path(&["metadata", "labels"]));
                let labels = match object.name() {
                    Some(name) => crate::labels::namespace_labels(name, written),
                    None => written,
                };
                FactKind::Namespace { labels }
            }
            "Secret" => FactKind::Secret {
                secret_type: root
                    .get("type")
                    .and_then(|t| t.as_str())
                    .map(str::to_string),
            },
            "ConfigMap" => FactKind::ConfigMap,
            "LimitRange" => FactKind::LimitRange,
            "ResourceQuota" => FactKind::ResourceQuota,
            "ServiceAccount" => FactKind::ServiceAccount {
                automount: root
                    .get("automountServiceAccountToken")
                    .and_then(|a| a.as_bool()),
                secrets: ["secrets", "imagePullSecrets"]
                    .iter()
                    .filter_map(|k| root.get(k))
                    .flat_map(|list| list.items())
                    .filter_map(|s| s.get("name").and_then(|n| n.as_str()))
                    .map(str::to_string)
                    .collect(),
            },
            "Ingress"
                if object.api_version.starts_with("networking.k8s.io/")
                    || object.api_version.starts_with("extensions/") =>
            {
                FactKind::Ingress {
                    backends: ingress_backends(object, path, document),
                    tls_secrets: root
                        .path(&["spec", "tls"])
                        .map(|tls| {
                            tls.items()
                                .filter_map(|t| t.get("secretName").and_then(|n| n.as_str()))
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            }
            // A policy the API server rejects is never applied: it isolates nothing.
            "NetworkPolicy"
                if object.api_version.starts_with("networking.k8s.io/")
                    && crate::netpol::validate::validate(root.get("spec")).is_empty() =>
            {
                let spec = root.get("spec");
                let selects_all = spec.and_then(|s| s.get("podSelector")).is_none_or(|p| {
                    p.entries()
                        .all(|(_, v)| v.entries().len() == 0 && v.items().len() == 0)
                });
                let crate::netpol::PolicyTypes { ingress, egress } =
                    crate::netpol::PolicyTypes::of(spec);
                let selector = spec.and_then(|s| s.get("podSelector"));
                FactKind::NetworkPolicy(NetworkPolicyFact {
                    selects_all,
                    selector: LabelSelector::of(selector),
                    selector_site: object.location(
                        path,
                        document,
                        if selector.is_some() {
                            "/spec/podSelector"
                        } else {
                            "/spec"
                        },
                    ),
                    ingress,
                    egress,
                    peers: policy_peers(object, path, document),
                    replaced_by: None,
                })
            }
            "Service" => {
                let kind = root.path(&["spec", "type"]).and_then(|t| t.as_str());
                let pointer = if root.path(&["spec", "selector"]).is_some() {
                    "/spec/selector"
                } else {
                    "/spec"
                };
                FactKind::Service(ServiceFact {
                    exposed: matches!(kind, Some("NodePort" | "LoadBalancer")),
                    selector: labels(root.path(&["spec", "selector"])),
                    selector_site: object.location(path, document, pointer),
                })
            }
            "Role" | "ClusterRole" if rbac => {
                let rules = object.policy_rules();
                let powers = |scope| {
                    Power::ALL
                        .into_iter()
                        .filter(|p| rules.iter().any(|(_, r)| r.confers_in(*p, scope).is_some()))
                        .collect()
                };
                let cluster = object.kind == "ClusterRole";
                FactKind::Role(RoleFact {
                    cluster,
                    powers: if cluster {
                        powers(GrantScope::Cluster)
                    } else {
                        Vec::new()
                    },
                    namespaced_powers: powers(GrantScope::Namespace),
                    namespaced_only: namespaced_only(rules),
                    builtin: builtin(object),
                    labels: labels(root.path(&["metadata", "labels"])),
                    aggregation: root.get("aggregationRule").map(|a| {
                        a.get("clusterRoleSelectors")
                            .map(|s| s.items().map(|i| LabelSelector::of(Some(i))).collect())
                            .unwrap_or_default()
                    }),
                })
            }
            "RoleBinding" | "ClusterRoleBinding" if rbac => {
                let text = |keys: &[&str]| {
                    root.path(keys)
                        .and_then(|n| n.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                FactKind::Binding(BindingFact {
                    cluster: object.kind == "ClusterRoleBinding",
                    role_kind: text(&["roleRef", "kind"]),
                    role_name: text(&["roleRef", "name"]),
                    role_site: object.location(path, document, "/roleRef/name"),
                    builtin: builtin(object),
                    subjects: Subject::of_binding(root)
                        .into_iter()
                        .map(|s| SubjectFact {
                            kind: s.kind.to_string(),
                            name: s.name.to_string(),
                            namespace: s.namespace.map(str::to_string),
                            site: object.location(path, document, format!("/subjects/{}", s.index)),
                        })
                        .collect(),
                })
            }
            // A CRD's schema describes fields; it names no Secret (and is the largest object).
            _ if object.kind == "CustomResourceDefinition"
                && object.api_version.starts_with("apiextensions.k8s.io/") =>
            {
                return None;
            }
            _ => {
                let mut names = Vec::new();
                secret_mentions(root, false, 0, &mut names);
                // A prometheus-operator Alertmanager reads the Secret named after it.
                if object.kind == "Alertmanager"
                    && object.api_version.starts_with("monitoring.coreos.com/")
                    && let Some(name) = object.name()
                {
                    names.push(format!("alertmanager-{name}"));
                }
                let group = object.api_version.split_once('/').map_or("", |(g, _)| g);
                let custom = group.contains('.') && !group.ends_with(".k8s.io");
                if names.is_empty() && !custom {
                    return None;
                }
                FactKind::Other {
                    custom,
                    secrets: names,
                }
            }
        }
    };
    let site_pointer = if root.path(&["metadata", "name"]).is_some() {
        "/metadata/name"
    } else {
        ""
    };
    let site = object.location(path, document, strings.str(site_pointer));
    let namespace_site = if object.namespace().is_some() {
        object.location(path, document, strings.str("/metadata/namespace"))
    } else {
        site.clone()
    };
    Some(Fact {
        object: object.object_ref_in(strings),
        site,
        namespace_site,
        ignore: object
            .annotation("palisade.dev/ignore")
            .and_then(|a| a.scalar_text())
            .map(|a| a.into_owned()),
        peer_annotations: Vec::new(),
        kind,
    })
}

impl Inventory {
    /// Make the facts say what applying the scanned files would leave in the cluster; call
    /// once, after the last fact and before the first query:
    /// - namespaced objects that name no namespace are placed in `namespace`, as
    ///   `kubectl apply` (`-n`, else `default`) places them. Kinds the built-in resource table
    ///   knows as cluster-scoped keep none; unknown kinds (custom resources, mostly namespaced)
    ///   are placed too;
    /// - a NetworkPolicy that a later one of the same namespace and name in the same file
    ///   replaces is marked so (`replaced_by`). Different files are often alternatives
    ///   (`install.yaml`, `ha/install.yaml`), not one set, so they do not replace each other.
    pub fn prepare(&mut self, namespace: &str) {
        self.place(namespace);
        self.mark_replaced_policies();
        self.index = std::sync::OnceLock::new();
        self.rbac = std::sync::OnceLock::new();
    }

    fn mark_replaced_policies(&mut self) {
        let mut last: std::collections::HashMap<(Option<ArcStr>, Option<ArcStr>, ArcStr), usize> =
            Default::default();
        let mut order: Vec<usize> = (0..self.facts.len())
            .filter(|&i| matches!(self.facts[i].kind, FactKind::NetworkPolicy(_)))
            .collect();
        order.sort_by(|&a, &b| {
            let place = |i: usize| {
                let span = self.facts[i].site.span.as_ref();
                span.map(|s| (&s.path, s.document, s.line))
            };
            place(a).cmp(&place(b))
        });
        for i in order {
            let fact = &self.facts[i];
            let key = (
                fact.site.path().cloned(),
                fact.object.namespace.clone(),
                fact.object.name.clone().unwrap_or_default(),
            );
            let later = fact.site.clone();
            if let Some(earlier) = last.insert(key, i)
                && let FactKind::NetworkPolicy(p) = &mut self.facts[earlier].kind
            {
                p.replaced_by = Some(later);
            }
        }
    }

    fn place(&mut self, namespace: &str) {
        use crate::resources::{ResourceScope, builtin_kind_scope, group_of};
        for fact in &mut self.facts {
            let object = &mut fact.object;
            if object.namespace.is_none()
                && builtin_kind_scope(group_of(&object.api_version), &object.kind)
                    != Some(ResourceScope::Cluster)
            {
                object.namespace = Some(namespace.into());
            }
        }
        for part in &mut self.rbac_parts {
            part.place(namespace);
        }
        self.index = std::sync::OnceLock::new();
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::default();
            for (i, fact) in self.facts.iter().enumerate() {
                index
                    .by_namespace
                    .entry(fact.object.namespace.clone())
                    .or_default()
                    .push(i);
                if let FactKind::ServiceAccount { automount, .. } = &fact.kind {
                    let name = fact.object.name.clone().unwrap_or_default();
                    index
                        .service_accounts
                        .entry((fact.object.namespace.clone(), name))
                        .or_insert(*automount);
                }
            }
            index
        })
    }

    /// `automountServiceAccountToken` of a scanned ServiceAccount: `None` when the account is
    /// not in the scan, `Some(None)` when it does not set the field.
    pub fn service_account_automount(
        &self,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Option<bool>> {
        self.index()
            .service_accounts
            .get(&(namespace.map(ArcStr::from), ArcStr::from(name)))
            .copied()
    }

    /// Facts of a kind in a namespace (`None` matches objects without a namespace).
    pub fn in_namespace<'i>(
        &'i self,
        namespace: Option<&'i str>,
    ) -> impl Iterator<Item = &'i Fact> + 'i {
        self.index()
            .by_namespace
            .get(&namespace.map(ArcStr::from))
            .into_iter()
            .flatten()
            .map(|&i| &self.facts[i])
    }

    /// The RBAC model of the facts' objects, resolved (aggregation included), with the API
    /// server's bootstrap policy for the roles and bindings the input does not define: what
    /// RBAC rules ask "what can this ServiceAccount do" of
    /// ([`crate::authz::RbacGraph::service_account_powers`]), the same model `palisade rbac`
    /// reads.
    pub fn rbac(&self) -> &crate::authz::RbacGraph {
        self.rbac.get_or_init(|| {
            // Workloads come from their facts, which hold what the model needs of them.
            let workloads = self.facts.iter().filter_map(Fact::rbac_workload);
            let parts = self.rbac_parts.iter().cloned().chain(workloads);
            crate::authz::RbacGraph::of_parts(parts, true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_source::{Limits, parse_stream};

    #[test]
    fn secret_name_keys() {
        for key in [
            "secretName",
            "adminSecretName",
            "csi.storage.k8s.io/provisioner-secret-name",
            "SECRET_NAME",
        ] {
            assert!(secret_name_key(key), "{key}");
        }
        for key in [
            "name",
            "secret",
            "secretRef",
            "namespace",
            "secre-tname-x",
            "sec",
        ] {
            assert!(!secret_name_key(key), "{key}");
        }
    }

    fn selector(text: &str) -> LabelSelector {
        let docs = parse_stream(text, &Limits::default());
        LabelSelector::of(docs[0].as_ref().unwrap().root())
    }

    #[test]
    fn selectors_match_like_kubernetes() {
        let labels: BTreeMap<String, String> = [("app", "api"), ("tier", "backend")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert!(selector("{}").matches(&labels));
        assert!(selector("matchLabels: {app: api}").matches(&labels));
        assert!(!selector("matchLabels: {app: web}").matches(&labels));
        let exprs = |e: &str| selector(&format!("matchExpressions: [{e}]")).matches(&labels);
        assert!(exprs("{key: tier, operator: In, values: [backend]}"));
        assert!(!exprs("{key: tier, operator: NotIn, values: [backend]}"));
        assert!(exprs("{key: zone, operator: NotIn, values: [a]}"));
        assert!(exprs("{key: app, operator: Exists}"));
        assert!(exprs("{key: zone, operator: DoesNotExist}"));
        assert!(!exprs("{key: app, operator: Bogus}"));
    }

    fn fact(text: &str) -> Fact {
        let docs = parse_stream(text, &Limits::default());
        let objects = crate::objects_in(docs[0].as_ref().unwrap());
        fact_of(
            &objects.objects[0],
            &"x.yaml".into(),
            0,
            &mut Interner::default(),
        )
        .unwrap()
    }

    #[test]
    fn ingress_backends_of_both_api_versions() {
        let backends = |text: &str| match fact(text).kind {
            FactKind::Ingress { backends, .. } => backends
                .into_iter()
                .map(|b| (b.service, b.site.pointer.to_string()))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            backends(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: a}\nspec:\n  defaultBackend: {service: {name: web, port: {number: 80}}}\n  rules:\n  - http:\n      paths:\n      - {path: /, backend: {service: {name: api}}}\n      - {path: /r, backend: {resource: {kind: Bucket, name: b}}}\n"
            ),
            [
                ("web".to_string(), "/spec/defaultBackend".to_string()),
                (
                    "api".to_string(),
                    "/spec/rules/0/http/paths/0/backend".to_string()
                ),
            ]
        );
        assert_eq!(
            backends(
                "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: a}\nspec:\n  backend: {serviceName: old, servicePort: 80}\n"
            ),
            [("old".to_string(), "/spec/backend".to_string())]
        );
    }

    #[test]
    fn workloads_record_their_images() {
        let FactKind::Workload(w) = fact("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: [{name: i, image: busybox}]\n  containers: [{name: c, image: 'kubernetesui/dashboard:v2.7.0'}, {name: d}]\n").kind else {
            panic!("not a workload")
        };
        assert_eq!(w.images, ["busybox", "kubernetesui/dashboard:v2.7.0"]);
    }

    #[test]
    fn namespaced_rules_are_recognised() {
        let rules = |text: &str| {
            let docs = parse_stream(text, &Limits::default());
            namespaced_only(&crate::rbac::PolicyRule::of_role(
                docs[0].as_ref().unwrap().root().unwrap(),
            ))
        };
        assert!(rules(
            "rules: [{resources: [pods, pods/log, secrets], verbs: [get]}]"
        ));
        assert!(!rules("rules: [{resources: [pods, nodes], verbs: [get]}]"));
        assert!(!rules("rules: [{resources: ['*'], verbs: [get]}]"));
        assert!(!rules(
            "rules: [{nonResourceURLs: [/metrics], verbs: [get]}]"
        ));
        assert!(!rules("rules: []"));
    }
}
