//! Table tests: one rule of the RBAC authorizer's semantics per case.

use super::*;

const POLICY: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: runner, namespace: dev}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: runner, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: runner}
subjects:
- {kind: ServiceAccount, name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: backup-reader, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects:
- {kind: ServiceAccount, name: backup}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules:
- apiGroups: [""]
  resources: [secrets]
  verbs: [get, list]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backup, namespace: dev}
spec:
  template:
    spec:
      serviceAccountName: backup
      containers: [{name: b, image: x}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules:
- apiGroups: [""]
  resources: [pods, pods/log]
  verbs: [get, list]
- apiGroups: [apps]
  resources: ["*"]
  verbs: [get]
- apiGroups: ["*"]
  resources: ["*/scale"]
  verbs: [update]
- apiGroups: [""]
  resources: [secrets]
  resourceNames: [app-token]
  verbs: [get]
- nonResourceURLs: [/healthz, "/metrics/*"]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: exec, namespace: dev}
rules:
- apiGroups: [""]
  resources: [pods/exec]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: User, name: alice}
- {kind: ServiceAccount, name: ci}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: exec, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: exec}
subjects:
- {kind: Group, name: devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-health}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects:
- {kind: Group, name: system:authenticated}
- {kind: ServiceAccount, name: no-namespace}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ops-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: ops, namespace: ops}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: monitoring}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-monitoring: "true"}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: monitoring-nodes
  labels: {rbac.example.com/aggregate-to-monitoring: "true"}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {rbac.example.com/aggregate-to-nodes: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: nodes-reader
  labels: {rbac.example.com/aggregate-to-nodes: "true"}
rules:
- apiGroups: [""]
  resources: [nodes]
  verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: empty-selector}
aggregationRule:
  clusterRoleSelectors: [{}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: monitoring}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: monitoring}
subjects:
- {kind: ServiceAccount, name: prometheus, namespace: monitoring}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: auditors}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: empty-selector}
subjects:
- {kind: Group, name: auditors}
"#;

fn graph() -> RbacGraph {
    graph_of(POLICY)
}

/// The resolved model of a YAML stream, with the built-in policy.
fn graph_of(text: &str) -> RbacGraph {
    load(text, None, true)
}

/// The resolved model of a YAML stream, objects without a namespace placed in `namespace`.
fn load(text: &str, namespace: Option<&str>, builtin: bool) -> RbacGraph {
    let mut g = RbacGraph::default();
    crate::each_object(text, |o, document| {
        g.add(o, &"policy.yaml".into(), document, namespace);
    });
    if builtin {
        g.add_builtin_policy();
    }
    g.resolve();
    g
}

fn res(
    verb: &str,
    ns: Option<&str>,
    group: &str,
    resource: &str,
    sub: Option<&str>,
    name: Option<&str>,
) -> Request {
    Request {
        verb: verb.into(),
        scope: ns.map_or(Scope::Cluster, |n| Scope::Namespace(n.into())),
        target: Target::Resource {
            group: group.into(),
            resource: resource.into(),
            subresource: sub.map(Into::into),
            name: name.map(Into::into),
        },
    }
}

fn url(verb: &str, path: &str) -> Request {
    Request {
        verb: verb.into(),
        scope: Scope::Cluster,
        target: Target::NonResource(path.into()),
    }
}

