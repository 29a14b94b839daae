//! Policies that cannot run are errors that name their file and line; the other policies of
//! the same load still run; an evaluation that fails is an error, never a pass.

use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade_policy::load::parse_text;
use palisade_policy::{LoadOptions, PolicySet, Review, Verdict};
use serde_json::json;

const GOOD: &str = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sdenyall}
spec:
  crd: {spec: {names: {kind: K8sDenyAll}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8sdenyall
      violation[{"msg": "denied"}] { true }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sDenyAll
metadata: {name: everything}
"#;

fn load(text: &str) -> PolicySet {
    let (docs, errors) = parse_text("policies.yaml", text);
    assert!(errors.is_empty(), "{errors:?}");
    PolicySet::from_documents(docs, LoadOptions::default())
}

fn pod() -> Review {
    Review::of_object(Arc::new(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"},
                                      "spec": {"containers": [{"name": "c", "image": "x"}]}}),
    ))
}

#[test]
fn a_template_that_does_not_compile_is_an_error_at_its_line_and_the_rest_loads() {
    let text = format!(
        "{GOOD}---\napiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata: {{name: broken}}\nspec:\n  crd: {{spec: {{names: {{kind: Broken}}}}}}\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    rego: |\n      package broken\n      violation[{{\"msg\": m}}] {{ m := }}\n"
    );
    let set = load(&text);
    assert_eq!(set.policies().len(), 1);
    let e = &set.errors()[0];
    assert_eq!((e.path.as_str(), e.line), ("policies.yaml", Some(16)));
    assert!(
        e.message
            .contains("ConstraintTemplate `broken`: the Rego does not compile"),
        "{e}"
    );
}

#[test]
fn a_constraint_of_an_unknown_kind_is_an_error() {
    let set = load(&format!(
        "{GOOD}---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNoSuchThing\nmetadata: {{name: x}}\n"
    ));
    assert_eq!(set.policies().len(), 1);
    assert!(
        set.errors()[0]
            .message
            .contains("which no loaded ConstraintTemplate defines"),
        "{:?}",
        set.errors()
    );
    assert_eq!(set.errors()[0].line, Some(16));
}

#[test]
fn a_cel_syntax_error_names_the_expression_and_a_type_error_is_an_evaluation_error() {
    let text = r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: broken-syntax}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: ["*"]}]}
  validations: [{expression: "object.spec.("}]
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: type-error}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: ["*"]}]}
  validations: [{expression: "object.metadata.name + 1 == 'x'"}]
"#;
    let set = load(text);
    assert_eq!(set.errors().len(), 1, "{:?}", set.errors());
    assert_eq!(set.errors()[0].line, Some(1));
    assert!(
        set.errors()[0]
            .message
            .contains("validations[0].expression"),
        "{:?}",
        set.errors()
    );
    let judged = set.judge(pod());
    assert_eq!(judged.len(), 1);
    let err = judged[0].1.as_ref().unwrap_err();
    assert!(
        err.contains("validations[0].expression") && err.contains("string and int"),
        "{err}"
    );
    // The object's values are not repeated (its name is `p`).
    assert!(!err.contains("\"p\""), "{err}");
}

#[test]
fn a_runaway_rego_evaluation_is_stopped_and_reported() {
    let text = r#"apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sslow}
spec:
  crd: {spec: {names: {kind: K8sSlow}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8sslow
      violation[{"msg": msg}] {
        input.review.object.kind == "Pod"
        a := numbers.range(1, 4000)
        n := count([1 | a[_]; a[_]; a[_]])
        msg := sprintf("%v", [n])
      }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sSlow
metadata: {name: slow}
"#;
    let (docs, _) = parse_text("slow.yaml", text);
    let set = PolicySet::from_documents(
        docs,
        LoadOptions {
            time_limit: Duration::from_millis(100),
            ..LoadOptions::default()
        },
    );
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    let start = Instant::now();
    let judged = set.judge(pod());
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    let err = judged[0].1.as_ref().unwrap_err();
    assert!(err.contains("Rego"), "{err}");
}

#[test]
fn a_policy_that_passes_and_one_that_denies_are_told_apart() {
    let set = load(GOOD);
    let judged = set.judge(pod());
    assert_eq!(judged[0].0.id(), "GK:K8sDenyAll/everything");
    match &judged[0].1 {
        Ok(Verdict::Evaluated(v)) => assert_eq!(v[0].message, "denied"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_policy_that_quotes_a_secret_never_prints_it() {
    let text = r#"apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: quotes-secrets}
spec:
  matchConstraints: {resourceRules: [{apiGroups: [""], apiVersions: [v1], resources: [secrets, pods], operations: ["*"]}]}
  validations:
  - expression: "false"
    messageExpression: "object.kind == 'Secret' ? 'data: ' + string(object.data.password) + ' / ' + string(base64.decode(object.data.password)) : 'env: ' + object.spec.containers[0].env[0].value"
"#;
    let set = load(text);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    let secret = Review::of_object(Arc::new(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
        "data": {"password": "aHVudGVyMi1zZWNyZXQ="}}),
    ));
    let pod = Review::of_object(Arc::new(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "x", "env": [{"name": "DB_PASSWORD", "value": "s3cr3t-value"}]}]}}),
    ));
    for (review, leaked) in [
        (
            secret,
            ["aHVudGVyMi1zZWNyZXQ=", "hunter2-secret"].as_slice(),
        ),
        (pod, ["s3cr3t-value"].as_slice()),
    ] {
        let judged = set.judge(review);
        let Ok(Verdict::Evaluated(v)) = &judged[0].1 else {
            panic!("{judged:?}")
        };
        for value in leaked {
            assert!(!v[0].message.contains(value), "{}", v[0].message);
        }
        assert!(
            v[0].message.contains(palisade_model::secrets::MASK),
            "{}",
            v[0].message
        );
    }
}

#[test]
fn lookups_answer_from_the_indexed_objects_and_fail_where_there_are_none() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/suites/kyverno-lookups/policy.yaml"),
    )
    .unwrap();
    let set = load(&text);
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    assert!(set.needs_data());
    let pod = || {
        Review::of_object(Arc::new(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ci"},
            "spec": {"serviceAccountName": "builder", "containers": [{"name": "c", "image": "x"}]}})))
    };
    // No index (the webhook): an error, never an empty answer.
    let err = set.judge(pod())[0].1.clone().unwrap_err();
    assert!(
        err.contains("resource.List") && err.contains("no objects are known"),
        "{err}"
    );
    // A scan's objects: the service account is found, and it mounts no token.
    let bound = set.with_data(Arc::new(palisade_policy::ClusterData::new([json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "builder", "namespace": "ci"}, "automountServiceAccountToken": false
    })])));
    for (policy, verdict) in bound.judge(pod()) {
        assert_eq!(
            verdict,
            Ok(Verdict::Evaluated(Vec::new())),
            "{}",
            policy.id()
        );
    }
}
