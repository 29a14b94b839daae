//! Decisions on AdmissionReviews: modes, labels, exemptions, operations, suppressions and
//! waivers, and reviews that cannot be read.

mod common;

use std::collections::BTreeMap;

use common::{deployment, hardened, privileged, review_of, reviewer};
use palisade_admission::{Decision, NamespaceModes, Namespaces, ReviewError, Reviewed, Reviewer};
use palisade_config::Modes;
use serde_json::{Value, json};

fn answer(reviewer: &Reviewer, review: &Value, ns: &dyn NamespaceModes) -> Reviewed {
    reviewer
        .review_bytes(review.to_string().as_bytes(), ns)
        .unwrap()
}

fn plain(reviewer: &Reviewer) -> Namespaces {
    Namespaces::new(reviewer.admission().defaults, reviewer.default_version())
}

fn response(r: &Reviewed) -> Value {
    serde_json::to_value(&r.response).unwrap()["response"].clone()
}

#[test]
fn a_compliant_deployment_is_allowed_with_nothing_to_say() {
    let rv = reviewer(None);
    let r = answer(
        &rv,
        &review_of("CREATE", &deployment(hardened())),
        &plain(&rv),
    );
    let resp = response(&r);
    assert_eq!(r.decision, Decision::Allowed, "{resp:#}");
    assert_eq!(resp["allowed"], true);
    assert_eq!(resp["uid"], "3f2a1c4e-0000-4000-8000-000000000001");
    assert!(resp.get("warnings").is_none());
    assert_eq!(resp["auditAnnotations"]["enforce-policy"], "all:v1.37");
}

#[test]
fn a_violation_is_denied_with_each_rule_and_field() {
    let rv = reviewer(None);
    let r = answer(
        &rv,
        &review_of("CREATE", &deployment(privileged())),
        &plain(&rv),
    );
    let resp = response(&r);
    assert_eq!(r.decision, Decision::Denied);
    assert_eq!(resp["allowed"], false);
    assert_eq!(resp["status"]["code"], 403);
    let message = resp["status"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Deployment \"web\" violates Palisade policy all:v1.37 (2 findings):"),
        "{message}"
    );
    assert!(
        message.contains("[critical] PSS003 privileged-container /spec/template/spec/containers/0/securityContext/privileged:"),
        "{message}"
    );
    // Most severe first.
    let critical = message.find("[critical]").unwrap();
    let high = message.find("[high]").unwrap();
    assert!(critical < high, "{message}");
    let causes = resp["status"]["details"]["causes"].as_array().unwrap();
    assert!(causes.iter().any(|c| c["reason"] == "PSS014"
        && c["field"]
            == "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"));
    let hits: Vec<&str> = r.hits.iter().map(|(_, id)| id.as_str()).collect();
    assert_eq!(hits, ["PSS003", "PSS014"]);
}

#[test]
fn findings_below_the_threshold_are_warnings() {
    let rv = reviewer(Some("fail-on = \"critical\"\n"));
    let mut object = deployment(privileged());
    object["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] =
        json!(false);
    let r = answer(&rv, &review_of("CREATE", &object), &plain(&rv));
    let resp = response(&r);
    assert_eq!(r.decision, Decision::Flagged, "{resp:#}");
    assert_eq!(resp["allowed"], true);
    let warnings = resp["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap()
            .starts_with("PSS014 privilege-escalation-allowed /spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation:")
    );
}

#[test]
fn namespace_labels_choose_the_levels() {
    let rv = reviewer(None);
    let ns = plain(&rv);
    let labels = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    // Warn only: allowed, with the restricted findings as warnings.
    ns.set(
        "shop",
        &labels(&[
            ("palisade.dev/enforce", "privileged"),
            ("palisade.dev/warn", "pss-restricted"),
        ]),
    );
    let r = answer(&rv, &review_of("CREATE", &deployment(privileged())), &ns);
    let resp = response(&r);
    assert_eq!(r.decision, Decision::Flagged);
    assert_eq!(resp["allowed"], true);
    let warnings: Vec<&str> = resp["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("PSS003 ")),
        "{warnings:?}"
    );
    assert!(resp["auditAnnotations"].get("enforce-policy").is_none());

    // Audit only: allowed, the violations in the audit annotations.
    ns.set(
        "shop",
        &labels(&[
            ("palisade.dev/enforce", "privileged"),
            ("palisade.dev/audit", "pss-baseline"),
        ]),
    );
    let r = answer(&rv, &review_of("CREATE", &deployment(privileged())), &ns);
    let resp = response(&r);
    assert_eq!(resp["allowed"], true);
    assert!(resp.get("warnings").is_none());
    let audit = resp["auditAnnotations"]["audit-violations"]
        .as_str()
        .unwrap();
    assert!(audit.contains("PSS003 privileged-container"), "{audit}");
    // Baseline has no allowPrivilegeEscalation check.
    assert!(!audit.contains("PSS014"), "{audit}");

    // Enforce baseline at an old version: the restricted finding does not deny.
    ns.set(
        "shop",
        &labels(&[
            ("palisade.dev/enforce", "pss-baseline"),
            ("palisade.dev/enforce-version", "v1.25"),
        ]),
    );
    let r = answer(&rv, &review_of("CREATE", &deployment(privileged())), &ns);
    let resp = response(&r);
    assert_eq!(r.decision, Decision::Denied);
    assert_eq!(
        resp["auditAnnotations"]["enforce-policy"],
        "pss-baseline:v1.25"
    );
    let causes: Vec<&str> = resp["status"]["details"]["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reason"].as_str().unwrap())
        .collect();
    assert_eq!(causes, ["PSS003"]);

    // Nothing in force: not even checked.
    ns.set("shop", &labels(&[("palisade.dev/enforce", "privileged")]));
    let r = answer(&rv, &review_of("CREATE", &deployment(privileged())), &ns);
    assert_eq!(r.decision, Decision::Skipped);
    assert!(r.hits.is_empty());
}

