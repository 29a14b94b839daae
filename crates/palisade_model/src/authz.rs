//! The RBAC model of a set of objects, and the Kubernetes RBAC authorizer's decision over it.
//!
//! Roles, ClusterRoles (aggregated ones resolved through their `aggregationRule` label
//! selectors, as the controller manager fills them), RoleBindings, ClusterRoleBindings and
//! ServiceAccounts are collected from objects into owned data, so that the model outlives the
//! documents it was read from and can be queried many times: who can do something, what a
//! subject can do, and why.
//!
//! The matching rules are the authorizer's (`k8s.io/kubernetes/pkg/registry/rbac/validation`
//! and `plugin/pkg/auth/authorizer/rbac`): verbs, API groups and resources match exactly or by
//! `*`; `*/subresource` matches that subresource of every resource; `resourceNames` restrict
//! to named objects and never match a request without a name; non-resource URLs match exactly,
//! by `*`, or by a prefix ending in `*`; a RoleBinding grants only in its namespace, even when
//! it references a ClusterRole; a ServiceAccount subject without a namespace means the
//! binding's namespace.

use std::collections::{BTreeMap, HashMap};

use palisade_diagnostics::{ArcStr, Location};

use crate::labels::LabelSelector;
use crate::object::Object;
use crate::rbac::{GrantScope, PolicyRule, Power, Subject};
use crate::resources::{ResourceScope, ResourceTable};

mod builtin;
pub mod manifest;
mod parse;
mod rows;

pub use builtin::{BOOTSTRAP_POLICY_VERSION, builtin_role_powers};
pub use parse::{
    RequestError, RequestSpec, SUBJECT_FORMS, SubjectError, parse_request, parse_subject,
};
pub use rows::{PermissionRows, Row, RowKey, permission_rows};

/// One policy rule, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// `apiGroups` (`""` is the core group).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    /// `resources` (`pods`, `pods/exec`, `*`, `*/scale`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    /// `resourceNames` (empty: every name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    /// `nonResourceURLs`.
    #[serde(rename = "nonResourceURLs", skip_serializing_if = "Vec::is_empty")]
    pub non_resource_urls: Vec<String>,
    /// `verbs`.
    pub verbs: Vec<String>,
}

/// Rules order by verbs first: listings group what a subject may do by verb.
impl Ord for Rule {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn key(r: &Rule) -> [&Vec<String>; 5] {
            [
                &r.verbs,
                &r.api_groups,
                &r.resources,
                &r.resource_names,
                &r.non_resource_urls,
            ]
        }
        key(self).cmp(&key(other))
    }
}

impl PartialOrd for Rule {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl From<&PolicyRule<'_>> for Rule {
    fn from(r: &PolicyRule<'_>) -> Self {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        Rule {
            verbs: own(&r.verbs),
            api_groups: own(&r.api_groups),
            resources: own(&r.resources),
            resource_names: own(&r.resource_names),
            non_resource_urls: own(&r.non_resource_urls),
        }
    }
}

impl Rule {
    /// The rule as the borrowed [`PolicyRule`] the power checks read.
    pub fn policy(&self) -> PolicyRule<'_> {
        fn view(v: &[String]) -> Vec<&str> {
            v.iter().map(String::as_str).collect()
        }
        PolicyRule {
            verbs: view(&self.verbs),
            api_groups: view(&self.api_groups),
            resources: view(&self.resources),
            resource_names: view(&self.resource_names),
            non_resource_urls: view(&self.non_resource_urls),
        }
    }
}

fn any_or(list: &[String], value: &str) -> bool {
    list.iter().any(|v| v == "*" || v == value)
}

impl Rule {
    /// Whether the rule allows the request, as the RBAC authorizer's `RuleAllows`.
    pub fn allows(&self, request: &Request) -> bool {
        if !any_or(&self.verbs, &request.verb) {
            return false;
        }
        match &request.target {
            Target::NonResource(path) => self.non_resource_urls.iter().any(|u| {
                u == "*" || u == path || u.strip_suffix('*').is_some_and(|p| path.starts_with(p))
            }),
            Target::Resource {
                group,
                resource,
                subresource,
                name,
            } => {
                let combined = match subresource {
                    Some(s) => format!("{resource}/{s}"),
                    None => resource.clone(),
                };
                any_or(&self.api_groups, group)
                    && self.resources.iter().any(|r| {
                        r == "*"
                            || *r == combined
                            || subresource
                                .as_ref()
                                .is_some_and(|s| r.strip_prefix("*/") == Some(s.as_str()))
                    })
                    && (self.resource_names.is_empty()
                        || name
                            .as_ref()
                            .is_some_and(|n| self.resource_names.contains(n)))
            }
        }
    }
}

/// `Role` or `ClusterRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleKind {
    /// A namespaced Role.
    Role,
    /// A ClusterRole.
    ClusterRole,
}

impl RoleKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleKind::Role => "Role",
            RoleKind::ClusterRole => "ClusterRole",
        }
    }
}

/// A Role or ClusterRole.
#[derive(Debug, Clone)]
pub struct Role {
    /// Which kind.
    pub kind: RoleKind,
    /// The namespace (Roles).
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// `metadata.labels` (what aggregation selects).
    pub labels: BTreeMap<String, String>,
    /// The rules, aggregated ones included after [`RbacGraph::resolve`].
    pub rules: Vec<Rule>,
    /// `aggregationRule.clusterRoleSelectors`.
    pub aggregation: Option<Vec<LabelSelector>>,
    /// Where the role is declared (its `metadata.name`), when read from a file.
    pub location: Option<Location>,
    /// Part of the API server's bootstrap policy rather than the input.
    pub builtin: bool,
}

impl Role {
    /// `Kind/name` or `Kind/namespace/name`.
    pub fn display(&self) -> String {
        qualified(self.kind.as_str(), self.namespace.as_deref(), &self.name)
    }
}

fn qualified(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// `User`, `Group` or `ServiceAccount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SubjectKind {
    /// A user name.
    User,
    /// A group name.
    Group,
    /// A ServiceAccount (namespace and name).
    ServiceAccount,
}

impl SubjectKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        }
    }

    fn parse(kind: &str) -> Option<Self> {
        match kind {
            "User" => Some(SubjectKind::User),
            "Group" => Some(SubjectKind::Group),
            "ServiceAccount" => Some(SubjectKind::ServiceAccount),
            _ => None,
        }
    }
}

/// A subject of a binding (ServiceAccount namespaces resolved against the binding's).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubjectRef {
    /// Which kind.
    pub kind: SubjectKind,
    /// The name.
    pub name: String,
    /// The namespace (ServiceAccounts).
    pub namespace: Option<String>,
}

impl SubjectRef {
    /// `ServiceAccount ns/name`, `User alice`, `Group devs`.
    pub fn display(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{}", self.kind.as_str(), self.name),
            None => format!("{} {}", self.kind.as_str(), self.name),
        }
    }
}