#[test]
fn the_authorizer_s_rules_one_by_one() {
    let g = graph();
    let alice = Identity::user("alice", &[]);
    let ci = Identity::service_account("dev", "ci");
    let dev = Identity::user("bob", &["devs".into()]);
    let anon = Identity::user("system:anonymous", &[]);
    let ops = Identity::service_account("ops", "ops");
    let prometheus = Identity::service_account("monitoring", "prometheus");
    let allowed = |id: &Identity, r: Request| !g.authorize(id, &r).is_empty();
    let cases: Vec<(&str, bool)> = vec![
        // Verbs match exactly.
        (
            "get pods in dev",
            allowed(&alice, res("get", Some("dev"), "", "pods", None, None)),
        ),
        (
            "delete pods in dev: verb not granted",
            !allowed(&alice, res("delete", Some("dev"), "", "pods", None, None)),
        ),
        // A RoleBinding to a ClusterRole grants only in its namespace.
        (
            "get pods in prod: not via the dev RoleBinding",
            g.authorize(&alice, &res("get", Some("prod"), "", "pods", None, None))
                .iter()
                .map(|v| v.binding.as_str())
                .collect::<Vec<_>>()
                == ["ClusterRoleBinding/everyone-health"],
        ),
        // API groups: "" is core only; a named group matches that group.
        (
            "get deployments.apps",
            allowed(
                &alice,
                res("get", Some("dev"), "apps", "deployments", None, None),
            ),
        ),
        (
            "get deployments in the core group",
            !allowed(
                &alice,
                res("get", Some("dev"), "", "deployments", None, None),
            ),
        ),
        // A subresource needs its own rule: pods does not grant pods/exec, pods/log does.
        (
            "get pods/log",
            allowed(
                &alice,
                res("get", Some("dev"), "", "pods", Some("log"), None),
            ),
        ),
        (
            "create pods/exec via pods",
            !allowed(
                &alice,
                res("create", Some("dev"), "", "pods", Some("exec"), None),
            ),
        ),
        // `*` resources cover every resource of the group, subresources included.
        (
            "get apps/deployments/status via *",
            allowed(
                &alice,
                res(
                    "get",
                    Some("dev"),
                    "apps",
                    "deployments",
                    Some("status"),
                    None,
                ),
            ),
        ),
        // `*/scale` covers scale of every resource and nothing else.
        (
            "update deployments/scale",
            allowed(
                &alice,
                res(
                    "update",
                    Some("dev"),
                    "apps",
                    "deployments",
                    Some("scale"),
                    None,
                ),
            ),
        ),
        (
            "update deployments via */scale",
            !allowed(
                &alice,
                res("update", Some("dev"), "apps", "deployments", None, None),
            ),
        ),
        // resourceNames: only the named object, never an unnamed request.
        (
            "get secret app-token",
            allowed(
                &alice,
                res("get", Some("dev"), "", "secrets", None, Some("app-token")),
            ),
        ),
        (
            "get secret other",
            !allowed(
                &alice,
                res("get", Some("dev"), "", "secrets", None, Some("other")),
            ),
        ),
        (
            "list secrets (no name)",
            !allowed(&alice, res("get", Some("dev"), "", "secrets", None, None)),
        ),
        // Non-resource URLs: exact, and prefixes ending in `*`, through ClusterRoleBindings.
        ("get /healthz", allowed(&alice, url("get", "/healthz"))),
        (
            "get /metrics/cadvisor",
            allowed(&alice, url("get", "/metrics/cadvisor")),
        ),
        ("get /metricsx", !allowed(&alice, url("get", "/metricsx"))),
        ("post /healthz", !allowed(&alice, url("post", "/healthz"))),
        // A ServiceAccount subject without a namespace takes the RoleBinding's.
        (
            "ci in dev",
            allowed(&ci, res("list", Some("dev"), "", "pods", None, None)),
        ),
        // Group subjects, and a Role referenced by a RoleBinding in its namespace.
        (
            "devs exec in dev",
            allowed(
                &dev,
                res("create", Some("dev"), "", "pods", Some("exec"), None),
            ),
        ),
        (
            "devs exec in prod",
            !allowed(
                &dev,
                res("create", Some("prod"), "", "pods", Some("exec"), None),
            ),
        ),
        // Implicit groups: system:authenticated holds every user and ServiceAccount, never
        // anonymous; system:unauthenticated holds anonymous.
        (
            "any user gets pods everywhere",
            allowed(&dev, res("get", Some("prod"), "", "pods", None, None)),
        ),
        (
            "anonymous is not authenticated",
            g.authorize(&anon, &url("get", "/healthz"))
                .iter()
                .all(|v| v.binding != "ClusterRoleBinding/everyone-health"),
        ),
        (
            "anonymous may read the health endpoints, as the bootstrap policy lets it",
            g.authorize(&anon, &url("get", "/healthz"))
                == vec![Via {
                    binding: "ClusterRoleBinding/system:public-info-viewer".into(),
                    role: "ClusterRole/system:public-info-viewer".into(),
                    builtin_binding: true,
                    builtin_role: true,
                }],
        ),
        (
            "anonymous is unauthenticated",
            anon.groups.contains(&"system:unauthenticated".to_string()),
        ),
        // A ServiceAccount subject of a ClusterRoleBinding needs a namespace to match anyone.
        ("namespace-less SA in a ClusterRoleBinding", {
            let b = g
                .bindings
                .iter()
                .find(|b| b.name == "everyone-health")
                .unwrap();
            b.subjects.len() == 2
                && b.subjects[1].namespace.is_none()
                && !Identity::service_account("", "no-namespace").matches(&b.subjects[1])
        }),
        // cluster-admin is built in: everything, cluster-scoped and non-resource included.
        (
            "ops deletes nodes",
            allowed(&ops, res("delete", None, "", "nodes", None, None)),
        ),
        (
            "ops posts /anything",
            allowed(&ops, url("post", "/anything")),
        ),
        // Aggregation is transitive; an empty selector selects every ClusterRole.
        (
            "prometheus lists nodes via aggregation",
            allowed(&prometheus, res("list", None, "", "nodes", None, None)),
        ),
        (
            "an empty selector aggregates every ClusterRole, cluster-admin included",
            allowed(
                &Identity::user("ann", &["auditors".to_string()]),
                url("delete", "/anything"),
            ),
        ),
        // RoleBindings do not grant cluster-scoped requests.
        (
            "alice lists nodes",
            !allowed(&alice, res("list", None, "", "nodes", None, None)),
        ),
        (
            "the dev RoleBinding grants nothing cluster-scoped",
            g.authorize(&ci, &url("get", "/healthz"))
                .iter()
                .all(|v| v.binding.starts_with("ClusterRoleBinding/")),
        ),
    ];
    let failed: Vec<&str> = cases
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(n, _)| *n)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn who_can_names_bindings_and_roles() {
    let g = graph();
    let found = g
        .who_can(&res("create", Some("dev"), "", "pods", Some("exec"), None))
        .subjects;
    let names: Vec<String> = found.iter().map(|(s, _)| s.display()).collect();
    assert_eq!(
        names,
        vec![
            "Group auditors",
            "Group devs",
            "Group system:masters",
            "ServiceAccount ops/ops"
        ]
    );
    assert_eq!(
        found[1].1,
        vec![Via {
            binding: "RoleBinding/dev/exec".into(),
            role: "Role/dev/exec".into(),
            builtin_binding: false,
            builtin_role: false,
        }]
    );
    assert_eq!(
        found[2].1,
        vec![Via {
            binding: "ClusterRoleBinding/cluster-admin".into(),
            role: "ClusterRole/cluster-admin".into(),
            builtin_binding: true,
            builtin_role: true,
        }],
        "the bootstrap policy binds cluster-admin to system:masters"
    );
    // In any namespace, RoleBindings of every namespace count; cluster scope only
    // ClusterRoleBindings.
    let secrets = |scope: Scope| {
        let mut r = res("get", None, "", "secrets", None, Some("app-token"));
        r.scope = scope;
        g.who_can(&r)
            .subjects
            .into_iter()
            .map(|(s, _)| s.display())
            .collect::<Vec<_>>()
    };
    assert!(secrets(Scope::AnyNamespace).contains(&"User alice".to_string()));
    assert!(!secrets(Scope::Cluster).contains(&"User alice".to_string()));
    assert!(secrets(Scope::Cluster).contains(&"Group system:authenticated".to_string()));
}

