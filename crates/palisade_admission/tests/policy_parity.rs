//! Loaded policies give the same verdict at the gate as in a scan: for every sample object of
//! the Gatekeeper library and of Palisade's own ValidatingAdmissionPolicy and Kyverno suites,
//! the webhook denies exactly when `palisade scan --policy` finds a violation, with the same
//! (policy, field) pairs.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade_admission::{Decision, Namespaces};
use palisade_config::Overrides;
use palisade_scan::{ScanOptions, scan_paths};
use palisade_source::{Limits, parse_stream};

fn shared() -> PathBuf {
    std::env::var_os("PALISADE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn suites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade_policy/tests/suites")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every template of the library with the first constraint of its samples.
fn library_policies(into: &Path) {
    let library = shared().join("conformance/gatekeeper-library/library");
    let mut files = Vec::new();
    walk(&library, &mut files);
    files.sort();
    let mut taken = BTreeSet::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy();
        let policy_dir = if name == "template.yaml" {
            f.parent().unwrap().to_path_buf()
        } else if name == "constraint.yaml" {
            f.parent()
                .unwrap()
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .to_path_buf()
        } else {
            continue;
        };
        if name == "constraint.yaml" && !taken.insert(policy_dir.clone()) {
            continue;
        }
        let flat = format!(
            "{}-{name}",
            policy_dir.file_name().unwrap().to_string_lossy()
        );
        std::fs::copy(f, into.join(flat)).unwrap();
    }
}

/// Sample objects: the library's examples that are plain objects, and the suites' resources.
fn objects() -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(
        &shared().join("conformance/gatekeeper-library/library"),
        &mut files,
    );
    walk(&suites(), &mut files);
    files.retain(|f| {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        (name.starts_with("example_") || name == "resources.yaml")
            && !std::fs::read_to_string(f)
                .unwrap()
                .contains("kind: AdmissionReview")
    });
    files.sort();
    files
}

#[test]
fn admission_and_scan_agree_on_loaded_policies() {
    let dir = tempfile::tempdir().unwrap();
    library_policies(dir.path());
    // The suites' policies, but for the one that looks objects up: the webhook keeps no copy
    // of the cluster, so that one is a scan's (it fails closed at the gate).
    let own_dir = tempfile::tempdir().unwrap();
    let own = own_dir.path().to_path_buf();
    for suite in std::fs::read_dir(suites()).unwrap() {
        let suite = suite.unwrap().path();
        if suite.file_name().is_some_and(|n| n != "kyverno-lookups") {
            let name = format!("{}.yaml", suite.file_name().unwrap().to_string_lossy());
            std::fs::copy(suite.join("policy.yaml"), own.join(name)).unwrap();
        }
    }
    let config = format!(
        "select = [\"GK\", \"VAP\", \"KYV\"]\nfail-on = \"info\"\npolicies = [{:?}, {:?}]\n",
        dir.path().display().to_string(),
        own.display().to_string()
    );
    let reviewer = common::reviewer(Some(&config));
    let namespaces = Namespaces::new(reviewer.admission().defaults, reviewer.default_version());
    let config_path = dir.path().join("scan.toml");
    std::fs::write(&config_path, &config).unwrap();
    let resolved = palisade_config::resolve(&Overrides {
        config: Some(config_path),
        ..Overrides::default()
    })
    .unwrap();
    let policies = palisade_scan::load_policies(&resolved);
    assert!(policies.errors().is_empty(), "{:?}", policies.errors());
    assert!(
        policies.policies().len() > 50,
        "{} policies",
        policies.policies().len()
    );
    let rules = palisade_scan::rule_set(&resolved, &policies).unwrap();
    let opts = ScanOptions {
        max_file_size: 1 << 20,
        ..ScanOptions::default()
    };
    let (mut reviewed_objects, mut denied) = (0, 0);
    let mut disagreements = Vec::new();
    for path in objects() {
        let outcome = scan_paths(std::slice::from_ref(&path), &rules, &opts);
        assert!(
            outcome.errors.is_empty(),
            "{}: {:?}",
            path.display(),
            outcome.errors
        );
        let mut per_doc: Vec<BTreeSet<(String, String)>> = Vec::new();
        for f in outcome.findings.iter() {
            let doc = f.location.span.as_ref().map_or(0, |s| s.document as usize);
            if per_doc.len() <= doc {
                per_doc.resize(doc + 1, BTreeSet::new());
            }
            per_doc[doc].insert((f.rule.id.to_string(), f.location.pointer.to_string()));
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, doc) in parse_stream(&text, &Limits::default())
            .into_iter()
            .enumerate()
        {
            let Some(root) = doc.as_ref().ok().and_then(|d| d.root()) else {
                continue;
            };
            if root.get("kind").is_none() {
                continue;
            }
            let object = serde_json::to_value(root).unwrap();
            let review = common::review_of("CREATE", &object);
            let reviewed = reviewer
                .review_bytes(review.to_string().as_bytes(), &namespaces)
                .unwrap();
            reviewed_objects += 1;
            let response = serde_json::to_value(&reviewed.response).unwrap()["response"].clone();
            // A denial lists at most 50 violations (its message counts the rest).
            let capped = common::causes_list(&response).len() == 50;
            let from_review = common::causes(&response);
            let expected = per_doc.get(i).cloned().unwrap_or_default();
            let denied_here = reviewed.decision == Decision::Denied;
            denied += usize::from(denied_here);
            let agree = if capped {
                from_review.is_subset(&expected)
            } else {
                from_review == expected
            };
            if denied_here == expected.is_empty() || !agree {
                disagreements.push(format!(
                    "{}#{i}: scan {expected:?}, admission {:?} {from_review:?}",
                    path.display(),
                    reviewed.decision
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(reviewed_objects > 150, "{reviewed_objects} objects");
    assert!(denied > 50, "{denied} denied");
}