#[test]
fn exemptions_skip_the_check_and_say_why() {
    let rv = reviewer(Some(
        "[admission]\nexempt-namespaces = [\"ops\"]\nexempt-usernames = [\"system:serviceaccount:ci:deployer\"]\nexempt-groups = [\"break-glass\"]\nexempt-runtime-classes = [\"kata\"]\n",
    ));
    let ns = plain(&rv);
    let bad = deployment(privileged());

    let mut in_ops = bad.clone();
    in_ops["metadata"]["namespace"] = json!("ops");
    let r = answer(&rv, &review_of("CREATE", &in_ops), &ns);
    assert_eq!(r.decision, Decision::Exempt);
    assert_eq!(response(&r)["auditAnnotations"]["exempt"], "namespace ops");

    let mut review = review_of("CREATE", &bad);
    review["request"]["userInfo"]["username"] = json!("system:serviceaccount:ci:deployer");
    assert_eq!(answer(&rv, &review, &ns).decision, Decision::Exempt);

    let mut review = review_of("CREATE", &bad);
    review["request"]["userInfo"]["groups"] = json!(["break-glass"]);
    assert_eq!(answer(&rv, &review, &ns).decision, Decision::Exempt);

    let mut kata = bad.clone();
    kata["spec"]["template"]["spec"]["runtimeClassName"] = json!("kata");
    let r = answer(&rv, &review_of("CREATE", &kata), &ns);
    assert_eq!(
        response(&r)["auditAnnotations"]["exempt"],
        "runtimeClassName kata"
    );

    // Anyone else is still denied.
    assert_eq!(
        answer(&rv, &review_of("CREATE", &bad), &ns).decision,
        Decision::Denied
    );
}

#[test]
fn operations_and_subresources_that_admit_nothing_new_are_not_judged() {
    let rv = reviewer(None);
    let ns = plain(&rv);
    let bad = deployment(privileged());
    for op in ["DELETE", "CONNECT"] {
        let r = answer(&rv, &review_of(op, &bad), &ns);
        assert_eq!(r.decision, Decision::Skipped, "{op}");
        assert_eq!(response(&r)["allowed"], true);
    }
    let mut status = review_of("UPDATE", &bad);
    status["request"]["subResource"] = json!("status");
    assert_eq!(answer(&rv, &status, &ns).decision, Decision::Skipped);

    // An update that only relabels an object admitted earlier is not judged...
    let mut relabel = review_of("UPDATE", &bad);
    let mut old = bad.clone();
    old["metadata"]["labels"] = json!({"tier": "old"});
    old["status"] = json!({"replicas": 1});
    relabel["request"]["oldObject"] = old;
    assert_eq!(answer(&rv, &relabel, &ns).decision, Decision::Skipped);
    // ...one that changes the specification is.
    let mut change = review_of("UPDATE", &bad);
    change["request"]["oldObject"] = deployment(hardened());
    assert_eq!(answer(&rv, &change, &ns).decision, Decision::Denied);

    // Ephemeral containers added to a running pod are judged with the pod.
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}],
                 "ephemeralContainers": [{"name": "debug", "image": "busybox:1.36",
                     "securityContext": {"privileged": true}}]}});
    let mut debug = review_of("UPDATE", &pod);
    debug["request"]["subResource"] = json!("ephemeralcontainers");
    let r = answer(&rv, &debug, &ns);
    assert_eq!(r.decision, Decision::Denied);
    let message = response(&r)["status"]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("/spec/ephemeralContainers/0/securityContext/privileged"),
        "{message}"
    );
}

#[test]
fn a_dry_run_gets_the_same_verdict() {
    let rv = reviewer(None);
    let mut review = review_of("CREATE", &deployment(privileged()));
    review["request"]["dryRun"] = json!(true);
    let r = answer(&rv, &review, &plain(&rv));
    assert!(r.dry_run);
    assert_eq!(r.decision, Decision::Denied);
}