/// A RoleBinding or ClusterRoleBinding.
#[derive(Debug, Clone)]
pub struct Binding {
    /// ClusterRoleBinding (true) or RoleBinding.
    pub cluster: bool,
    /// The namespace (RoleBindings).
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
    /// `roleRef.kind`.
    pub role_kind: Option<RoleKind>,
    /// `roleRef.name`.
    pub role_name: String,
    /// The subjects it grants to.
    pub subjects: Vec<SubjectRef>,
    /// Where the binding is declared, when read from a file.
    pub location: Option<Location>,
    /// Where each subject is written (parallel to `subjects`).
    pub subject_locations: Vec<Option<Location>>,
    /// Part of the API server's bootstrap policy rather than the input.
    pub builtin: bool,
}

impl Binding {
    /// `Kind/name` or `Kind/namespace/name`.
    pub fn display(&self) -> String {
        let kind = if self.cluster {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        };
        qualified(kind, self.namespace.as_deref(), &self.name)
    }

    /// Whether the binding grants in the scope: a ClusterRoleBinding everywhere, a
    /// RoleBinding only in its namespace.
    pub fn grants_in(&self, scope: &Scope) -> bool {
        match scope {
            _ if self.cluster => true,
            Scope::Cluster => false,
            Scope::Namespace(ns) => self.namespace.as_deref() == Some(ns.as_str()),
            Scope::AnyNamespace => true,
        }
    }
}

/// Who is asking: a user name and its groups, as the authenticator presents them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The user name (`system:serviceaccount:ns:name` for a ServiceAccount).
    pub name: String,
    /// The groups, implicit ones included.
    pub groups: Vec<String>,
}

impl Identity {
    /// A ServiceAccount: its user name and the groups every ServiceAccount token carries.
    pub fn service_account(namespace: &str, name: &str) -> Identity {
        Identity {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".into(),
            ],
        }
    }

    /// A user with groups; `system:authenticated` is added, or `system:unauthenticated` for
    /// `system:anonymous`.
    pub fn user(name: &str, groups: &[String]) -> Identity {
        let mut all = groups.to_vec();
        let implicit = if name == "system:anonymous" {
            "system:unauthenticated"
        } else {
            "system:authenticated"
        };
        if !all.iter().any(|g| g == implicit) {
            all.push(implicit.to_string());
        }
        Identity {
            name: name.to_string(),
            groups: all,
        }
    }

    /// The identity of a subject as a binding names it: for a Group, a member with no other
    /// group (what the group alone is allowed).
    pub fn of_subject(subject: &SubjectRef) -> Identity {
        match subject.kind {
            SubjectKind::ServiceAccount => {
                Identity::service_account(subject.namespace.as_deref().unwrap_or(""), &subject.name)
            }
            SubjectKind::User => Identity::user(&subject.name, &[]),
            SubjectKind::Group => Identity {
                name: String::new(),
                groups: vec![subject.name.clone()],
            },
        }
    }

    /// Whether a binding subject names this identity (`appliesToUser`).
    pub fn matches(&self, subject: &SubjectRef) -> bool {
        match subject.kind {
            SubjectKind::User => !self.name.is_empty() && self.name == subject.name,
            SubjectKind::Group => self.groups.contains(&subject.name),
            SubjectKind::ServiceAccount => subject.namespace.as_deref().is_some_and(|ns| {
                self.name == format!("system:serviceaccount:{ns}:{}", subject.name)
            }),
        }
    }
}

/// Where a request applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Cluster-scoped resources and non-resource URLs (ClusterRoleBindings only).
    Cluster,
    /// One namespace.
    Namespace(String),
    /// Some namespace, whichever: RoleBindings of every namespace count.
    AnyNamespace,
}

/// What is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An API resource.
    Resource {
        /// API group (`""` for core).
        group: String,
        /// Resource (plural, lower case).
        resource: String,
        /// Subresource (`exec`, `status`, `token`).
        subresource: Option<String>,
        /// Object name, when the request names one.
        name: Option<String>,
    },
    /// A non-resource URL path (`/healthz`).
    NonResource(String),
}

/// A request to authorize.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The verb.
    pub verb: String,
    /// The namespace scope.
    pub scope: Scope,
    /// The resource or URL.
    pub target: Target,
}

/// A binding and the role through which something is allowed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Via {
    /// `RoleBinding/ns/name` or `ClusterRoleBinding/name`.
    pub binding: String,
    /// `Role/ns/name` or `ClusterRole/name`.
    pub role: String,
    /// The binding is part of the API server's bootstrap policy.
    pub builtin_binding: bool,
    /// The role is part of the API server's bootstrap policy.
    pub builtin_role: bool,
}

/// A binding that applies to a request but references a role that is neither in the input
/// nor built in: what it grants is unknown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnknownVia {
    /// `RoleBinding/ns/name` or `ClusterRoleBinding/name`.
    pub binding: String,
    /// `Role/ns/name` or `ClusterRole/name`: the missing role.
    pub role: String,
}

/// The authorizer's answer from the objects at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The bindings and roles that allow the request (empty: not allowed by a known role).
    pub allowed: Vec<Via>,
    /// Bindings to the subject whose roles are missing: when nothing allows the request, they
    /// make the answer unknown rather than no.
    pub unknown: Vec<UnknownVia>,
}

impl Decision {
    /// `yes`, `no` or `unknown`.
    pub fn as_str(&self) -> &'static str {
        match (self.allowed.is_empty(), self.unknown.is_empty()) {
            (false, _) => "yes",
            (true, true) => "no",
            (true, false) => "unknown",
        }
    }
}

/// What [`RbacGraph::interpret`] changed in a request or doubts about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestNote {
    /// The answer may not be what was meant (an unknown or ambiguous resource).
    pub warning: bool,
    /// What to tell the user.
    pub message: String,
}

/// Who may make a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WhoCan {
    /// Subjects allowed, with the bindings and roles that allow them.
    pub subjects: Vec<(SubjectRef, Vec<Via>)>,
    /// Subjects of bindings in scope whose roles are missing: they may or may not be allowed.
    pub unknown: Vec<(SubjectRef, Vec<UnknownVia>)>,
}

/// Every RBAC object of a scan or snapshot.
#[derive(Debug, Clone, Default)]
pub struct RbacGraph {
    /// Roles and ClusterRoles.
    pub roles: Vec<Role>,
    /// RoleBindings and ClusterRoleBindings.
    pub bindings: Vec<Binding>,
    /// ServiceAccounts.
    pub service_accounts: Vec<ServiceAccount>,
    /// Long-lived token Secrets (`kubernetes.io/service-account-token`).
    pub token_secrets: Vec<TokenSecret>,
    /// Objects that run pods, with the ServiceAccount the pods run as.
    pub workloads: Vec<Workload>,
    /// Resource scopes: the built-in table and the input's CustomResourceDefinitions.
    pub resources: ResourceTable,
    /// The last definition of each role.
    index: hashbrown::HashMap<RoleKey, usize>,
    /// Every definition of the roles defined more than once, in input order.
    redefined: hashbrown::HashMap<RoleKey, Vec<usize>>,
    /// The role of each binding, once resolved.
    binding_roles: Vec<Option<usize>>,
    /// The powers each role confers through a ClusterRoleBinding and through a RoleBinding,
    /// with the first (verb, resource) that confers each.
    role_powers: Vec<[Vec<GrantedPower>; 2]>,
    /// The bindings that can grant to ServiceAccounts, by the subject that names them.
    account_grants: std::sync::OnceLock<AccountGrants>,
}