#[test]
fn permissions_list_each_granted_rule_where_it_applies() {
    let g = graph();
    let perms = g.permissions(&Identity::service_account("dev", "ci"));
    assert!(perms.iter().any(
        |p| p.namespace.as_deref() == Some("dev") && p.via.binding == "RoleBinding/dev/readers"
    ));
    assert!(perms.iter().any(|p| p.namespace.is_none() && p.via.binding == "ClusterRoleBinding/everyone-health"));
    assert!(g.unresolved().next().is_none());
}

#[test]
fn risks_explain_the_escalation_path() {
    let g = graph();
    let risks = g.risks();
    let path_of = |who: &str, power: Power| {
        risks
            .iter()
            .find(|r| r.subject.display() == who && r.power == power)
            .map(|r| r.path.clone())
            .unwrap_or_else(|| panic!("no {power:?} for {who}: {risks:#?}"))
    };
    assert_eq!(
        path_of("ServiceAccount dev/ci", Power::CreateWorkloads),
        "ServiceAccount dev/ci can create deployments in namespace dev (via RoleBinding/dev/runner -> Role/dev/runner) -> can run pods as any ServiceAccount of the namespace -> a pod running as ServiceAccount dev/backup can read Secret values"
    );
    assert!(path_of("ServiceAccount ops/ops", Power::Admin).contains("cluster-wide (via ClusterRoleBinding/ops-admin -> ClusterRole/cluster-admin) -> can do anything"));
    // cluster-admin is reported once, not as each of its powers.
    assert!(
        !risks
            .iter()
            .any(|r| r.subject.name == "ops" && r.power != Power::Admin)
    );
    // The pods that hold a power through their ServiceAccount.
    let backup = risks.iter().find(|r| r.subject.name == "backup").unwrap();
    assert_eq!(backup.held_by, vec!["Deployment/dev/backup"]);
}

