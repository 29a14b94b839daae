//! One in-memory object gets the verdict a scan of the same object in a file gets, with no
//! filesystem; a front door's declared input decides which rules run.

use std::path::PathBuf;

use palisade_diagnostics::Input;
use palisade_engine::Settings;
use palisade_scan::{CheckError, Checker, ScanOptions, check_object, scan_paths};

const DEPLOYMENT: &str = r#"{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "shop"},
  "spec": {
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "hostPID": true,
        "containers": [{
          "name": "web",
          "image": "nginx:latest",
          "securityContext": {"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}
        }]
      }
    }
  }
}"#;

const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData:\n  password: hunter2hunter2\n";

/// (rule, pointer, message) of each unsuppressed finding, sorted.
type Verdict = Vec<(String, String, String)>;

fn verdict<'a>(findings: impl Iterator<Item = &'a palisade_diagnostics::Finding>) -> Verdict {
    let mut v: Verdict = findings
        .filter(|f| !f.suppressed)
        .map(|f| {
            (
                f.rule.id.to_string(),
                f.location.pointer.to_string(),
                f.message.to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn scanned(text: &str) -> Verdict {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("object.yaml");
    std::fs::write(&file, text).unwrap();
    let opts = ScanOptions {
        max_file_size: 1 << 20,
        ..ScanOptions::default()
    };
    let rules =
        palisade_engine::RuleSet::new(palisade_rules::registry(), Settings::default()).unwrap();
    let outcome = scan_paths(&[PathBuf::from(&file)], &rules, &opts);
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    verdict(outcome.findings.to_vec().iter())
}

#[test]
fn one_object_gets_the_scan_verdict() {
    let object: serde_json::Value = serde_json::from_str(DEPLOYMENT).unwrap();
    let checked = check_object(&Settings::default(), &object).unwrap();
    let in_memory = verdict(checked.findings.iter());
    let rules: Vec<&str> = in_memory.iter().map(|f| f.0.as_str()).collect();
    for expected in ["PSS002", "PSS003", "PSS015"] {
        assert!(rules.contains(&expected), "{expected} missing: {rules:?}");
    }
    // The scan adds what only a set of objects shows (a namespace without NetworkPolicy);
    // every finding about the object itself is the same.
    let cross_object = |id: &str| {
        palisade_rules::registry()
            .iter()
            .any(|r| r.meta.id == id && matches!(r.hook, palisade_engine::Hook::Inventory(_)))
    };
    let mut from_scan = scanned(DEPLOYMENT);
    assert!(from_scan.iter().any(|f| cross_object(&f.0)));
    from_scan.retain(|f| !cross_object(&f.0));
    assert_eq!(in_memory, from_scan);
    assert!(checked.evaluated.iter().any(|id| id == "PSS003"));
    assert!(!checked.skipped);
    // The object came from no file: its findings name the field, not a place in a file.
    assert!(checked.findings.iter().all(|f| f.location.span.is_none()));
    assert!(
        checked
            .findings
            .iter()
            .all(|f| f.subject.display_name() == "Deployment/shop/web")
    );
}

#[test]
fn the_front_door_decides_which_rules_run() {
    let manifest = Checker::new(Settings::default()).unwrap();
    let admission = Checker::new(Settings {
        input: Input::Admission,
        ..Settings::default()
    })
    .unwrap();
    let rules = |c: &Checker| -> Vec<String> {
        let checked = c.check_text("secret.yaml", SECRET).unwrap();
        checked
            .findings
            .iter()
            .map(|f| f.rule.id.to_string())
            .collect()
    };
    // A Secret's plain stringData is a manifest's problem; the API server never stores it.
    assert!(
        rules(&manifest).contains(&"SEC009".to_string()),
        "{:?}",
        rules(&manifest)
    );
    assert!(!rules(&admission).contains(&"SEC009".to_string()));
    assert!(
        admission
            .rules()
            .enabled()
            .iter()
            .all(|r| r.meta.inputs.contains(&Input::Admission))
    );
    // Findings never carry the secret value.
    let checked = manifest.check_text("secret.yaml", SECRET).unwrap();
    assert!(
        checked
            .findings
            .iter()
            .all(|f| !f.message.contains("hunter2"))
    );
}

#[test]
fn what_is_not_one_object_is_a_typed_error() {
    let c = Checker::new(Settings::default()).unwrap();
    let bad = c.check_text("x", "a: [1, 2\n");
    assert!(matches!(bad, Err(CheckError::Syntax { .. })), "{bad:?}");
    assert!(matches!(
        c.check_text("x", "kind: A\n---\nkind: B\n"),
        Err(CheckError::Documents(2))
    ));
    let plain = c.check_text("x", "just: data\n").unwrap();
    assert!(plain.skipped && plain.findings.is_empty());
}