/// Groups every ServiceAccount's token carries, whatever its namespace.
const ACCOUNT_GROUPS: [&str; 2] = ["system:serviceaccounts", "system:authenticated"];

/// Powers by account, by namespace's account group, and for every account.
type AccountPowerSets<'g> = (
    hashbrown::HashMap<(&'g str, &'g str), Vec<Power>>,
    hashbrown::HashMap<&'g str, Vec<Power>>,
    Vec<Power>,
);

/// Bindings (indexes) that name ServiceAccounts, directly or through the groups every
/// ServiceAccount token carries.
#[derive(Debug, Clone, Default)]
struct AccountGrants {
    /// By namespace and name of a ServiceAccount subject.
    accounts: HashMap<String, HashMap<String, Vec<usize>>>,
    /// By namespace, for `system:serviceaccounts:<namespace>`.
    namespaces: HashMap<String, Vec<usize>>,
    /// Bindings to `system:serviceaccounts` or `system:authenticated`: every ServiceAccount.
    all: Vec<usize>,
}

/// A role as (kind, namespace, name).
type RoleKey = (RoleKind, Option<String>, String);

/// A power and the first (verb, resource) that confers it.
type GrantedPower = (Power, &'static str, &'static str);

/// Index of a binding kind in [`RbacGraph::role_powers`].
fn scope_index(cluster: bool) -> usize {
    usize::from(!cluster)
}

/// A ServiceAccount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAccount {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// Where it is declared.
    pub location: Option<Location>,
}

/// A Secret of type `kubernetes.io/service-account-token`: a token that never expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSecret {
    /// `Secret/namespace/name`.
    pub display: String,
    /// The ServiceAccount it holds a token of (annotation `kubernetes.io/service-account.name`).
    pub service_account: Option<String>,
    /// Where it is declared.
    pub location: Option<Location>,
}

/// An object that runs pods, and as whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// `Kind/namespace/name`.
    pub display: String,
    /// The namespace (`None` when the manifest leaves it to `kubectl apply -n`).
    pub namespace: Option<String>,
    /// `serviceAccountName` (`default` when unset).
    pub service_account: String,
}

/// What one object contributes to the RBAC model: the record [`RbacGraph::add`] keeps, so that
/// an index of objects (`crate::cluster::ClusterIndex`) can hold it per object and build the
/// graph from its records.
#[derive(Debug, Clone)]
pub enum RbacPart {
    /// A Role or ClusterRole.
    Role(Role),
    /// A RoleBinding or ClusterRoleBinding.
    Binding(Binding),
    /// A ServiceAccount.
    ServiceAccount(ServiceAccount),
    /// A long-lived token Secret.
    TokenSecret(TokenSecret),
    /// An object that runs pods.
    Workload(Workload),
    /// A CustomResourceDefinition: the scope of its resource.
    CustomResource(ResourceTable),
}