#[test]
fn least_privilege_roles_allow_exactly_what_was_observed() {
    let seen = vec![
        res("get", Some("prod"), "", "secrets", None, Some("db")),
        res("get", Some("prod"), "", "secrets", None, Some("api")),
        res("list", Some("prod"), "apps", "deployments", None, None),
        res(
            "patch",
            Some("prod"),
            "apps",
            "deployments",
            None,
            Some("web"),
        ),
        res(
            "create",
            Some("prod"),
            "",
            "pods",
            Some("exec"),
            Some("web-1"),
        ),
        res("get", Some("dev"), "", "configmaps", None, None),
        res("list", None, "", "nodes", None, None),
        url("get", "/healthz"),
    ];
    let generated = least_privilege(&seen);
    let mut g = RbacGraph::default();
    let subject = SubjectRef {
        kind: SubjectKind::ServiceAccount,
        name: "deployer".into(),
        namespace: Some("ci".into()),
    };
    for (i, (scope, rules)) in generated.iter().enumerate() {
        let (kind, namespace) = match scope {
            Scope::Namespace(ns) => (RoleKind::Role, Some(ns.clone())),
            _ => (RoleKind::ClusterRole, None),
        };
        g.roles.push(Role {
            kind,
            namespace: namespace.clone(),
            name: format!("generated-{i}"),
            labels: BTreeMap::new(),
            rules: rules.clone(),
            aggregation: None,
            location: None,
            builtin: false,
        });
        g.bindings.push(Binding {
            cluster: kind == RoleKind::ClusterRole,
            namespace,
            name: format!("generated-{i}"),
            role_kind: Some(kind),
            role_name: format!("generated-{i}"),
            subjects: vec![subject.clone()],
            location: None,
            subject_locations: vec![None],
            builtin: false,
        });
    }
    g.resolve();
    let id = Identity::of_subject(&subject);
    for r in &seen {
        assert!(
            !g.authorize(&id, r).is_empty(),
            "observed but denied: {r:?}"
        );
    }
    for r in [
        res("get", Some("prod"), "", "secrets", None, Some("other")),
        res("list", Some("prod"), "", "secrets", None, None),
        res(
            "delete",
            Some("prod"),
            "apps",
            "deployments",
            None,
            Some("web"),
        ),
        res(
            "patch",
            Some("prod"),
            "apps",
            "deployments",
            None,
            Some("api"),
        ),
        res(
            "list",
            Some("prod"),
            "apps",
            "deployments",
            Some("scale"),
            None,
        ),
        res("get", Some("prod"), "", "configmaps", None, None),
        res("get", None, "", "nodes", None, Some("n1")),
        url("get", "/metrics"),
    ] {
        assert!(
            g.authorize(&id, &r).is_empty(),
            "not observed but allowed: {r:?}"
        );
    }
    // One Role per namespace, and a ClusterRole for nodes and /healthz.
    let scopes: Vec<&Scope> = generated.iter().map(|(s, _)| s).collect();
    assert_eq!(
        scopes,
        vec![
            &Scope::Cluster,
            &Scope::Namespace("dev".into()),
            &Scope::Namespace("prod".into())
        ]
    );
}