#[test]
fn suppressions_need_a_reason_and_waivers_apply() {
    let rv = reviewer(None);
    let ns = plain(&rv);
    let mut reasoned = deployment(privileged());
    reasoned["metadata"]["annotations"] =
        json!({"palisade.dev/ignore": "PSS003,PSS014: node agent, approved in SEC-142"});
    assert_eq!(
        answer(&rv, &review_of("CREATE", &reasoned), &ns).decision,
        Decision::Allowed
    );
    let mut bare = deployment(privileged());
    bare["metadata"]["annotations"] = json!({"palisade.dev/ignore": "PSS003,PSS014"});
    let r = answer(&rv, &review_of("CREATE", &bare), &ns);
    assert_eq!(
        r.decision,
        Decision::Denied,
        "a suppression without a reason is refused"
    );

    let waived = reviewer(Some(
        "[[waivers]]\nrules = [\"PSS003\", \"PSS014\"]\nnamespace = \"shop\"\nname = \"web\"\nowner = \"sec\"\nreason = \"SEC-142\"\nexpires = \"2999-01-01\"\n",
    ));
    let r = answer(
        &waived,
        &review_of("CREATE", &deployment(privileged())),
        &plain(&waived),
    );
    assert_eq!(r.decision, Decision::Allowed);
    let expired = reviewer(Some(
        "[[waivers]]\nrules = [\"PSS003\", \"PSS014\"]\nnamespace = \"shop\"\nowner = \"sec\"\nreason = \"SEC-142\"\nexpires = \"2020-01-01\"\n",
    ));
    let r = answer(
        &expired,
        &review_of("CREATE", &deployment(privileged())),
        &plain(&expired),
    );
    assert_eq!(r.decision, Decision::Denied);
}

#[test]
fn cluster_scoped_objects_use_the_defaults() {
    let rv = reviewer(None);
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "everyone-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "system:authenticated"}]});
    let r = answer(&rv, &review_of("CREATE", &binding), &Modes::default());
    assert_eq!(r.decision, Decision::Denied);
    assert_eq!(r.namespace, "");
}

#[test]
fn unreadable_reviews_are_errors_not_panics() {
    let rv = reviewer(None);
    let ns = plain(&rv);
    for (body, expect) in [
        ("not json", "not an AdmissionReview"),
        (
            "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}",
            "no request",
        ),
        (
            "{\"apiVersion\": \"admission.k8s.io/v1beta1\", \"kind\": \"AdmissionReview\", \"request\": null}",
            "v1beta1",
        ),
        ("[1, 2]", "not an AdmissionReview"),
    ] {
        let err = rv.review_bytes(body.as_bytes(), &ns).unwrap_err();
        assert!(err.to_string().contains(expect), "{body}: {err}");
    }
    let mut review = review_of("CREATE", &deployment(hardened()));
    review["request"]["object"]["metadata"]["labels"] = json!(["not", "a", "map"]);
    assert!(matches!(
        rv.review_bytes(review.to_string().as_bytes(), &ns),
        Err(ReviewError::Json(_))
    ));
    // What the error quotes from the request is left out: it could be a Secret's value.
    let mut review = review_of("CREATE", &deployment(hardened()));
    review["request"]["object"]["metadata"]["generation"] = json!("hunter2-s3cr3t");
    let err = rv
        .review_bytes(review.to_string().as_bytes(), &ns)
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid type: string \"…\""), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn an_object_that_cannot_be_checked_is_denied_with_the_reason() {
    let rv = reviewer(None);
    let containers: Vec<Value> = (0..10_001)
        .map(|i| json!({"name": format!("c{i}"), "image": "x"}))
        .collect();
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "many", "namespace": "shop"},
        "spec": {"containers": containers}});
    let r = answer(&rv, &review_of("CREATE", &pod), &plain(&rv));
    assert_eq!(r.decision, Decision::Invalid);
    let resp = response(&r);
    assert_eq!(resp["allowed"], false);
    assert_eq!(resp["status"]["code"], 400);
    assert!(
        resp["status"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot check"),
        "{resp:#}"
    );
}

#[test]
fn a_secret_value_never_reaches_the_response() {
    let rv = reviewer(Some("[admission]\nwarn = \"all\"\naudit = \"all\"\n"));
    let value = "hunter2-Sup3rS3cret-AKIAIOSFODNN7EXAMPLE";
    let encoded = data_encoding::BASE64.encode(value.as_bytes());
    let applied = json!({"apiVersion": "v1", "kind": "Secret", "stringData": {"password": value}});
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "db", "namespace": "shop", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": applied.to_string(),
            "note": format!("password={value}")}},
        "data": {"password": encoded, "aws_access_key_id": data_encoding::BASE64.encode(b"AKIAIOSFODNN7EXAMPLE")}});
    let r = answer(&rv, &review_of("CREATE", &secret), &plain(&rv));
    // The rules looked at it...
    assert!(!r.hits.is_empty(), "{:?}", r.hits);
    // ...and nothing of the value is in the answer.
    let text = serde_json::to_string(&r.response).unwrap();
    for needle in [value, encoded.as_str(), "hunter2", "AKIAIOSFODNN7EXAMPLE"] {
        assert!(!text.contains(needle), "{needle} in {text}");
    }
}
