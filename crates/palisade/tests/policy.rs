//! Policies end to end: `scan --policy` and `policies` in palisade.toml, exit codes, load
//! errors at their file and line while the other policies still run, the admission review
//! refusing policies that do not load, and `palisade policy test`.

mod common;

use std::path::Path;

use common::{dir_with, palisade, run, scan_json};
use serde_json::Value;

const TEMPLATE: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8srequiredlabels}
spec:
  crd: {spec: {names: {kind: K8sRequiredLabels}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8srequiredlabels
      violation[{"msg": msg}] {
        required := input.parameters.labels[_]
        not input.review.object.metadata.labels[required]
        msg := sprintf("the %v label is missing", [required])
      }
"#;

const CONSTRAINT: &str = r#"apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata:
  name: owner
  annotations: {palisade.dev/severity: medium}
spec:
  match: {kinds: [{apiGroups: [apps], kinds: [Deployment]}]}
  parameters: {labels: [owner]}
"#;

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: nginx}]\n";

fn policies_dir() -> tempfile::TempDir {
    dir_with(&[
        ("policies/template.yaml", TEMPLATE.as_bytes()),
        ("policies/constraint.yaml", CONSTRAINT.as_bytes()),
        ("app/deploy.yaml", DEPLOYMENT.as_bytes()),
    ])
}