#[test]
fn csr_approval_takes_all_three_grants() {
    let yaml = |approve_signers: bool| {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: csr}}\nrules:\n- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests]\n  verbs: [create]\n- apiGroups: [certificates.k8s.io]\n  resources: [certificatesigningrequests/approval]\n  verbs: [update]\n- apiGroups: [certificates.k8s.io]\n  resources: [signers]\n  verbs: [{}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {{name: csr}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: csr}}\nsubjects: [{{kind: User, name: mallory}}]\n",
            if approve_signers { "approve" } else { "get" }
        )
    };
    for (signers, expected) in [(true, true), (false, false)] {
        let text = yaml(signers);
        let g = graph_of(&text);
        let found = g.risks().iter().any(|r| r.power == Power::ApproveCsr);
        assert_eq!(found, expected, "approve on signers: {signers}");
    }
}

/// Bindings of one subject per case, for the scope and built-in policy tests.
const SCOPED: &str = r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: everything, namespace: dev}
rules:
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-admin, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: everything}
subjects: [{kind: User, name: dana}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: node-and-pod-writer}
rules:
- {apiGroups: [""], resources: [nodes, pods, namespaces], verbs: [get, list, patch]}
- {apiGroups: [""], resources: [persistentvolumes], verbs: [create]}
- {nonResourceURLs: [/metrics], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: writer, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-and-pod-writer}
subjects: [{kind: User, name: rita}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: writer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: node-and-pod-writer}
subjects: [{kind: User, name: carl}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: editors}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: deployer}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: User, name: vic}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: mystery, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: not-in-the-input}
subjects: [{kind: User, name: mo}]
"#;

fn user(name: &str) -> Identity {
    Identity::user(name, &[])
}

#[test]
fn a_role_binding_grants_only_namespaced_resources() {
    let g = load(SCOPED, Some("prod"), true);
    let nodes = res("list", None, "", "nodes", None, None);
    let who: Vec<String> = g
        .who_can(&nodes)
        .subjects
        .iter()
        .map(|(s, _)| s.display())
        .collect();
    assert!(who.contains(&"User carl".to_string()), "{who:?}");
    assert!(
        !who.contains(&"User dana".to_string()),
        "a wildcard Role: {who:?}"
    );
    assert!(
        !who.contains(&"User rita".to_string()),
        "a RoleBinding: {who:?}"
    );
    // Asking in a namespace does not change a cluster-scoped resource's scope.
    let in_dev = res("list", Some("dev"), "", "nodes", None, None);
    assert_eq!(g.request_scope(&in_dev), Scope::Cluster);
    assert!(g.authorize(&user("dana"), &in_dev).is_empty());
    assert!(g.authorize(&user("rita"), &in_dev).is_empty());
    assert!(!g.authorize(&user("carl"), &in_dev).is_empty());
    // Namespaced resources are granted in the binding's namespace.
    let pods = res("patch", Some("dev"), "", "pods", None, Some("web"));
    assert!(!g.authorize(&user("rita"), &pods).is_empty());
    assert!(!g.authorize(&user("dana"), &pods).is_empty());
    // The Namespace object itself carries its own name as namespace.
    let own = res("patch", None, "", "namespaces", None, Some("dev"));
    let other = res("patch", None, "", "namespaces", None, Some("prod"));
    let list = res("list", None, "", "namespaces", None, None);
    assert!(!g.authorize(&user("rita"), &own).is_empty());
    assert!(g.authorize(&user("rita"), &other).is_empty());
    assert!(g.authorize(&user("rita"), &list).is_empty());
    assert!(!g.authorize(&user("carl"), &list).is_empty());
    // Non-resource URLs only through ClusterRoleBindings.
    assert!(
        g.authorize(&user("rita"), &url("get", "/metrics"))
            .is_empty()
    );
    assert!(
        !g.authorize(&user("carl"), &url("get", "/metrics"))
            .is_empty()
    );
}

