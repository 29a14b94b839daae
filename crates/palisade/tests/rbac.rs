//! `palisade rbac who-can | can-i | permissions` end to end.

mod common;

use common::{dir_with, palisade, run};
use serde_json::{Value, json};

const POLICY: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: deployer, namespace: prod}
rules:
- apiGroups: [apps]
  resources: [deployments]
  verbs: [get, list, create, update, patch]
- apiGroups: ['']
  resources: [pods/exec]
  verbs: [create]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ci-deployer, namespace: prod}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
- {kind: ServiceAccount, name: deployer, namespace: ci}
- {kind: Group, name: release-managers}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: break-glass}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: User, name: alice}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: viewers}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: Group, name: system:authenticated}
";

fn rbac(args: &[&str]) -> (i32, String, String) {
    let dir = dir_with(&[("rbac.yaml", POLICY.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).arg("rbac").args(args));
    (r.code, r.stdout, r.stderr)
}

/// One audit.k8s.io/v1 event line of a request that succeeded.
fn audit_event(verb: &str, user: &str, object: &str) -> String {
    audit_line(verb, user, object, "", "ResponseComplete", Some(200))
}

/// One audit.k8s.io/v1 event line: a stage of request `id` and its response code, if any.
fn audit_line(
    verb: &str,
    user: &str,
    object: &str,
    id: &str,
    stage: &str,
    code: Option<u16>,
) -> String {
    let status = code
        .map(|c| format!(r#","responseStatus":{{"code":{c}}}"#))
        .unwrap_or_default();
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"{stage}","verb":"{verb}","requestURI":"/x","user":{{"username":"{user}","groups":["system:serviceaccounts"]}},"objectRef":{object}{status}}}"#
    )
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn who_can_lists_subjects_with_binding_and_role() {
    let (code, out, err) = rbac(&[
        "who-can",
        "create",
        "pods/exec",
        "-n",
        "prod",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let via = |binding: &str, role: &str, builtin: (bool, bool)| {
        json!([{"binding": binding, "role": role,
                "builtinBinding": builtin.0, "builtinRole": builtin.1}])
    };
    assert_eq!(
        json_of(&out),
        json!({"subjects": [
            {"kind": "User", "name": "alice", "namespace": null,
             "via": via("ClusterRoleBinding/break-glass", "ClusterRole/cluster-admin", (false, true))},
            {"kind": "Group", "name": "release-managers", "namespace": null,
             "via": via("RoleBinding/prod/ci-deployer", "Role/prod/deployer", (false, false))},
            {"kind": "Group", "name": "system:masters", "namespace": null,
             "via": via("ClusterRoleBinding/cluster-admin", "ClusterRole/cluster-admin", (true, true))},
            {"kind": "ServiceAccount", "name": "deployer", "namespace": "ci",
             "via": via("RoleBinding/prod/ci-deployer", "Role/prod/deployer", (false, false))},
        ], "unknown": [], "warnings": []})
    );
    // The built-in `view` resolves: nothing is left unknown.
    assert!(!err.contains("viewers"), "{err}");
    // Another namespace: only the cluster-wide grant is left.
    let (_, out, _) = rbac(&[
        "who-can",
        "create",
        "pods",
        "--subresource",
        "exec",
        "-n",
        "dev",
    ]);
    assert_eq!(
        out,
        "User alice\n    via ClusterRoleBinding/break-glass -> ClusterRole/cluster-admin (built-in)\n\
         Group system:masters\n    via ClusterRoleBinding/cluster-admin (built-in) -> ClusterRole/cluster-admin (built-in)\n"
    );
}

#[test]
fn can_i_answers_with_exit_codes() {
    let (code, out, _) = rbac(&[
        "can-i",
        "--as",
        "system:serviceaccount:ci:deployer",
        "patch",
        "deployments.apps",
        "-n",
        "prod",
    ]);
    assert_eq!((code, out.lines().next()), (0, Some("yes")));
    assert!(
        out.contains("via RoleBinding/prod/ci-deployer -> Role/prod/deployer"),
        "{out}"
    );
    let (code, out, _) = rbac(&[
        "can-i",
        "--as",
        "ServiceAccount/ci/deployer",
        "delete",
        "deployments.apps",
        "-n",
        "prod",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        json_of(&out),
        json!({"allowed": false, "decision": "no", "via": [], "unknown": [], "warnings": []})
    );
    // Group membership comes from --as-group.
    let (code, _, _) = rbac(&[
        "can-i",
        "--as",
        "bob",
        "--as-group",
        "release-managers",
        "create",
        "pods/exec",
        "-n",
        "prod",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = rbac(&["can-i", "--as", "bob", "create", "pods/exec", "-n", "prod"]);
    assert_eq!(code, 1);
    // Non-resource URLs, through cluster-admin.
    let (code, _, _) = rbac(&["can-i", "--as", "User/alice", "get", "/metrics"]);
    assert_eq!(code, 0);
    let (code, _, err) = rbac(&["can-i", "--as", "ServiceAccount/only-two", "get", "pods"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a subject"), "{err}");
}

#[test]
fn permissions_print_rules_where_they_apply() {
    let (code, out, _) = rbac(&[
        "permissions",
        "system:serviceaccount:ci:deployer",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let json = json_of(&out);
    let all = json["rules"].as_array().unwrap();
    let rules: Vec<&Value> = all.iter().filter(|r| r["namespace"] == "prod").collect();
    assert_eq!(rules.len(), 2, "{json:#}");
    // Cluster-wide: `view` through the viewers binding, and what the built-in bindings give
    // every authenticated identity.
    assert!(all.iter().any(|r| r["namespace"].is_null()
        && r["resource"] == "pods"
        && r["via"][0]["binding"] == "ClusterRoleBinding/viewers"
        && r["via"][0]["builtinRole"] == true));
    assert!(
        all.iter()
            .any(|r| r["resource"] == "selfsubjectaccessreviews"
                && r["via"][0]["builtinBinding"] == true)
    );
    assert_eq!(
        *rules[0],
        json!({"namespace": "prod", "apiGroup": "", "resource": "pods", "subresource": "exec",
               "resourceNames": [], "verbs": ["create"],
               "via": [{"binding": "RoleBinding/prod/ci-deployer", "role": "Role/prod/deployer",
                        "builtinBinding": false, "builtinRole": false}]})
    );
    assert_eq!(
        rules[1]["verbs"],
        json!(["get", "list", "create", "update", "patch"])
    );
    let (_, out, _) = rbac(&["permissions", "User/alice"]);
    assert!(out.starts_with("User alice\n"), "{out}");
    assert!(out.contains("(cluster)"), "{out}");
    assert!(out.contains("NON-RESOURCE URL"), "{out}");
}

#[test]
fn risks_are_findings_with_escalation_paths() {
    let (code, out, _) = rbac(&["risks", "--format", "json"]);
    assert_eq!(code, 1, "{out}");
    let json = json_of(&out);
    let findings = json["findings"].as_array().unwrap();
    let by_rule = |id: &str| findings.iter().find(|f| f["rule"] == id).cloned();
    let admin = by_rule("RBAC002").expect("cluster-admin grant");
    assert_eq!(
        admin["message"],
        "User alice can use every verb on every resource cluster-wide (via ClusterRoleBinding/break-glass -> ClusterRole/cluster-admin) -> can do anything"
    );
    assert_eq!(admin["location"]["path"], "./rbac.yaml");
    assert_eq!(admin["object"]["kind"], "ClusterRoleBinding");
    let execs: Vec<&str> = findings
        .iter()
        .filter(|f| f["rule"] == "RBAC015")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        execs,
        vec![
            "ServiceAccount ci/deployer can create pods/exec in namespace prod (via RoleBinding/prod/ci-deployer -> Role/prod/deployer) -> can run commands in containers",
            "Group release-managers can create pods/exec in namespace prod (via RoleBinding/prod/ci-deployer -> Role/prod/deployer) -> can run commands in containers",
        ]
    );
    let (code, out, _) = rbac(&["risks", "--format", "sarif", "--fail-on", "never"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"ruleId\": \"RBAC002\""), "{out}");
}

#[test]
fn unused_grants_and_leftovers_are_findings() {
    let leftovers = "apiVersion: v1
kind: ServiceAccount
metadata: {name: app, namespace: shop}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: idle, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: shop}
spec:
  template:
    spec:
      serviceAccountName: app
      containers: [{name: a, image: x}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: shop}
rules: [{apiGroups: [''], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: forgotten, namespace: shop}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: app}
- {kind: ServiceAccount, name: idle}
- {kind: ServiceAccount, name: gone}
- {kind: ServiceAccount, name: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ghost, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ghost}
subjects: [{kind: ServiceAccount, name: app}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: viewers, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: app}]
---
apiVersion: v1
kind: Secret
type: kubernetes.io/service-account-token
metadata:
  name: app-token
  namespace: shop
  annotations: {kubernetes.io/service-account.name: app}
";
    let dir = dir_with(&[("shop.yaml", leftovers.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["rbac", "unused", "--format", "json"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let json = json_of(&r.stdout);
    let mut found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    let expected: Vec<(String, String)> = [
        ("RBAC029", "RoleBinding grants reader to ServiceAccount default, which every pod of the namespace without its own ServiceAccount runs as"),
        ("RBAC032", "Role \"forgotten\" is granted by no binding of the scanned set"),
        ("RBAC032", "RoleBinding grants Role \"ghost\", which is not in the scanned set"),
        ("RBAC032", "RoleBinding grants its role to ServiceAccount shop/gone, which is not among the scanned ServiceAccounts of its namespace"),
        ("RBAC032", "ServiceAccount shop/idle holds grants but no workload of the scanned set runs as it"),
        ("SEC005", "Secret holds a long-lived token for ServiceAccount \"app\""),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(found, expected);
    // `rbac unused` is `scan` with those rules: the two agree finding for finding.
    let scan = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--select",
        "RBAC032,RBAC029,SEC005",
        "--format",
        "json",
    ]));
    let scanned = json_of(&scan.stdout);
    assert_eq!(scanned["findings"], json["findings"]);
}

#[test]
fn generated_roles_from_audit_events_allow_what_was_done_and_nothing_else() {
    let event = audit_event;
    let sa = "system:serviceaccount:ci:deployer";
    let log = [
        event("get", sa, r#"{"resource":"secrets","namespace":"prod","name":"db","apiVersion":"v1"}"#),
        event("patch", sa, r#"{"resource":"deployments","namespace":"prod","name":"web","apiGroup":"apps","apiVersion":"v1"}"#),
        event("list", sa, r#"{"resource":"deployments","namespace":"prod","apiGroup":"apps","apiVersion":"v1"}"#),
        event("list", sa, r#"{"resource":"nodes","apiVersion":"v1"}"#),
        event("delete", "alice", r#"{"resource":"secrets","namespace":"prod","name":"db","apiVersion":"v1"}"#),
    ]
    .join("\n");
    let dir = dir_with(&[("audit.log", log.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args([
        "rbac",
        "generate",
        "--from-audit",
        "audit.log",
        "--serviceaccount",
        "ci/deployer",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .starts_with("# Least-privilege RBAC for ServiceAccount ci/deployer from 4 requests"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("kind: ClusterRole\n"), "{}", r.stdout);
    std::fs::write(dir.path().join("generated.yaml"), &r.stdout).unwrap();
    let can = |args: &[&str]| {
        let r = run(palisade()
            .current_dir(dir.path())
            .args(["rbac", "can-i", "--as", sa])
            .args(args)
            .arg("generated.yaml"));
        r.code
    };
    assert_eq!(can(&["get", "secrets", "--name", "db", "-n", "prod"]), 0);
    assert_eq!(
        can(&["patch", "deployments.apps", "--name", "web", "-n", "prod"]),
        0
    );
    assert_eq!(can(&["list", "deployments.apps", "-n", "prod"]), 0);
    assert_eq!(can(&["list", "nodes", "--cluster"]), 0);
    assert_eq!(can(&["get", "secrets", "--name", "other", "-n", "prod"]), 1);
    assert_eq!(can(&["delete", "secrets", "--name", "db", "-n", "prod"]), 1);
    assert_eq!(can(&["list", "deployments.apps", "-n", "dev"]), 1);
}

#[test]
fn generate_diff_shows_granted_permissions_never_used() {
    let event =
        |verb: &str, object: &str| audit_event(verb, "system:serviceaccount:ci:deployer", object);
    let log = [
        event(
            "patch",
            r#"{"resource":"deployments","namespace":"prod","name":"web","apiGroup":"apps"}"#,
        ),
        event(
            "create",
            r#"{"resource":"pods","subresource":"exec","namespace":"prod","name":"web-1"}"#,
        ),
    ]
    .join("\n");
    let dir = dir_with(&[
        ("rbac.yaml", POLICY.as_bytes()),
        ("audit.log", log.as_bytes()),
    ]);
    let r = run(palisade().current_dir(dir.path()).args([
        "rbac",
        "generate",
        "--from-audit",
        "audit.log",
        "--serviceaccount",
        "ci/deployer",
        "--diff",
        "rbac.yaml",
    ]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("--- granted\n+++ used\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("-prod             apps/deployments  get,list,create,update,patch\n+prod             apps/deployments  patch\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains(" prod             pods/exec  create\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn snapshots_in_list_form_are_read_like_manifests() {
    // `kubectl get clusterrolebindings -o json` returns a typed list whose items omit their kind.
    let snapshot = r#"{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBindingList",
 "items": [{"metadata": {"name": "break-glass"},
   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
   "subjects": [{"kind": "User", "name": "alice"}]}]}"#;
    let dir = dir_with(&[("snapshot.json", snapshot.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args([
        "rbac",
        "who-can",
        "delete",
        "nodes",
        "--cluster",
        "--format",
        "json",
        "snapshot.json",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        json_of(&r.stdout)["subjects"][0]["via"][0]["binding"],
        "ClusterRoleBinding/break-glass"
    );
}

/// Manifests applied with `kubectl apply -n`: no namespaces of their own.
const UNPLACED: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: everything}
rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: team-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: everything}
subjects: [{kind: User, name: dana}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: deployer}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{kind: ServiceAccount, name: deployer}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: mystery}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: team-special}
subjects: [{kind: User, name: mo}]
";

fn unplaced(args: &[&str]) -> (i32, String, String) {
    let dir = dir_with(&[("team.yaml", UNPLACED.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).arg("rbac").args(args));
    (r.code, r.stdout, r.stderr)
}

#[test]
fn role_bindings_never_grant_cluster_scoped_resources() {
    // A wildcard Role through a RoleBinding: every namespaced resource, no node.
    let (code, out, _) = unplaced(&["who-can", "list", "nodes", "-n", "team", "--format", "json"]);
    assert_eq!(
        code, 0,
        "mo's unknown role is bound by a RoleBinding: not for nodes: {out}"
    );
    let json = json_of(&out);
    let names: Vec<&str> = json["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"dana"), "{out}");
    assert_eq!(
        json["unknown"],
        json!([]),
        "a RoleBinding cannot grant nodes: {out}"
    );
    let (code, out, err) = unplaced(&["can-i", "--as", "dana", "delete", "nodes", "-n", "team"]);
    assert_eq!((code, out.as_str()), (1, "no\n"));
    assert!(err.contains("`nodes` is cluster-scoped"), "{err}");
    let (code, _, _) = unplaced(&["can-i", "--as", "dana", "delete", "secrets", "-n", "team"]);
    assert_eq!(code, 0);
    // Her own Namespace object is in her namespace; the list of namespaces is not.
    let (code, _, _) = unplaced(&[
        "can-i",
        "--as",
        "dana",
        "patch",
        "namespaces",
        "--name",
        "team",
        "-n",
        "team",
    ]);
    assert_eq!(code, 0);
    let (code, _, _) = unplaced(&["can-i", "--as", "dana", "list", "namespaces", "-n", "team"]);
    assert_eq!(code, 1);
    // Non-resource URLs need a ClusterRoleBinding.
    let (code, _, _) = unplaced(&["can-i", "--as", "dana", "get", "/metrics", "-n", "team"]);
    assert_eq!(code, 1);
}

#[test]
fn namespace_option_places_objects_without_one() {
    // `-n` is where the request is asked and where the manifests were applied.
    let (code, out, _) = unplaced(&[
        "can-i",
        "--as",
        "ServiceAccount team/deployer",
        "create",
        "deployments",
        "-n",
        "team",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("via RoleBinding/team/deployer -> ClusterRole/edit (built-in)"),
        "{out}"
    );
    let (code, _, _) = unplaced(&[
        "can-i",
        "--as",
        "ServiceAccount team/deployer",
        "create",
        "deployments",
        "-n",
        "other",
    ]);
    assert_eq!(code, 1);
    let (_, out, _) = unplaced(&[
        "permissions",
        "team/deployer",
        "-n",
        "team",
        "--format",
        "json",
    ]);
    let json = json_of(&out);
    let own: Vec<&Value> = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["via"][0]["builtinBinding"] == false)
        .collect();
    assert!(own.iter().all(|r| r["namespace"] == "team"), "{out}");
    assert!(!own.is_empty(), "{out}");
}

#[test]
fn subjects_are_accepted_in_every_printed_form() {
    for form in [
        "system:serviceaccount:team:deployer",
        "ServiceAccount/team/deployer",
        "ServiceAccount team/deployer",
        "serviceaccount/team/deployer",
        "sa/team/deployer",
        "team/deployer",
    ] {
        let (code, out, err) = unplaced(&[
            "can-i",
            "--as",
            form,
            "patch",
            "deployments.apps",
            "-n",
            "team",
        ]);
        assert_eq!(
            (code, out.lines().next()),
            (0, Some("yes")),
            "{form}: {err}"
        );
    }
    for form in ["User dana", "User/dana", "dana"] {
        let (code, _, err) = unplaced(&["can-i", "--as", form, "get", "pods", "-n", "team"]);
        assert_eq!(code, 0, "{form}: {err}");
    }
    let (code, _, err) = unplaced(&["can-i", "--as", "Group devs", "get", "pods", "-n", "team"]);
    assert_eq!(code, 1, "{err}");
    for bad in [
        "team/",
        "/deployer",
        "ServiceAccount/only-two",
        "User/",
        "two words",
    ] {
        let (code, _, err) = unplaced(&["can-i", "--as", bad, "get", "pods", "-n", "team"]);
        assert_eq!(code, 2, "{bad}");
        assert!(err.contains("is not a subject"), "{bad}: {err}");
    }
}

#[test]
fn bindings_to_missing_roles_answer_unknown_not_no() {
    let (code, out, _) = unplaced(&[
        "can-i", "--as", "mo", "get", "pods", "-n", "team", "--format", "json",
    ]);
    assert_eq!(code, 3, "{out}");
    assert_eq!(
        json_of(&out),
        json!({"allowed": false, "decision": "unknown", "via": [],
               "unknown": [{"binding": "RoleBinding/team/mystery", "role": "ClusterRole/team-special"}],
               "warnings": []})
    );
    let (code, out, _) = unplaced(&["can-i", "--as", "mo", "get", "pods", "-n", "team"]);
    assert_eq!(code, 3);
    assert!(out.starts_with("unknown\n"), "{out}");
    let (code, out, _) = unplaced(&["who-can", "get", "pods", "-n", "team"]);
    assert_eq!(code, 3);
    assert!(
        out.contains("Unknown: bound to roles neither in the input nor built in"),
        "{out}"
    );
    assert!(
        out.contains(
            "User mo\n    via RoleBinding/team/mystery -> ClusterRole/team-special (missing)"
        ),
        "{out}"
    );
    // Without the built-in roles, edit is unknown too.
    let (code, out, _) = unplaced(&[
        "can-i",
        "--as",
        "team/deployer",
        "create",
        "deployments.apps",
        "-n",
        "team",
        "--no-builtin-roles",
    ]);
    assert_eq!((code, out.lines().next()), (3, Some("unknown")), "{out}");
}

#[test]
fn resources_are_resolved_as_kubectl_resolves_them() {
    // No group: the one group that serves it.
    let (code, _, err) = unplaced(&[
        "can-i",
        "--as",
        "team/deployer",
        "create",
        "deployments",
        "-n",
        "team",
    ]);
    assert_eq!(code, 0);
    assert!(
        err.contains("note: `deployments` is `deployments.apps`"),
        "{err}"
    );
    // A typo is said, not answered as "nobody".
    let (code, out, err) = unplaced(&[
        "who-can", "get", "secretz", "-n", "team", "--format", "json",
    ]);
    assert!(
        err.contains("warning: `secretz` is neither a resource of Kubernetes v1.35"),
        "{err}"
    );
    let json = json_of(&out);
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(1), "{out}");
    assert_eq!(code, 3, "mo's unknown role may grant it");
    // A CRD in the input defines its resource and scope.
    let crd = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: clusterwidgets.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {plural: clusterwidgets, kind: ClusterWidget}
";
    let dir = dir_with(&[
        ("team.yaml", UNPLACED.as_bytes()),
        ("crd.yaml", crd.as_bytes()),
    ]);
    let r = run(palisade().current_dir(dir.path()).args([
        "rbac",
        "can-i",
        "--as",
        "dana",
        "delete",
        "clusterwidgets.example.com",
        "-n",
        "team",
    ]));
    assert_eq!(r.code, 1, "a cluster-scoped custom resource: {}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn generate_ignores_refused_requests_and_diff_covers_cluster_scope() {
    let sa = "system:serviceaccount:ci:deployer";
    let with_status = |verb: &str, object: &str, id: &str, stage: &str, code: Option<u16>| {
        audit_line(verb, sa, object, id, stage, code)
    };
    let log = [
        // Refused: both stages of the request are left out.
        with_status(
            "delete",
            r#"{"resource":"secrets","namespace":"prod","name":"db"}"#,
            "a",
            "RequestReceived",
            None,
        ),
        with_status(
            "delete",
            r#"{"resource":"secrets","namespace":"prod","name":"db"}"#,
            "a",
            "ResponseComplete",
            Some(403),
        ),
        // Allowed (a 404 comes after authorization).
        with_status(
            "get",
            r#"{"resource":"secrets","namespace":"prod","name":"gone"}"#,
            "b",
            "ResponseComplete",
            Some(404),
        ),
        // Refused by admission (Pod Security) after the authorizer allowed it.
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"d","stage":"ResponseComplete","verb":"create","requestURI":"/x","user":{"username":"system:serviceaccount:ci:deployer"},"objectRef":{"resource":"pods","namespace":"prod"},"responseStatus":{"code":403},"annotations":{"authorization.k8s.io/decision":"allow"}}"#.to_string(),
        with_status(
            "list",
            r#"{"resource":"nodes"}"#,
            "c",
            "ResponseComplete",
            Some(200),
        ),
    ]
    .join("\n");
    let granted = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: nodes}
rules: [{apiGroups: [''], resources: [nodes], verbs: [get, list, watch]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: deployer-nodes}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: nodes}
subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
";
    let dir = dir_with(&[
        ("audit.log", log.as_bytes()),
        ("rbac.yaml", granted.as_bytes()),
    ]);
    let r = run(palisade().current_dir(dir.path()).args([
        "rbac",
        "generate",
        "--from-audit",
        "audit.log",
        "--serviceaccount",
        "ci/deployer",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("delete"),
        "a refused request grants nothing: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("resourceNames:\n  - gone\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("resources:\n  - pods\n  verbs:\n  - create\n"),
        "admission refused it, the authorizer allowed it: {}",
        r.stdout
    );
    assert!(
        r.stderr.contains("left out 1 refused request"),
        "{}",
        r.stderr
    );
    let r = run(palisade().current_dir(dir.path()).args([
        "rbac",
        "generate",
        "--from-audit",
        "audit.log",
        "--serviceaccount",
        "ci/deployer",
        "--diff",
        "rbac.yaml",
    ]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("-(cluster)        nodes  get,list,watch\n+(cluster)        nodes  list\n"),
        "{}",
        r.stdout
    );
}
