//! `palisade netpol reach` end to end.

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
        json!({"allowed": true,
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
    let (code, _, err) = reach(&["--from", "shop/web", "--to", "shop/db"]);
    assert_eq!(code, 2);
    assert!(err.contains("--to needs a port"), "{err}");
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