#[test]
fn permissions_through_a_role_binding_leave_out_cluster_scoped_resources() {
    let g = load(SCOPED, Some("prod"), true);
    /// (namespace, verbs, resources, resource names).
    type Row = (Option<String>, Vec<String>, Vec<String>, Vec<String>);
    let rules: Vec<Row> = g
        .permissions(&user("rita"))
        .into_iter()
        .filter(|p| !p.via.builtin_binding)
        .map(|p| {
            (
                p.namespace,
                p.rule.verbs,
                p.rule.resources,
                p.rule.resource_names,
            )
        })
        .collect();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        rules,
        vec![
            (
                Some("dev".into()),
                strings(&["get", "list", "patch"]),
                strings(&["pods"]),
                vec![]
            ),
            // Only the verbs whose URL names the Namespace object, and only its own.
            (
                Some("dev".into()),
                strings(&["get", "patch"]),
                strings(&["namespaces"]),
                strings(&["dev"])
            ),
        ]
    );
    let carl: Vec<Permission> = g
        .permissions(&user("carl"))
        .into_iter()
        .filter(|p| !p.via.builtin_binding)
        .collect();
    assert_eq!(
        carl.len(),
        3,
        "a ClusterRoleBinding grants every rule: {carl:#?}"
    );
}

#[test]
fn risks_through_a_role_binding_leave_out_cluster_scoped_powers() {
    let g = load(SCOPED, Some("prod"), true);
    let risks = g.risks();
    let powers = |who: &str| -> Vec<Power> {
        risks
            .iter()
            .filter(|r| r.subject.name == who)
            .map(|r| r.power)
            .collect()
    };
    assert!(powers("carl").contains(&Power::CreatePersistentVolumes));
    assert!(!powers("rita").contains(&Power::CreatePersistentVolumes));
    assert!(
        powers("rita").contains(&Power::ModifyNamespaces),
        "its own namespace"
    );
    assert!(
        !risks.iter().any(|r| r.subject.name == "system:masters"),
        "built-in bindings hold their powers by design"
    );
}