fn policy_findings(json: &Value) -> Vec<(String, String, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("GK:"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["location"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn a_policy_runs_beside_the_rules_from_the_flag_and_from_the_configuration() {
    let dir = policies_dir();
    let (code, json) = scan_json(
        dir.path(),
        &[
            "app",
            "--policy",
            "policies",
            "--select",
            "GK",
            "--fail-on",
            "medium",
        ],
    );
    assert_eq!(code, 1, "{json}");
    assert_eq!(
        policy_findings(&json),
        [(
            "GK:K8sRequiredLabels/owner".to_string(),
            "medium".to_string(),
            1
        )]
    );
    assert_eq!(json["findings"][0]["message"], "the owner label is missing");
    // The same from palisade.toml, paths relative to the file.
    std::fs::write(
        dir.path().join("palisade.toml"),
        "policies = [\"policies\"]\nselect = [\"GK:K8sRequiredLabels\"]\n",
    )
    .unwrap();
    let (code, json) = scan_json(dir.path(), &["app"]);
    assert_eq!(code, 1);
    assert_eq!(policy_findings(&json).len(), 1);
    // Ignored like any rule.
    let (code, json) = scan_json(dir.path(), &["app", "--ignore", "GK"]);
    assert_eq!(code, 0, "{json}");
    assert!(policy_findings(&json).is_empty());
    // The user's severity wins over the policy's annotation; the longest selector wins.
    std::fs::write(
        dir.path().join("palisade.toml"),
        "policies = [\"policies\"]\nselect = [\"GK\"]\n[policy-severity]\n\"GK\" = \"low\"\n\"GK:K8sRequiredLabels/owner\" = \"critical\"\n",
    )
    .unwrap();
    let (_, json) = scan_json(dir.path(), &["app"]);
    assert_eq!(policy_findings(&json)[0].1, "critical");
    std::fs::write(
        dir.path().join("palisade.toml"),
        "policies = [\"policies\"]\nselect = [\"GK:K8sReq*\"]\n[policy-severity]\n\"GK:K8sReq*\" = \"info\"\n",
    )
    .unwrap();
    let (_, json) = scan_json(dir.path(), &["app"]);
    assert_eq!(policy_findings(&json)[0].1, "info");
    std::fs::write(
        dir.path().join("palisade.toml"),
        "policies = [\"policies\"]\n[policy-severity]\n\"GK\" = \"severe\"\n",
    )
    .unwrap();
    let r = run(palisade().current_dir(dir.path()).args(["scan", "app"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("policy-severity") && r.stderr.contains("severe"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_policy_that_does_not_load_is_an_input_error_and_the_others_still_run() {
    let dir = policies_dir();
    std::fs::write(
        dir.path().join("policies/orphan.yaml"),
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNoTemplate\nmetadata: {name: lost}\n",
    )
    .unwrap();
    let (code, json) = scan_json(
        dir.path(),
        &["app", "--policy", "policies", "--select", "GK"],
    );
    assert_eq!(code, 2, "{json}");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]["path"].as_str().unwrap().ends_with("orphan.yaml"));
    assert_eq!(errors[0]["line"], 1);
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("K8sNoTemplate")
    );
    assert_eq!(policy_findings(&json).len(), 1);
    // The webhook refuses to start with it.
    let review = serde_json::json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u", "kind": {"group": "apps", "version": "v1", "kind": "Deployment"},
            "resource": {"group": "apps", "version": "v1", "resource": "deployments"},
            "namespace": "shop", "name": "web", "operation": "CREATE", "userInfo": {"username": "a"},
            "object": deployment_json()}});
    std::fs::write(dir.path().join("review.json"), review.to_string()).unwrap();
    let r = run(palisade().current_dir(dir.path()).args([
        "admission",
        "review",
        "review.json",
        "--no-config",
        "--policy",
        "policies",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 policy did not load") && r.stderr.contains("orphan.yaml:1"),
        "{}",
        r.stderr
    );
    // Without it, the webhook denies with the policy's message.
    std::fs::remove_file(dir.path().join("policies/orphan.yaml")).unwrap();
    let r = run(palisade().current_dir(dir.path()).args([
        "admission",
        "review",
        "review.json",
        "--no-config",
        "--select",
        "GK",
        "--policy",
        "policies",
    ]));
    let response: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(response["response"]["allowed"], false, "{}", r.stdout);
    assert_eq!(
        response["response"]["status"]["details"]["causes"][0]["reason"],
        "GK:K8sRequiredLabels/owner"
    );
}

/// [`DEPLOYMENT`] as the API server sends it.
fn deployment_json() -> Value {
    serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}})
}

#[test]
fn policy_test_reports_cases_and_exits_by_them() {
    let suites = Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade_policy/tests/suites");
    let r = run(palisade()
        .arg("policy")
        .arg("test")
        .arg(&suites)
        .args(["--format", "json"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        json["summary"]["passed"].as_u64().unwrap() >= 27,
        "{}",
        json["summary"]
    );
    assert_eq!(json["summary"]["failed"], 0);
    let case = &json["cases"][0];
    for key in ["suite", "test", "case", "expected", "got", "pass"] {
        assert!(case.get(key).is_some(), "{case}");
    }
    // A case that disagrees fails the run.
    let dir = dir_with(&[]);
    let src = suites.join("kyverno-host-path");
    for f in ["policy.yaml", "resources.yaml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let test = std::fs::read_to_string(src.join("kyverno-test.yaml"))
        .unwrap()
        .replace("result: skip", "result: pass");
    std::fs::write(dir.path().join("kyverno-test.yaml"), test).unwrap();
    let r = run(palisade().args(["policy", "test"]).arg(dir.path()));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL")
            && r.stdout
                .contains("ReplicationController/not-covered-by-autogen: expected pass, got skip"),
        "{}",
        r.stdout
    );
    // A file that is no test is an error.
    std::fs::write(dir.path().join("kyverno-test.yaml"), "kind: Nothing\n").unwrap();
    let r = run(palisade()
        .args(["policy", "test"])
        .arg(dir.path().join("kyverno-test.yaml")));
    assert_eq!(r.code, 2, "{}", r.stdout);
}

#[test]
fn manifests_ship_the_policies_and_register_the_webhook_for_what_they_match() {
    let dir = policies_dir();
    let hpa = CONSTRAINT
        .replace("name: owner", "name: hpa-owner")
        .replace(
            "{apiGroups: [apps], kinds: [Deployment]}",
            "{apiGroups: [autoscaling], kinds: [HorizontalPodAutoscaler]}",
        );
    std::fs::write(dir.path().join("policies/hpa.yaml"), hpa).unwrap();
    let r = run(palisade().current_dir(dir.path()).args([
        "admission",
        "manifests",
        "--policy",
        "policies",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m = &r.stdout;
    assert!(m.contains("- --policy=/etc/palisade/policies"), "{m}");
    assert!(m.contains("name: palisade-admission-policies"), "{m}");
    assert!(
        m.contains("  template.yaml: \"apiVersion: templates.gatekeeper.sh/v1"),
        "{m}"
    );
    assert!(
        m.contains("apiGroups: [\"autoscaling\"]") && m.contains("\"horizontalpodautoscalers\""),
        "{m}"
    );
    // What it deploys passes Palisade's own scan.
    std::fs::write(dir.path().join("manifests.yaml"), m).unwrap();
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "manifests.yaml", "--no-config"]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    // Policies that do not load are not shipped.
    std::fs::write(
        dir.path().join("policies/broken.yaml"),
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: Nope\nmetadata: {name: x}\n",
    )
    .unwrap();
    let r = run(palisade().current_dir(dir.path()).args([
        "admission",
        "manifests",
        "--policy",
        "policies",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("broken.yaml:1"), "{}", r.stderr);
}

#[test]
fn a_referential_policy_sees_the_objects_of_standard_input_too() {
    let template = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8snoshadow}
spec:
  crd: {spec: {names: {kind: K8sNoShadow}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8snoshadow
      violation[{"msg": msg}] {
        input.review.object.kind == "Secret"
        name := input.review.object.metadata.name
        ns := input.review.object.metadata.namespace
        data.inventory.namespace[ns]["v1"]["ConfigMap"][name]
        msg := sprintf("a ConfigMap is also named %v", [name])
      }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNoShadow
metadata: {name: no-shadow}
"#;
    let dir = dir_with(&[("policies/no-shadow.yaml", template.as_bytes())]);
    let stdin = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: shop}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: app, namespace: shop}\n";
    let r = run(palisade()
        .current_dir(dir.path())
        .args([
            "scan", "-", "--policy", "policies", "--select", "GK", "--format", "json",
        ])
        .write_stdin(stdin));
    let json: Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stderr));
    assert_eq!(r.code, 1, "{json}");
    assert_eq!(
        json["findings"][0]["message"],
        "a ConfigMap is also named app"
    );
    assert_eq!(json["findings"][0]["object"]["kind"], "Secret");
}
