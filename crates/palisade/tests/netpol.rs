//! `palisade netpol` end to end: reach, matrix, coverage and generate.

mod common;

use common::{dir_with, palisade, run};
use serde_json::json;

const SHOP: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: x, ports: [{name: http, containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: x}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
";

fn reach(args: &[&str]) -> (i32, String, String) {
    let dir = dir_with(&[("shop.yaml", SHOP.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["netpol", "reach"])
        .args(args));
    (r.code, r.stdout, r.stderr)
}

#[test]
fn reach_answers_with_the_deciding_rules() {
    let (code, out, err) = reach(&[
        "--from",
        "shop/web",
        "--to",
        "shop/db:5432",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json,
        json!({"allowed": true, "ignored": [],
               "decided_by": [{"policy": "shop/db", "direction": "ingress", "rule": 0}],
               "isolated_by": []})
    );
    let (code, out, _) = reach(&["--from", "shop/web", "--to", "shop/db:22"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "denied\n    shop/db isolates it and none of its rules allows this\n"
    );
    // Nothing isolates web: anyone may connect, an outside address included.
    let (code, out, _) = reach(&[
        "--from",
        "203.0.113.9",
        "--to",
        "Deployment/shop/web:8080/tcp",
    ]);
    assert_eq!(code, 0);
    assert_eq!(out, "allowed\n    no NetworkPolicy isolates either side\n");
}

#[test]
fn reach_rejects_unclear_endpoints() {
    let (code, _, err) = reach(&["--from", "shop/web", "--to", "shop/db:0"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a port number"), "{err}");
    let (code, _, err) = reach(&["--from", "10.0.0.1", "--to", "10.0.0.2:80"]);
    assert_eq!(code, 2);
    assert!(err.contains("must be a workload"), "{err}");
    let (code, _, err) = reach(&["--from", "shop/nope", "--to", "shop/db:1"]);
    assert_eq!(code, 2);
    assert!(err.contains("no workload or Pod `shop/nope`"), "{err}");
    let (code, _, err) = reach(&["--from", "shop/web", "--to", "shop/db:1/icmp"]);
    assert_eq!(code, 2);
    assert!(err.contains("TCP, UDP or SCTP"), "{err}");
}

#[test]
fn coverage_runs_the_coverage_rules_only() {
    let dir = dir_with(&[("shop.yaml", SHOP.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["netpol", "coverage", "--format", "json", "."]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let mut rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    rules.sort();
    // db's policy leaves web unisolated for ingress; nothing restricts egress at all.
    assert_eq!(rules, vec!["NET002", "NET003", "NET014"]);
}

#[test]
fn reach_without_a_port_lists_the_ports_and_each_container_port() {
    let (code, out, err) = reach(&["--from", "shop/db", "--to", "shop/web", "-n", "shop"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "allowed on all\n  8080/TCP (http): allowed\n      no NetworkPolicy isolates either side\n"
    );
    // A name alone is looked up in the -n namespace.
    let (code, out, _) = reach(&["--from", "web", "--to", "db", "-n", "shop", "-f", "json"]);
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json,
        json!({"allowed": true, "ports": [{"protocol": "TCP", "ports": "5432"}], "container_ports": [], "ignored": []})
    );
    let (code, out, _) = reach(&["--from", "198.51.100.7", "--to", "shop/db"]);
    assert_eq!(code, 1);
    assert_eq!(out, "denied on every port\n");
}

/// The fixtures of `generate`: an inventory without policies, and observed flows.
fn generate_fixture() -> tempfile::TempDir {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/netpol");
    let read = |name: &str| std::fs::read(fixtures.join(name)).unwrap();
    dir_with(&[
        ("inventory/inventory.yaml", &read("inventory.yaml")),
        ("flows.yaml", &read("flows.yaml")),
    ])
}

/// `matrix --format json` rows as `from -> to: allowed`.
fn matrix_rows(dir: &std::path::Path, args: &[&str]) -> Vec<String> {
    let r = run(palisade()
        .current_dir(dir)
        .args(["netpol", "matrix", "--format", "json"])
        .args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    json["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let allowed = match &c["allowed"] {
                serde_json::Value::String(s) => s.clone(),
                ports => ports
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        format!(
                            "{} {}",
                            p["protocol"].as_str().unwrap(),
                            p["ports"].as_str().unwrap()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            format!(
                "{} -> {}: {allowed}",
                c["from"].as_str().unwrap(),
                c["to"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn generated_policies_allow_exactly_the_flows_they_come_from() {
    let dir = generate_fixture();
    let r = run(palisade().current_dir(dir.path()).args([
        "netpol",
        "generate",
        "inventory",
        "--flows",
        "flows.yaml",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::write(dir.path().join("inventory/generated.yaml"), &r.stdout).unwrap();
    // The generated YAML is clean input: it parses, and the engine reads it back.
    let mut rows = matrix_rows(dir.path(), &["inventory"]);
    // kube-system is not in the scope of generation: what it does on its own is not ours.
    rows.retain(|r| !(r.contains("coredns") && (r.contains("0.0.0.0/0") || r.contains("::/0"))));
    let dns = "TCP 53 UDP 53";
    let expected = [
        // DNS, from every pod of the generated namespaces.
        format!("monitoring/prometheus[Deployment] -> kube-system/coredns[Deployment]: {dns}"),
        // Flows from prometheus; the range is one rule with endPort.
        "monitoring/prometheus[Deployment] -> shop/db[StatefulSet]: TCP 9187".into(),
        "monitoring/prometheus[Deployment] -> shop/web-canary[Deployment]: TCP 9000-9100".into(),
        format!("shop/db[StatefulSet] -> kube-system/coredns[Deployment]: {dns}"),
        // Service web (its named target port) plus the flow db -> web:9090, which does not
        // reach web-canary although its labels include web's.
        "shop/db[StatefulSet] -> shop/web[Deployment]: TCP 8080,9090".into(),
        "shop/db[StatefulSet] -> shop/web-canary[Deployment]: TCP 8080".into(),
        "shop/db[StatefulSet] -> 10.0.0.0/8: TCP 443".into(),
        format!("shop/web[Deployment] -> kube-system/coredns[Deployment]: {dns}"),
        "shop/web[Deployment] -> shop/db[StatefulSet]: TCP 5432".into(),
        "shop/web[Deployment] -> shop/web-canary[Deployment]: TCP 8080".into(),
        format!("shop/web-canary[Deployment] -> kube-system/coredns[Deployment]: {dns}"),
        "shop/web-canary[Deployment] -> shop/db[StatefulSet]: TCP 5432".into(),
        "shop/web-canary[Deployment] -> shop/web[Deployment]: TCP 8080".into(),
        // The LoadBalancer Service web admits every address; the flow admits one range to db.
        "0.0.0.0/0 -> shop/web[Deployment]: TCP 8080".into(),
        "0.0.0.0/0 -> shop/web-canary[Deployment]: TCP 8080".into(),
        "203.0.113.0/24 -> shop/db[StatefulSet]: TCP 5432".into(),
        "::/0 -> shop/web[Deployment]: TCP 8080".into(),
        "::/0 -> shop/web-canary[Deployment]: TCP 8080".into(),
    ];
    assert_eq!(rows, expected);
}

#[test]
fn generate_scopes_to_a_namespace_and_reports_bad_flows_with_their_line() {
    let dir = generate_fixture();
    let r = run(palisade().current_dir(dir.path()).args([
        "netpol",
        "generate",
        "inventory",
        "-n",
        "monitoring",
        "--no-dns",
        "--flows",
        "flows.yaml",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("name: default-deny\n  namespace: monitoring"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("namespace: shop\n"), "{}", r.stdout);
    assert!(!r.stdout.contains("kube-dns"), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("kind: NetworkPolicy").count(),
        2,
        "{}",
        r.stdout
    );

    std::fs::write(
        dir.path().join("bad.yaml"),
        "flows:\n- {from: shop/web, to: shop/db, port: 80}\n- {from: shop/nope, to: shop/db}\n",
    )
    .unwrap();
    let r = run(palisade().current_dir(dir.path()).args([
        "netpol",
        "generate",
        "inventory",
        "--flows",
        "bad.yaml",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("bad.yaml:3: no workload or Pod `shop/nope`"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn matrix_groups_workloads_into_classes_in_text_and_dot() {
    let dir = dir_with(&[(
        "snapshot.json",
        br#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
  {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
   "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "w", "image": "x"}]}}}},
  {"apiVersion": "apps/v1", "kind": "ReplicaSet",
   "metadata": {"name": "web-1", "namespace": "shop", "ownerReferences": [{"kind": "Deployment", "name": "web", "controller": true}]},
   "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "w", "image": "x"}]}}}},
  {"apiVersion": "v1", "kind": "Pod",
   "metadata": {"name": "web-1-a", "namespace": "shop", "labels": {"app": "web"}, "ownerReferences": [{"kind": "ReplicaSet", "name": "web-1", "controller": true}]},
   "spec": {"containers": [{"name": "w", "image": "x"}]}},
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "shop", "labels": {"app": "web"}},
   "spec": {"containers": [{"name": "w", "image": "x"}]}},
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "db", "namespace": "shop", "labels": {"app": "db"}},
   "spec": {"containers": [{"name": "d", "image": "x"}]}},
  {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "db", "namespace": "shop"},
   "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 5432}]}]}}
]}"#,
    )]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["netpol", "matrix", "snapshot.json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The ReplicaSet and its Pod fold into the Deployment; the bare Pod shares web's class.
    assert!(
        r.stdout.starts_with("3 workloads in 2 classes;"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("shop/web[Deployment] +1  shop/db[Pod]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  shop/web[Deployment] +1: shop/web[Deployment], shop/debug[Pod]"),
        "{}",
        r.stdout
    );
    let rows = matrix_rows(dir.path(), &["snapshot.json"]);
    assert!(
        rows.contains(&"shop/web[Deployment] -> shop/db[Pod]: TCP 5432".to_string()),
        "{rows:#?}"
    );
    assert!(
        rows.contains(&"shop/debug[Pod] -> shop/web[Deployment]: all".to_string()),
        "{rows:#?}"
    );
    assert!(
        !rows.iter().any(|r| r.starts_with("shop/db[Pod] ->")),
        "{rows:#?}"
    );
    // The Pod of the Deployment answers to its own name in reach.
    let r = run(palisade().current_dir(dir.path()).args([
        "netpol",
        "reach",
        "--from",
        "shop/web-1-a",
        "--to",
        "shop/db:5432",
        "snapshot.json",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);

    let r = run(palisade().current_dir(dir.path()).args([
        "netpol",
        "matrix",
        "--format",
        "dot",
        "snapshot.json",
    ]));
    assert!(r.stdout.starts_with("digraph netpol {"), "{}", r.stdout);
    assert!(
        r.stdout.contains("c1 -> c0 [label=\"TCP 5432\"];"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("label=\"shop/web[Deployment]\\nshop/debug[Pod]\"")
            || r.stdout
                .contains("label=\"shop/web[Deployment]\nshop/debug[Pod]\""),
        "{}",
        r.stdout
    );
}

#[test]
fn policies_the_api_server_rejects_or_replaces_are_not_applied_and_said_so() {
    let broken = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/33}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
";
    let dir = dir_with(&[("a.yaml", SHOP.as_bytes()), ("b.yaml", broken.as_bytes())]);
    let netpol = |args: &[&str]| run(palisade().current_dir(dir.path()).arg("netpol").args(args));
    // The later `db` (deny all ingress) replaces the earlier one, as kubectl apply would.
    let r = netpol(&["reach", "--from", "shop/web", "--to", "shop/db:5432"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("not applied: NetworkPolicy shop/db (./a.yaml:21): replaced by the NetworkPolicy of the same name at ./b.yaml:12"),
        "{}",
        r.stdout
    );
    // The broken `web` is absent: web is not isolated, rather than open to every pod.
    let r = netpol(&[
        "reach",
        "--from",
        "10.1.2.3",
        "--to",
        "shop/web:8080",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ignored = json["ignored"].as_array().unwrap();
    assert_eq!(ignored.len(), 2, "{json:#}");
    assert_eq!(ignored[0]["policy"], "shop/web");
    assert_eq!(ignored[0]["at"], "./b.yaml:3");
    assert_eq!(
        ignored[0]["reason"],
        "the API server rejects it: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
    );
    let r = netpol(&["matrix", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["ignored"].as_array().map(Vec::len), Some(2));
    let r = netpol(&["matrix"]);
    assert!(
        r.stdout.contains("not applied: NetworkPolicy shop/web"),
        "{}",
        r.stdout
    );
    // The scan reports the invalid one at its field.
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--select",
        "NET019,NET020",
        "--format",
        "json",
    ]));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let found: Vec<(String, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    // Duplicates across files are alternatives as often as one set: only netpol, which reads
    // its input as one set, replaces across files.
    assert_eq!(found, vec![("NET019".to_string(), 8)]);
}

#[test]
fn manifests_without_namespaces_are_analysed_where_they_are_applied() {
    let unplaced = "apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: x}]
";
    let dir = dir_with(&[("web.yaml", unplaced.as_bytes())]);
    let coverage = |args: &[&str]| {
        let r = run(palisade()
            .current_dir(dir.path())
            .args(["netpol", "coverage", "--format", "json"])
            .args(args));
        let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "NET002")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        coverage(&[]),
        vec![
            "namespace \"default\" runs 1 workload but no NetworkPolicy with `podSelector: {}` isolates its pods for ingress"
        ]
    );
    assert_eq!(
        coverage(&["-n", "shop"]),
        vec![
            "namespace \"shop\" runs 1 workload but no NetworkPolicy with `podSelector: {}` isolates its pods for ingress"
        ]
    );
    // netpol reach places it the same way.
    let r = run(palisade().current_dir(dir.path()).args([
        "netpol",
        "reach",
        "--from",
        "10.0.0.1",
        "--to",
        "shop/web:80",
        "-n",
        "shop",
    ]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}