impl RbacPart {
    /// The RBAC record of `object`, if it has one (Roles, ClusterRoles, bindings,
    /// ServiceAccounts, token Secrets, workloads, CustomResourceDefinitions). Namespaced
    /// objects without a namespace are placed in `default_namespace`, as `kubectl apply -n`
    /// would.
    pub fn of(
        object: &Object<'_, '_>,
        path: &ArcStr,
        document: u32,
        default_namespace: Option<&str>,
    ) -> Option<RbacPart> {
        let rbac = object.api_version.starts_with("rbac.authorization.k8s.io/");
        let name = || object.name().unwrap_or_default().to_string();
        let namespace = object.namespace().or(default_namespace).map(str::to_string);
        let location = || Some(object.location(path, document, "/metadata/name"));
        let part = match &*object.kind {
            "Role" | "ClusterRole" if rbac => {
                let kind = if object.kind == "Role" {
                    RoleKind::Role
                } else {
                    RoleKind::ClusterRole
                };
                let root = object.root;
                RbacPart::Role(Role {
                    kind,
                    namespace: (kind == RoleKind::Role).then_some(namespace).flatten(),
                    name: name(),
                    labels: crate::labels::label_map(root.path(&["metadata", "labels"])),
                    rules: object
                        .policy_rules()
                        .iter()
                        .map(|(_, r)| Rule::from(r))
                        .collect(),
                    aggregation: root.get("aggregationRule").map(|a| {
                        a.get("clusterRoleSelectors")
                            .map(|s| s.items().map(|i| LabelSelector::of(Some(i))).collect())
                            .unwrap_or_default()
                    }),
                    location: location(),
                    builtin: false,
                })
            }
            "RoleBinding" | "ClusterRoleBinding" if rbac => {
                let cluster = object.kind == "ClusterRoleBinding";
                let namespace = if cluster { None } else { namespace };
                let role_ref = |key: &str| {
                    object
                        .root
                        .path(&["roleRef", key])
                        .and_then(|n| n.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                let role_kind = match role_ref("kind").as_str() {
                    "Role" => Some(RoleKind::Role),
                    "ClusterRole" => Some(RoleKind::ClusterRole),
                    _ => None,
                };
                let mut subject_locations = Vec::new();
                let subjects = Subject::of_binding(object.root)
                    .into_iter()
                    .filter_map(|s| {
                        let kind = SubjectKind::parse(s.kind)?;
                        let ns = match kind {
                            SubjectKind::ServiceAccount => s
                                .namespace
                                .filter(|n| !n.is_empty())
                                .map(str::to_string)
                                .or_else(|| namespace.clone()),
                            _ => None,
                        };
                        subject_locations.push(Some(object.location(
                            path,
                            document,
                            format!("/subjects/{}", s.index),
                        )));
                        Some(SubjectRef {
                            kind,
                            name: s.name.to_string(),
                            namespace: ns,
                        })
                    })
                    .collect();
                RbacPart::Binding(Binding {
                    cluster,
                    namespace,
                    name: name(),
                    role_kind,
                    role_name: role_ref("name"),
                    subjects,
                    location: location(),
                    subject_locations,
                    builtin: false,
                })
            }
            "ServiceAccount" if object.api_version == "v1" => {
                RbacPart::ServiceAccount(ServiceAccount {
                    // Empty until placed ([`RbacPart::place`]).
                    namespace: namespace.unwrap_or_default(),
                    name: name(),
                    location: location(),
                })
            }
            "Secret"
                if object.api_version == "v1"
                    && object.root.get("type").and_then(|t| t.as_str())
                        == Some("kubernetes.io/service-account-token") =>
            {
                RbacPart::TokenSecret(TokenSecret {
                    display: object.object_ref().display_name(),
                    service_account: object
                        .annotation("kubernetes.io/service-account.name")
                        .and_then(|a| a.as_str())
                        .map(str::to_string),
                    location: location(),
                })
            }
            _ => {
                if let Some(pod) = object.pod_spec() {
                    let sa = pod
                        .spec
                        .get("serviceAccountName")
                        .or_else(|| pod.spec.get("serviceAccount"))
                        .and_then(|s| s.as_str())
                        .filter(|s| !s.is_empty())
                        .unwrap_or("default");
                    RbacPart::Workload(Workload {
                        display: object.object_ref().display_name(),
                        namespace,
                        service_account: sa.to_string(),
                    })
                } else {
                    let mut resources = ResourceTable::default();
                    resources.add(object);
                    if resources.is_empty() {
                        return None;
                    }
                    RbacPart::CustomResource(resources)
                }
            }
        };
        Some(part)
    }
}

impl RbacPart {
    /// Place a record read without a default namespace in `namespace`, as `kubectl apply -n`
    /// places objects that name none (and the ServiceAccount subjects of a RoleBinding that
    /// name none with it).
    pub fn place(&mut self, namespace: &str) {
        match self {
            RbacPart::Role(r) if r.kind == RoleKind::Role && r.namespace.is_none() => {
                r.namespace = Some(namespace.to_string());
            }
            RbacPart::Binding(b) if !b.cluster && b.namespace.is_none() => {
                b.namespace = Some(namespace.to_string());
                for s in &mut b.subjects {
                    if s.kind == SubjectKind::ServiceAccount && s.namespace.is_none() {
                        s.namespace = Some(namespace.to_string());
                    }
                }
            }
            RbacPart::ServiceAccount(a) if a.namespace.is_empty() => {
                a.namespace = namespace.to_string();
            }
            RbacPart::Workload(w) if w.namespace.is_none() => {
                w.namespace = Some(namespace.to_string());
            }
            _ => {}
        }
    }
}

impl RbacGraph {
    /// Add the RBAC record of `object` ([`RbacPart::of`]).
    pub fn add(
        &mut self,
        object: &Object<'_, '_>,
        path: &ArcStr,
        document: u32,
        default_namespace: Option<&str>,
    ) {
        if let Some(part) = RbacPart::of(object, path, document, default_namespace) {
            self.push(part);
        }
    }

    /// Add one object's record; resolve after the last.
    pub fn push(&mut self, part: RbacPart) {
        match part {
            RbacPart::Role(r) => self.roles.push(r),
            RbacPart::Binding(b) => self.bindings.push(b),
            // An account read without a namespace and never placed is in none.
            RbacPart::ServiceAccount(a) if a.namespace.is_empty() => {}
            RbacPart::ServiceAccount(a) => self.service_accounts.push(a),
            RbacPart::TokenSecret(t) => self.token_secrets.push(t),
            RbacPart::Workload(w) => self.workloads.push(w),
            RbacPart::CustomResource(table) => self.resources.merge(table),
        }
    }

    /// The graph of the records, resolved; with the API server's bootstrap policy for what the
    /// records do not define when `builtin_policy` is set.
    pub fn of_parts(parts: impl IntoIterator<Item = RbacPart>, builtin_policy: bool) -> RbacGraph {
        let parts = parts.into_iter();
        let mut graph = RbacGraph::default();
        // Most records of a large input are roles and bindings.
        let (hint, _) = parts.size_hint();
        graph.roles.reserve(hint / 2);
        graph.bindings.reserve(hint / 2);
        for part in parts {
            graph.push(part);
        }
        if builtin_policy {
            graph.add_builtin_policy();
        }
        graph.resolve();
        graph
    }

    /// Index the roles and give every aggregated ClusterRole the rules of the ClusterRoles its
    /// selectors match, as the aggregation controller does: the union of their rules replaces
    /// its own, an empty selector selects every ClusterRole, and aggregated roles that select
    /// each other converge to a fixed point (the controller reruns on every change; the
    /// iterations are bounded here). Call once after adding (and after
    /// [`RbacGraph::add_builtin_policy`]).
    pub fn resolve(&mut self) {
        let aggregated: Vec<usize> = (0..self.roles.len())
            .filter(|&i| self.roles[i].aggregation.is_some())
            .collect();
        for _ in 0..=aggregated.len().min(64) {
            let mut changed = false;
            for &i in &aggregated {
                let selectors = self.roles[i].aggregation.as_deref().unwrap_or_default();
                let mut seen: std::collections::HashSet<&Rule> = Default::default();
                let mut rules: Vec<Rule> = Vec::new();
                for (j, other) in self.roles.iter().enumerate() {
                    if j != i
                        && other.kind == RoleKind::ClusterRole
                        && selectors.iter().any(|s| s.matches(&other.labels))
                    {
                        for rule in &other.rules {
                            if seen.insert(rule) {
                                rules.push(rule.clone());
                            }
                        }
                    }
                }
                if rules != self.roles[i].rules {
                    self.roles[i].rules = rules;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.index = hashbrown::HashMap::with_capacity(self.roles.len());
        self.redefined = hashbrown::HashMap::new();
        for (i, r) in self.roles.iter().enumerate() {
            let key = (r.kind, r.namespace.clone(), r.name.clone());
            match self.index.entry(key) {
                hashbrown::hash_map::Entry::Occupied(mut e) => {
                    let earlier = e.insert(i);
                    self.redefined
                        .entry(e.key().clone())
                        .or_insert_with(|| vec![earlier])
                        .push(i);
                }
                hashbrown::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
        self.binding_roles = self.bindings.iter().map(|b| self.role_index(b)).collect();
        self.role_powers = self.roles.iter().map(role_powers).collect();
        self.account_grants = std::sync::OnceLock::new();
    }

    fn account_grants(&self) -> &AccountGrants {
        self.account_grants.get_or_init(|| {
            let mut grants = AccountGrants::default();
            for (i, b) in self.bindings.iter().enumerate() {
                for s in &b.subjects {
                    let list = match (s.kind, &s.namespace) {
                        (SubjectKind::ServiceAccount, Some(ns)) => grants
                            .accounts
                            .entry(ns.clone())
                            .or_default()
                            .entry(s.name.clone())
                            .or_default(),
                        (SubjectKind::Group, _) if ACCOUNT_GROUPS.contains(&s.name.as_str()) => {
                            &mut grants.all
                        }
                        (SubjectKind::Group, _) => {
                            match s.name.strip_prefix("system:serviceaccounts:") {
                                Some(ns) => grants.namespaces.entry(ns.to_string()).or_default(),
                                None => continue,
                            }
                        }
                        _ => continue,
                    };
                    if list.last() != Some(&i) {
                        list.push(i);
                    }
                }
            }
            grants
        })
    }

    /// The dangerous powers the ServiceAccount `namespace/name` holds: through bindings that
    /// name it or a group its token carries (`system:serviceaccounts`,
    /// `system:serviceaccounts:<namespace>`, `system:authenticated`), in whichever namespace
    /// they grant (a RoleBinding in another namespace gives a power there), with aggregated
    /// roles resolved. A binding whose role is not in the
    /// graph grants what the built-in role of that name grants. Each power comes with the
    /// first binding (in input order) and role that confer it. This is the one answer to
    /// "what can a pod running as this ServiceAccount do": RBAC031, RBAC030's Secret readers
    /// and the escalation paths of [`RbacGraph::risks`] all ask it.
    pub fn service_account_powers(&self, namespace: &str, name: &str) -> Vec<(Power, Via)> {
        let mut out: Vec<(Power, Via)> = Vec::new();
        for i in self.account_bindings(namespace, name) {
            let mut via = None;
            for power in self.binding_powers(i) {
                if !out.iter().any(|(p, _)| *p == power) {
                    let via = via.get_or_insert_with(|| self.binding_via(i)).clone();
                    out.push((power, via));
                }
            }
        }
        out.sort();
        out
    }

    /// The powers of [`RbacGraph::service_account_powers`] for every account at once, in one
    /// pass over the bindings: by account named in a binding, by namespace (the
    /// `system:serviceaccounts:<namespace>` group) and for every account (the
    /// `system:serviceaccounts` and `system:authenticated` groups).
    fn account_power_sets(&self) -> AccountPowerSets<'_> {
        let mut own: hashbrown::HashMap<(&str, &str), Vec<Power>> = Default::default();
        let mut by_namespace: hashbrown::HashMap<&str, Vec<Power>> = Default::default();
        let mut everyone: Vec<Power> = Vec::new();
        for (i, b) in self.bindings.iter().enumerate() {
            for s in &b.subjects {
                let set = match (s.kind, &s.namespace) {
                    (SubjectKind::ServiceAccount, Some(ns)) => {
                        own.entry((ns.as_str(), s.name.as_str())).or_default()
                    }
                    (SubjectKind::Group, _) if ACCOUNT_GROUPS.contains(&s.name.as_str()) => {
                        &mut everyone
                    }
                    (SubjectKind::Group, _) => {
                        match s.name.strip_prefix("system:serviceaccounts:") {
                            Some(ns) => by_namespace.entry(ns).or_default(),
                            None => continue,
                        }
                    }
                    _ => continue,
                };
                self.each_binding_power(i, |p| {
                    if !set.contains(&p) {
                        set.push(p);
                    }
                });
            }
        }
        (own, by_namespace, everyone)
    }

    /// The bindings that grant to the ServiceAccount, in input order.
    fn account_bindings(&self, namespace: &str, name: &str) -> Vec<usize> {
        let grants = self.account_grants();
        let mut bindings: Vec<usize> = grants
            .accounts
            .get(namespace)
            .and_then(|names| names.get(name))
            .into_iter()
            .flatten()
            .chain(grants.namespaces.get(namespace).into_iter().flatten())
            .chain(&grants.all)
            .copied()
            .collect();
        bindings.sort_unstable();
        bindings.dedup();
        bindings
    }

    /// The powers binding `i` confers: its role's, or the built-in role's of that name when
    /// the role is not in the graph.
    fn binding_powers(&self, i: usize) -> Vec<Power> {
        let mut out = Vec::new();
        self.each_binding_power(i, |p| out.push(p));
        out
    }

    /// [`RbacGraph::binding_powers`], handed to `f` one by one.
    fn each_binding_power(&self, i: usize, mut f: impl FnMut(Power)) {
        let binding = &self.bindings[i];
        match self.binding_roles.get(i).copied().flatten() {
            Some(r) => self.role_powers[r][scope_index(binding.cluster)]
                .iter()
                .for_each(|(p, _, _)| f(*p)),
            None => {
                let Some(kind) = binding.role_kind else {
                    return;
                };
                let role_ns = match kind {
                    RoleKind::Role => binding.namespace.as_deref(),
                    RoleKind::ClusterRole => None,
                };
                let scope = if binding.cluster {
                    GrantScope::Cluster
                } else {
                    GrantScope::Namespace
                };
                builtin_role_powers(kind.as_str(), role_ns, &binding.role_name, scope)
                    .into_iter()
                    .for_each(f);
            }
        }
    }

    /// The binding `i` and the role it grants (a built-in one when the graph lacks it).
    fn binding_via(&self, i: usize) -> Via {
        let binding = &self.bindings[i];
        match self.role_at(i) {
            Some(role) => Self::via(binding, role),
            None => {
                let unknown = Self::unknown_via(binding);
                Via {
                    binding: unknown.binding,
                    role: unknown.role,
                    builtin_binding: binding.builtin,
                    builtin_role: true,
                }
            }
        }
    }

    /// The role of the `i`-th binding (after [`RbacGraph::resolve`]).
    fn role_at(&self, i: usize) -> Option<&Role> {
        self.binding_roles
            .get(i)
            .copied()
            .flatten()
            .map(|r| &self.roles[r])
    }

    /// Where the role a binding references is in [`RbacGraph::roles`]: a Role in the
    /// binding's namespace, or a ClusterRole. When the input defines it more than once (files
    /// that are alternatives, such as several operators' `manager-role`), the definition
    /// nearest the binding in the file tree is the one it means; among equally near ones, the
    /// last, as `kubectl apply` of them in order would leave it.
    fn role_index(&self, binding: &Binding) -> Option<usize> {
        let kind = binding.role_kind?;
        let namespace = match kind {
            RoleKind::Role => binding.namespace.clone(),
            RoleKind::ClusterRole => None,
        };
        let key = (kind, namespace, binding.role_name.clone());
        let last = *self.index.get(&key)?;
        let Some(candidates) = self.redefined.get(&key) else {
            return Some(last);
        };
        let file = |l: &Option<Location>| l.as_ref().and_then(|l| l.path()).cloned();
        let from = file(&binding.location);
        candidates.iter().copied().max_by_key(|&i| {
            let nearness = match (&from, file(&self.roles[i].location)) {
                (Some(a), Some(b)) => shared_directories(a, &b),
                _ => 0,
            };
            (nearness, i)
        })
    }

    /// The role a binding references, if it is in the graph.
    pub fn role_of(&self, binding: &Binding) -> Option<&Role> {
        self.role_index(binding).map(|i| &self.roles[i])
    }

    fn via(binding: &Binding, role: &Role) -> Via {
        Via {
            binding: binding.display(),
            role: role.display(),
            builtin_binding: binding.builtin,
            builtin_role: role.builtin,
        }
    }

    fn unknown_via(binding: &Binding) -> UnknownVia {
        let kind = binding.role_kind.map_or("role", RoleKind::as_str);
        let namespace = match binding.role_kind {
            Some(RoleKind::Role) => binding.namespace.as_deref(),
            _ => None,
        };
        UnknownVia {
            binding: binding.display(),
            role: qualified(kind, namespace, &binding.role_name),
        }
    }

    /// The scope the authorizer sees for a request: cluster-scoped resources and non-resource
    /// URLs have none (only ClusterRoleBindings grant them), whatever namespace was asked
    /// about, except where the request attributes carry one
    /// ([`crate::rbac::in_own_namespace`]): `get`, `update`, `patch` or `delete` of one
    /// Namespace object carries that namespace, and `bind` on a ClusterRole the namespace asked
    /// about. Namespaced and unknown resources keep the scope asked about.
    pub fn request_scope(&self, request: &Request) -> Scope {
        let Target::Resource {
            group,
            resource,
            name,
            ..
        } = &request.target
        else {
            return Scope::Cluster;
        };
        if crate::rbac::in_own_namespace(&request.verb, group, resource) {
            if resource == "namespaces" {
                return name
                    .as_ref()
                    .map_or(Scope::Cluster, |n| Scope::Namespace(n.clone()));
            }
            return request.scope.clone();
        }
        if self.resources.scope(group, resource) == Some(ResourceScope::Cluster) {
            return Scope::Cluster;
        }
        request.scope.clone()
    }

    /// Complete a request as `kubectl auth can-i` reads it, and say what it changed or
    /// doubts. A resource written without its group is looked up in the core group, else in
    /// the group that serves it (`deployments` is `deployments.apps`). A resource that is
    /// neither built in nor defined by a CustomResourceDefinition of the input gets a warning:
    /// a typo (`secretz`) would otherwise be answered as if it existed.
    pub fn interpret(&self, request: &mut Request, group_given: bool) -> Vec<RequestNote> {
        let Target::Resource {
            group, resource, ..
        } = &mut request.target
        else {
            return Vec::new();
        };
        if resource == "*" || group == "*" {
            return Vec::new();
        }
        let mut notes = Vec::new();
        if !group_given && self.resources.scope("", resource).is_none() {
            let groups = self.resources.groups_of(resource);
            if let Some(first) = groups.first() {
                let message = if groups.len() == 1 {
                    format!("`{resource}` is `{resource}.{first}`")
                } else {
                    format!(
                        "`{resource}` is served by the groups {}: answering for `{resource}.{first}` (write RESOURCE.GROUP to choose)",
                        groups.join(", ")
                    )
                };
                notes.push(RequestNote {
                    warning: groups.len() > 1,
                    message,
                });
                *group = first.clone();
            }
        }
        let qualified = if group.is_empty() {
            resource.clone()
        } else {
            format!("{resource}.{group}")
        };
        let (group, resource) = (group.clone(), resource.clone());
        let scope = self.request_scope(request);
        match self.resources.scope(&group, &resource) {
            None => notes.push(RequestNote {
                warning: true,
                message: format!(
                    "`{qualified}` is neither a resource of Kubernetes {} nor defined by a CustomResourceDefinition in the input; it is answered as a namespaced resource",
                    crate::resources::KUBERNETES_VERSION
                ),
            }),
            Some(ResourceScope::Cluster)
                if matches!(request.scope, Scope::Namespace(_) | Scope::AnyNamespace)
                    && scope == Scope::Cluster =>
            {
                notes.push(RequestNote {
                    warning: false,
                    message: format!(
                        "`{qualified}` is cluster-scoped: only ClusterRoleBindings grant it"
                    ),
                });
            }
            _ => {}
        }
        request.scope = self.request_scope(request);
        notes
    }

    /// The request with the scope the authorizer sees ([`RbacGraph::request_scope`]).
    fn scoped(&self, request: &Request) -> Request {
        Request {
            scope: self.request_scope(request),
            ..request.clone()
        }
    }

    /// The authorizer's decision for `identity` making `request`: the bindings and roles that
    /// allow it, and the bindings to the identity whose roles are missing.
    pub fn decide(&self, identity: &Identity, request: &Request) -> Decision {
        let request = self.scoped(request);
        let mut allowed = Vec::new();
        let mut unknown = Vec::new();
        for b in self.bindings.iter().filter(|b| {
            b.grants_in(&request.scope) && b.subjects.iter().any(|s| identity.matches(s))
        }) {
            match self.role_of(b) {
                Some(role) if role.rules.iter().any(|r| r.allows(&request)) => {
                    allowed.push(Self::via(b, role));
                }
                Some(_) => {}
                None => unknown.push(Self::unknown_via(b)),
            }
        }
        allowed.sort();
        allowed.dedup();
        unknown.sort();
        unknown.dedup();
        Decision { allowed, unknown }
    }

    /// Every binding and role through which `identity` may make `request` (empty: not allowed
    /// by a known role; see [`RbacGraph::decide`] for unknown answers).
    pub fn authorize(&self, identity: &Identity, request: &Request) -> Vec<Via> {
        self.decide(identity, request).allowed
    }

    /// The subjects bindings allow to make `request`, each with the bindings and roles that
    /// allow it, and the subjects of bindings whose roles are missing. Groups are listed as
    /// groups (their members are not known from RBAC objects).
    pub fn who_can(&self, request: &Request) -> WhoCan {
        let request = self.scoped(request);
        let mut found: BTreeMap<SubjectRef, Vec<Via>> = BTreeMap::new();
        let mut unknown: BTreeMap<SubjectRef, Vec<UnknownVia>> = BTreeMap::new();
        for binding in self.bindings.iter().filter(|b| b.grants_in(&request.scope)) {
            let Some(role) = self.role_of(binding) else {
                for subject in &binding.subjects {
                    let via = unknown.entry(subject.clone()).or_default();
                    let v = Self::unknown_via(binding);
                    if !via.contains(&v) {
                        via.push(v);
                    }
                }
                continue;
            };
            if !role.rules.iter().any(|r| r.allows(&request)) {
                continue;
            }
            for subject in &binding.subjects {
                let via = found.entry(subject.clone()).or_default();
                let v = Self::via(binding, role);
                if !via.contains(&v) {
                    via.push(v);
                }
            }
        }
        // A subject some known role allows is allowed, whatever the missing roles grant.
        unknown.retain(|s, _| !found.contains_key(s));
        WhoCan {
            subjects: found.into_iter().collect(),
            unknown: unknown.into_iter().collect(),
        }
    }

    /// Everything `identity` is granted: each rule of each role bound to it, with the
    /// namespace it applies in (`None`: cluster-wide) and how. Through a RoleBinding, only
    /// what the authorizer can grant there is listed: no cluster-scoped resource (the
    /// binding's own Namespace object aside) and no non-resource URL.
    pub fn permissions(&self, identity: &Identity) -> Vec<Permission> {
        let mut out = Vec::new();
        for binding in &self.bindings {
            if !binding.subjects.iter().any(|s| identity.matches(s)) {
                continue;
            }
            let Some(role) = self.role_of(binding) else {
                continue;
            };
            for rule in &role.rules {
                let rules = if binding.cluster {
                    vec![rule.clone()]
                } else {
                    self.namespaced_part(rule, binding.namespace.as_deref())
                };
                out.extend(rules.into_iter().map(|rule| Permission {
                    namespace: binding.namespace.clone(),
                    rule,
                    via: Self::via(binding, role),
                }));
            }
        }
        out.sort_by(|a, b| (&a.namespace, &a.rule, &a.via).cmp(&(&b.namespace, &b.rule, &b.via)));
        out
    }

    /// Whether `group`/`resource` of a rule names only cluster-scoped resources (`*` groups:
    /// in every group that serves the resource).
    fn cluster_only(&self, group: &str, resource: &str) -> bool {
        let cluster = |g: &str| self.resources.scope(g, resource) == Some(ResourceScope::Cluster);
        if resource.starts_with('*') {
            false
        } else if group == "*" {
            let groups = self.resources.groups_of(resource);
            !groups.is_empty() && groups.iter().all(|g| cluster(g))
        } else {
            cluster(group)
        }
    }

    /// What a rule grants through a RoleBinding in `namespace` (`None`: the namespace it is
    /// applied to): per API group, the resources that are not cluster-scoped there, plus the
    /// cluster-scoped requests that carry a namespace all the same, with the verbs that make
    /// them so ([`crate::rbac::in_own_namespace`]): the binding's own Namespace object, and
    /// `bind` on ClusterRoles.
    fn namespaced_part(&self, rule: &Rule, namespace: Option<&str>) -> Vec<Rule> {
        let mut out = Vec::new();
        for group in &rule.api_groups {
            let mut kept = Vec::new();
            let mut special: Vec<Rule> = Vec::new();
            for resource in &rule.resources {
                if !self.cluster_only(group, resource) {
                    kept.push(resource.clone());
                    continue;
                }
                // The verbs that keep a namespace on this cluster-scoped resource (a `*`
                // group stands for the group that serves it).
                let base = resource.split('/').next().unwrap_or(resource);
                let served_by = match (group.as_str(), base) {
                    ("*", "namespaces") => "",
                    ("*", "clusterroles") => "rbac.authorization.k8s.io",
                    (g, _) => g,
                };
                let verbs: Vec<String> = ["bind", "get", "update", "patch", "delete"]
                    .into_iter()
                    .filter(|v| rule.verbs.iter().any(|x| x == "*" || x == v))
                    .filter(|v| crate::rbac::in_own_namespace(v, served_by, resource))
                    .map(str::to_string)
                    .collect();
                if verbs.is_empty() {
                    continue;
                }
                let names = if base == "namespaces" {
                    // Only its own Namespace, which a binding without a namespace cannot name.
                    let Some(ns) = namespace else {
                        continue;
                    };
                    if !(rule.resource_names.is_empty()
                        || rule.resource_names.iter().any(|n| n == ns))
                    {
                        continue;
                    }
                    vec![ns.to_string()]
                } else {
                    rule.resource_names.clone()
                };
                special.push(Rule {
                    verbs,
                    api_groups: vec![group.clone()],
                    resources: vec![resource.clone()],
                    resource_names: names,
                    non_resource_urls: Vec::new(),
                });
            }
            if !kept.is_empty() {
                out.push(Rule {
                    verbs: rule.verbs.clone(),
                    api_groups: vec![group.clone()],
                    resources: kept,
                    resource_names: rule.resource_names.clone(),
                    non_resource_urls: Vec::new(),
                });
            }
            out.extend(special);
        }
        out
    }

    /// Every dangerous power every subject holds, one per (subject, binding, power), most
    /// dangerous first; a binding that grants everything is reported as that alone.
    pub fn risks(&self) -> Vec<Risk> {
        // What each ServiceAccount can do, for the hop "creates a pod that runs as it": every
        // account the graph knows of (declared, named by a binding, or run as by a workload),
        // with what its own grants, its namespace's group and every account's groups give.
        let (own, by_namespace, everyone) = self.account_power_sets();
        // Accounts that no binding names hold powers only through the account groups.
        let mut group_only: hashbrown::HashSet<(&str, &str)> = Default::default();
        if !everyone.is_empty() || !by_namespace.is_empty() {
            let declared = self
                .service_accounts
                .iter()
                .map(|a| (a.namespace.as_str(), a.name.as_str()));
            let run_as = self
                .workloads
                .iter()
                .filter_map(|w| Some((w.namespace.as_deref()?, w.service_account.as_str())));
            group_only.extend(declared.chain(run_as).filter(|a| !own.contains_key(a)));
        }
        let none: Vec<Power> = Vec::new();
        let sa_powers = own
            .iter()
            .map(|(account, powers)| (*account, powers))
            .chain(group_only.into_iter().map(|account| (account, &none)))
            .map(|((ns, name), powers)| {
                let all = powers
                    .iter()
                    .chain(by_namespace.get(ns).into_iter().flatten())
                    .chain(&everyone);
                ((ns, name), all)
            });
        // The most dangerous power a pod could borrow from a ServiceAccount, per namespace and
        // over all namespaces (for cluster-wide workload creation): (power, namespace, name).
        type Strongest<'s> = (Power, &'s str, &'s str);
        let mut strongest: hashbrown::HashMap<&str, Vec<Strongest<'_>>> = Default::default();
        let mut anywhere: Vec<Strongest<'_>> = Vec::new();
        for ((ns, name), powers) in sa_powers {
            if let Some(best) = powers.filter(|p| **p != Power::CreateWorkloads).min() {
                let entry = (*best, ns, name);
                for list in [strongest.entry(ns).or_default(), &mut anywhere] {
                    list.push(entry);
                    list.sort();
                    list.truncate(2);
                }
            }
        }
        let mut out = Vec::new();
        // Built-in bindings hold their powers by design (system:masters, the controllers).
        for (i, binding) in self.bindings.iter().enumerate().filter(|(_, b)| !b.builtin) {
            let (Some(r), Some(role)) = (
                self.binding_roles.get(i).copied().flatten(),
                self.role_at(i),
            ) else {
                continue;
            };
            let powers = &self.role_powers[r][scope_index(binding.cluster)];
            let admin = powers.iter().any(|(p, _, _)| *p == Power::Admin);
            for &(power, verb, resource) in powers
                .iter()
                .filter(|(p, _, _)| !admin || *p == Power::Admin)
            {
                for (j, subject) in binding.subjects.iter().enumerate() {
                    let place = match (&binding.namespace, binding.cluster) {
                        (Some(ns), _) => format!("in namespace {ns}"),
                        (None, false) => "in the namespace the RoleBinding is applied to".into(),
                        (None, true) => "cluster-wide".to_string(),
                    };
                    let what = if (verb, resource) == ("*", "*") {
                        "use every verb on every resource".to_string()
                    } else {
                        format!("{verb} {resource}")
                    };
                    let mut path = format!(
                        "{} can {what} {place} (via {} -> {}) -> can {}",
                        subject.display(),
                        binding.display(),
                        role.display(),
                        power.describe()
                    );
                    if power == Power::CreateWorkloads {
                        // Two candidates, so that the subject itself can be skipped.
                        let candidates = match &binding.namespace {
                            Some(ns) => strongest.get(ns.as_str()).map_or(&[][..], Vec::as_slice),
                            None => anywhere.as_slice(),
                        };
                        let own = |(_, ns, name): &&Strongest<'_>| {
                            subject.kind == SubjectKind::ServiceAccount
                                && subject.namespace.as_deref() == Some(*ns)
                                && subject.name == *name
                        };
                        if let Some((best, ns, name)) = candidates.iter().find(|c| !own(c)) {
                            path.push_str(&format!(
                                " -> a pod running as ServiceAccount {ns}/{name} can {}",
                                best.describe()
                            ));
                        }
                    }
                    let held_by: Vec<String> = match (subject.kind, &subject.namespace) {
                        (SubjectKind::ServiceAccount, Some(ns)) => self
                            .workloads
                            .iter()
                            .filter(|w| {
                                w.namespace.as_deref() == Some(ns.as_str())
                                    && w.service_account == subject.name
                            })
                            .map(|w| w.display.clone())
                            .collect(),
                        _ => Vec::new(),
                    };
                    out.push(Risk {
                        subject: subject.clone(),
                        power,
                        grant: (verb, resource),
                        namespace: binding.namespace.clone(),
                        via: Self::via(binding, role),
                        binding: i,
                        subject_index: j,
                        path,
                        held_by,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.power, &a.subject, &a.via).cmp(&(b.power, &b.subject, &b.via)));
        out
    }

    /// Bindings whose role is not in the graph (a role from the API server's defaults, or a
    /// missing one): what is granted through them is not known.
    pub fn unresolved(&self) -> impl Iterator<Item = &Binding> + '_ {
        self.bindings.iter().filter(|b| self.role_of(b).is_none())
    }
}

/// How many leading path components two files share (the file itself counts as one), so
/// that a file is nearest itself, then its siblings.
fn shared_directories(a: &str, b: &str) -> usize {
    if a == b {
        return usize::MAX;
    }
    a.split('/')
        .zip(b.split('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

/// A dangerous power a subject holds through one binding, with the attack path in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Risk {
    /// Who holds it.
    pub subject: SubjectRef,
    /// What it is.
    pub power: Power,
    /// The verb and resource that confer it.
    pub grant: (&'static str, &'static str),
    /// Where it applies; `None` for cluster-wide.
    pub namespace: Option<String>,
    /// The binding and role.
    pub via: Via,
    /// Index of the binding in [`RbacGraph::bindings`], and of the subject in it.
    pub binding: usize,
    /// Index of the subject in the binding.
    pub subject_index: usize,
    /// The escalation path, e.g. "ServiceAccount ci/deployer can create pods in prod →
    /// can run pods as any ServiceAccount of prod → ServiceAccount prod/admin can do anything".
    pub path: String,
    /// Workloads whose pods run as the subject (a ServiceAccount) and so hold the power.
    pub held_by: Vec<String>,
}

/// Verbs that can be limited to named objects (`resourceNames`); `list`, `watch`, `create`
/// and `deletecollection` never carry a name the authorizer could check.
const NAMEABLE: [&str; 4] = ["get", "update", "patch", "delete"];

/// The least-privilege rules that allow exactly `requests`, per scope: `Scope::Namespace` for
/// requests in a namespace (a Role), `Scope::Cluster` for cluster-scoped resources and
/// non-resource URLs (a ClusterRole). A verb is limited to `resourceNames` when every request
/// with it named its object and the verb can be limited that way.
pub fn least_privilege(requests: &[Request]) -> Vec<(Scope, Vec<Rule>)> {
    // (group, resource[/subresource]) -> verb -> the names asked for (None: some request
    // named none, so the verb is granted for every name).
    type Verbs = BTreeMap<String, Option<Vec<String>>>;
    type Resources = BTreeMap<(String, String), Verbs>;
    let mut scopes: BTreeMap<Option<String>, Resources> = BTreeMap::new();
    let mut urls: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in requests {
        match &r.target {
            Target::NonResource(path) => {
                let verbs = urls.entry(path.clone()).or_default();
                if !verbs.contains(&r.verb) {
                    verbs.push(r.verb.clone());
                }
            }
            Target::Resource {
                group,
                resource,
                subresource,
                name,
            } => {
                let ns = match &r.scope {
                    Scope::Namespace(ns) => Some(ns.clone()),
                    _ => None,
                };
                let combined = match subresource {
                    Some(s) => format!("{resource}/{s}"),
                    None => resource.clone(),
                };
                let names = scopes
                    .entry(ns)
                    .or_default()
                    .entry((group.clone(), combined))
                    .or_default()
                    .entry(r.verb.clone())
                    .or_insert_with(|| Some(Vec::new()));
                match (name, names.as_mut()) {
                    (Some(n), Some(list)) if NAMEABLE.contains(&r.verb.as_str()) => {
                        if !list.contains(n) {
                            list.push(n.clone());
                        }
                    }
                    _ => *names = None,
                }
            }
        }
    }
    let mut out = Vec::new();
    for (ns, resources) in scopes {
        // Merge resources of one group that have the same verbs and names into one rule.
        let mut rules: BTreeMap<(String, Vec<String>, Vec<String>), Vec<String>> = BTreeMap::new();
        for ((group, resource), verbs) in resources {
            let (all, named): (Vec<_>, Vec<_>) = verbs.into_iter().partition(|(_, n)| n.is_none());
            let mut unnamed: Vec<String> = all.into_iter().map(|(v, _)| v).collect();
            unnamed.sort();
            if !unnamed.is_empty() {
                rules
                    .entry((group.clone(), unnamed, Vec::new()))
                    .or_default()
                    .push(resource.clone());
            }
            for (verb, names) in named {
                let mut names = names.unwrap_or_default();
                names.sort();
                rules
                    .entry((group.clone(), vec![verb], names))
                    .or_default()
                    .push(resource.clone());
            }
        }
        let rules: Vec<Rule> = rules
            .into_iter()
            .map(|((group, verbs, names), resources)| Rule {
                verbs,
                api_groups: vec![group],
                resources,
                resource_names: names,
                non_resource_urls: Vec::new(),
            })
            .collect();
        out.push((ns.map_or(Scope::Cluster, Scope::Namespace), rules));
    }
    if !urls.is_empty() {
        let mut by_verbs: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
        for (url, mut verbs) in urls {
            verbs.sort();
            by_verbs.entry(verbs).or_default().push(url);
        }
        let rules: Vec<Rule> = by_verbs
            .into_iter()
            .map(|(verbs, urls)| Rule {
                verbs,
                non_resource_urls: urls,
                ..Rule::default()
            })
            .collect();
        match out.iter_mut().find(|(s, _)| *s == Scope::Cluster) {
            Some((_, existing)) => existing.extend(rules),
            None => out.push((Scope::Cluster, rules)),
        }
    }
    out
}

/// One rule granted to a subject, where and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// The namespace it applies in; `None` for cluster-wide (ClusterRoleBinding).
    pub namespace: Option<String>,
    /// The rule.
    pub rule: Rule,
    /// The binding and role.
    pub via: Via,
}

/// The powers a role confers through a ClusterRoleBinding and through a RoleBinding.
fn role_powers(role: &Role) -> [Vec<GrantedPower>; 2] {
    let views: Vec<PolicyRule<'_>> = role.rules.iter().map(Rule::policy).collect();
    let in_scope = |scope: GrantScope| {
        let mut powers: Vec<GrantedPower> = Power::ALL
            .into_iter()
            .filter_map(|p| {
                views
                    .iter()
                    .find_map(|r| r.confers_in(p, scope))
                    .map(|(verb, resource)| (p, verb, resource))
            })
            .collect();
        // Certificate requests and signers are cluster-scoped: only a ClusterRoleBinding
        // grants them.
        if scope == GrantScope::Cluster
            && crate::rbac::approves_csrs(views.iter().enumerate()).is_some()
        {
            powers.push((Power::ApproveCsr, "approve", "signers"));
        }
        powers
    };
    let namespaced = in_scope(GrantScope::Namespace);
    match role.kind {
        // A Role is only ever bound by a RoleBinding.
        RoleKind::Role => [namespaced.clone(), namespaced],
        RoleKind::ClusterRole => [in_scope(GrantScope::Cluster), namespaced],
    }
}

#[cfg(test)]
mod tests;