#[test]
fn bindings_to_built_in_roles_resolve() {
    let g = load(SCOPED, Some("prod"), true);
    let deployer = Identity::service_account("prod", "deployer");
    let create = res("create", Some("prod"), "apps", "deployments", None, None);
    let via = g.authorize(&deployer, &create);
    assert_eq!(via.len(), 1, "{via:?}");
    assert_eq!(via[0].role, "ClusterRole/edit");
    assert!(via[0].builtin_role && !via[0].builtin_binding);
    // edit reads Secrets, cannot grant roles; view reads neither Secrets nor writes.
    let secrets = res("get", Some("prod"), "", "secrets", None, None);
    assert!(!g.authorize(&deployer, &secrets).is_empty());
    let bind = res(
        "create",
        Some("prod"),
        "rbac.authorization.k8s.io",
        "rolebindings",
        None,
        None,
    );
    assert!(g.authorize(&deployer, &bind).is_empty());
    let vic = user("vic");
    assert!(
        !g.authorize(&vic, &res("list", Some("dev"), "", "pods", None, None))
            .is_empty()
    );
    assert!(
        g.authorize(&vic, &res("get", Some("dev"), "", "secrets", None, None))
            .is_empty()
    );
    assert!(
        g.authorize(&vic, &res("create", Some("dev"), "", "pods", None, None))
            .is_empty()
    );
    // Everyone authenticated may review its own access (system:basic-user).
    let review = res(
        "create",
        None,
        "authorization.k8s.io",
        "selfsubjectaccessreviews",
        None,
        None,
    );
    let via = g.authorize(&user("anyone"), &review);
    assert!(via.iter().any(|v| v.builtin_binding), "{via:?}");
    // Without the built-in policy, a binding to edit is a binding to an unknown role.
    let bare = load(SCOPED, Some("prod"), false);
    let decision = bare.decide(&deployer, &create);
    assert_eq!(decision.as_str(), "unknown");
    assert_eq!(decision.unknown[0].role, "ClusterRole/edit");
}

#[test]
fn a_missing_role_makes_the_answer_unknown_not_no() {
    let g = load(SCOPED, Some("prod"), true);
    let pods = res("delete", Some("dev"), "", "pods", None, Some("web"));
    let decision = g.decide(&user("mo"), &pods);
    assert_eq!(decision.as_str(), "unknown");
    assert_eq!(
        decision.unknown,
        vec![UnknownVia {
            binding: "RoleBinding/dev/mystery".into(),
            role: "ClusterRole/not-in-the-input".into()
        }]
    );
    // A known role that allows it settles the answer.
    assert_eq!(g.decide(&user("dana"), &pods).as_str(), "yes");
    // Elsewhere the binding does not apply: no.
    let elsewhere = res("delete", Some("prod"), "", "pods", None, Some("web"));
    assert_eq!(g.decide(&user("mo"), &elsewhere).as_str(), "no");
    let who = g.who_can(&pods);
    assert!(
        who.unknown
            .iter()
            .any(|(s, via)| s.display() == "User mo" && via[0].binding == "RoleBinding/dev/mystery")
    );
    assert!(!who.unknown.iter().any(|(s, _)| s.name == "dana"));
}

#[test]
fn objects_without_a_namespace_take_the_default_one() {
    let g = load(SCOPED, Some("prod"), true);
    let editors = g.bindings.iter().find(|b| b.name == "editors").unwrap();
    assert_eq!(editors.namespace.as_deref(), Some("prod"));
    assert_eq!(editors.subjects[0].namespace.as_deref(), Some("prod"));
    let unplaced = load(SCOPED, None, true);
    let editors = unplaced
        .bindings
        .iter()
        .find(|b| b.name == "editors")
        .unwrap();
    assert_eq!(editors.namespace, None);
}

