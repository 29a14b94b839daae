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

/// One audit.k8s.io/v1 event line.
fn audit_event(verb: &str, user: &str, object: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseComplete","verb":"{verb}","requestURI":"/x","user":{{"username":"{user}","groups":["system:serviceaccounts"]}},"objectRef":{object},"responseStatus":{{"code":200}}}}"#
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
    assert_eq!(
        json_of(&out),
        json!({"subjects": [
            {"kind": "User", "name": "alice", "namespace": null,
             "via": [{"binding": "ClusterRoleBinding/break-glass", "role": "ClusterRole/cluster-admin"}]},
            {"kind": "Group", "name": "release-managers", "namespace": null,
             "via": [{"binding": "RoleBinding/prod/ci-deployer", "role": "Role/prod/deployer"}]},
            {"kind": "ServiceAccount", "name": "deployer", "namespace": "ci",
             "via": [{"binding": "RoleBinding/prod/ci-deployer", "role": "Role/prod/deployer"}]},
        ]})
    );
    // The `view` ClusterRole is not in the input: said on stderr, not guessed.
    assert!(err.contains("ClusterRoleBinding/viewers -> view"), "{err}");
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
        "User alice\n    via ClusterRoleBinding/break-glass -> ClusterRole/cluster-admin\n"
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
    assert_eq!(json_of(&out), json!({"allowed": false, "via": []}));
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
    let rules = json["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2, "{json:#}");
    assert_eq!(
        rules[0],
        json!({"namespace": "prod", "apiGroup": "", "resource": "pods", "subresource": "exec",
               "resourceNames": [], "verbs": ["create"],
               "via": [{"binding": "RoleBinding/prod/ci-deployer", "role": "Role/prod/deployer"}]})
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
        ("RBAC029", "RoleBinding/shop/readers grants to ServiceAccount shop/default: every pod of the namespace without a serviceAccountName holds it"),
        ("RBAC032", "Role/shop/forgotten is bound by no binding and aggregated into no role"),
        ("RBAC032", "RoleBinding/shop/ghost references Role \"ghost\", which is not in the input"),
        ("RBAC032", "RoleBinding/shop/readers grants to ServiceAccount shop/default, which is not among the ServiceAccounts of its namespace"),
        ("RBAC032", "RoleBinding/shop/readers grants to ServiceAccount shop/gone, which is not among the ServiceAccounts of its namespace"),
        ("RBAC032", "ServiceAccount shop/idle holds grants but no workload in the input runs as it"),
        ("SEC005", "Secret/shop/app-token holds a token that never expires for ServiceAccount app"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(found, expected);
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