#[test]
fn requests_that_carry_a_namespace_on_cluster_scoped_resources() {
    let g = load(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: grantor, namespace: dev}
rules:
- {apiGroups: [rbac.authorization.k8s.io], resources: [rolebindings], verbs: [create]}
- {apiGroups: [rbac.authorization.k8s.io], resources: [clusterroles], verbs: [bind, escalate]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: grantor, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: grantor}
subjects: [{kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: namespace-anything}
rules: [{apiGroups: [""], resources: [namespaces, namespaces/status], verbs: ["*"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ns, namespace: dev}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-anything}
subjects: [{kind: User, name: bob}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: unplaced}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: namespace-anything}
subjects: [{kind: User, name: uma}]
"#,
        None,
        true,
    );
    // The bind check of a RoleBinding in dev carries dev: a Role there can grant it.
    let bind = |ns: &str| {
        res(
            "bind",
            Some(ns),
            "rbac.authorization.k8s.io",
            "clusterroles",
            None,
            Some("admin"),
        )
    };
    assert!(!g.authorize(&user("alice"), &bind("dev")).is_empty());
    assert!(g.authorize(&user("alice"), &bind("prod")).is_empty());
    let escalate = res(
        "escalate",
        Some("dev"),
        "rbac.authorization.k8s.io",
        "clusterroles",
        None,
        Some("admin"),
    );
    assert!(
        g.authorize(&user("alice"), &escalate).is_empty(),
        "escalate stays cluster-scoped"
    );
    assert!(
        g.risks()
            .iter()
            .any(|r| r.subject.name == "alice" && r.power == Power::Bind)
    );
    // One Namespace object: only the verbs whose URL names it.
    for (verb, allowed) in [
        ("get", true),
        ("patch", true),
        ("delete", true),
        ("list", false),
        ("watch", false),
        ("create", false),
        ("deletecollection", false),
    ] {
        let r = res(verb, Some("dev"), "", "namespaces", None, Some("dev"));
        assert_eq!(!g.authorize(&user("bob"), &r).is_empty(), allowed, "{verb}");
    }
    let status = res(
        "update",
        None,
        "",
        "namespaces",
        Some("status"),
        Some("dev"),
    );
    assert!(!g.authorize(&user("bob"), &status).is_empty());
    // Without a namespace, a RoleBinding still grants no cluster-scoped resource, and its own
    // Namespace object cannot be named.
    assert!(
        g.permissions(&user("uma"))
            .iter()
            .all(|p| p.via.builtin_binding),
        "nothing of namespace-anything is grantable without knowing the namespace"
    );
    let alice: Vec<Vec<String>> = g
        .permissions(&user("alice"))
        .into_iter()
        .filter(|p| !p.via.builtin_binding)
        .map(|p| p.rule.verbs)
        .collect();
    assert_eq!(
        alice,
        vec![vec!["bind".to_string()], vec!["create".to_string()]]
    );
}

#[test]
fn service_account_powers_are_one_answer_for_every_front_door() {
    let g = load(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: all-accounts}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggregated}
subjects:
- {kind: Group, name: "system:serviceaccounts:shop"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: aggregated}
aggregationRule:
  clusterRoleSelectors: [{matchLabels: {tier: secrets}}]
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reads-secrets, labels: {tier: secrets}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer, namespace: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: ci}
- {kind: ServiceAccount, name: web, namespace: shop}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: Group, name: "system:authenticated"}
"#,
        Some("default"),
        false,
    );
    let powers = |ns: &str, name: &str| -> Vec<Power> {
        g.service_account_powers(ns, name)
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    };
    // system:authenticated holds cluster-admin: every account has it, whatever else.
    assert!(powers("other", "x").contains(&Power::Admin));
    let web = g.service_account_powers("shop", "web");
    // Through the namespace's group and an aggregated role.
    let read = web.iter().find(|(p, _)| *p == Power::ReadSecrets).unwrap();
    assert_eq!(read.1.binding, "ClusterRoleBinding/all-accounts");
    assert_eq!(read.1.role, "ClusterRole/aggregated");
    // A RoleBinding of another namespace gives its powers there: `web` can create workloads
    // in `ci` (the first binding that confers a power is the one named).
    let create = web
        .iter()
        .find(|(p, _)| *p == Power::CreateWorkloads)
        .unwrap();
    assert_eq!(create.1.binding, "RoleBinding/ci/deployer");
    // The built-in `edit` role, not in the input, grants through the RoleBinding in `ci`.
    let deployer = g.service_account_powers("ci", "deployer");
    let create = deployer
        .iter()
        .find(|(p, _)| *p == Power::CreateWorkloads)
        .expect("edit creates workloads");
    assert_eq!(create.1.role, "ClusterRole/edit");
    assert!(create.1.builtin_role);
    // `rbac risks` reads the same answer for its "a pod running as it" hop.
    let (own, by_namespace, everyone) = g.account_power_sets();
    assert!(everyone.contains(&Power::Admin));
    assert!(by_namespace["shop"].contains(&Power::ReadSecrets));
    assert!(own[&("shop", "web")].contains(&Power::CreateWorkloads));
}
