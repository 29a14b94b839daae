//! The webhook's verdict equals the scan's on the same object, for every document of every
//! rule fixture: an object denied at admission is one `palisade scan` fails on (with the
//! rules that serve admission), for the same rules at the same fields.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade_admission::{Decision, Namespaces};
use palisade_diagnostics::{Input, Severity};
use palisade_engine::{Hook, RuleSet, Settings};
use palisade_scan::{ScanOptions, scan_paths};
use palisade_source::{Limits, parse_stream};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../palisade_rules/tests/fixtures");
    let mut files = Vec::new();
    for rule in std::fs::read_dir(&root).unwrap() {
        for file in std::fs::read_dir(rule.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// (rule, pointer) of the unsuppressed findings at or above `low` of each document of a
/// file, scanned as a file with the rules that serve admission.
fn scanned(path: &Path, rules: &RuleSet) -> Vec<BTreeSet<(String, String)>> {
    let opts = ScanOptions {
        max_file_size: 1 << 20,
        ..ScanOptions::default()
    };
    let outcome = scan_paths(&[path.to_path_buf()], rules, &opts);
    let cross_object: BTreeSet<&str> = palisade_rules::registry()
        .iter()
        .filter(|r| matches!(r.hook, Hook::Inventory(_)))
        .map(|r| r.meta.id.as_str())
        .collect();
    let mut per_doc = Vec::new();
    for f in outcome.findings.iter() {
        if f.suppressed || f.severity < Severity::Low || cross_object.contains(f.rule.id.as_str()) {
            continue;
        }
        let Some(span) = &f.location.span else {
            continue;
        };
        let doc = span.document as usize;
        if per_doc.len() <= doc {
            per_doc.resize(doc + 1, BTreeSet::new());
        }
        per_doc[doc].insert((f.rule.id.to_string(), f.location.pointer.to_string()));
    }
    per_doc
}

#[test]
fn admission_and_scan_agree_on_every_fixture() {
    let reviewer = common::reviewer(None);
    let namespaces = Namespaces::new(reviewer.admission().defaults, reviewer.default_version());
    let rules = RuleSet::new(
        palisade_rules::registry(),
        Settings {
            input: Input::Admission,
            ..Settings::default()
        },
    )
    .unwrap();
    let (mut objects, mut denied, mut skipped_yaml_only) = (0, 0, 0);
    let mut disagreements = Vec::new();
    for path in fixtures() {
        let text = std::fs::read_to_string(&path).unwrap();
        let from_scan = scanned(&path, &rules);
        for (i, doc) in parse_stream(&text, &Limits::default())
            .into_iter()
            .enumerate()
        {
            let Ok(doc) = doc else { continue };
            let Some(root) = doc.root() else { continue };
            if root.get("kind").and_then(|k| k.as_str()).is_none()
                || root.get("apiVersion").and_then(|k| k.as_str()).is_none()
            {
                continue;
            }
            let object = serde_json::to_value(root).unwrap();
            // What the API server stores has no duplicate keys: a document that has them
            // differs from its JSON by construction.
            if !doc.warnings.is_empty() {
                skipped_yaml_only += 1;
                continue;
            }
            let review = common::review_of("CREATE", &object);
            let reviewed = match reviewer.review_bytes(review.to_string().as_bytes(), &namespaces) {
                Ok(r) => r,
                // Metadata the API server would reject (labels that are not a map): no review.
                Err(_) => {
                    skipped_yaml_only += 1;
                    continue;
                }
            };
            objects += 1;
            let response = serde_json::to_value(&reviewed.response).unwrap()["response"].clone();
            let from_review = common::causes(&response);
            let expected = from_scan.get(i).cloned().unwrap_or_default();
            let denied_here = reviewed.decision == Decision::Denied;
            denied += usize::from(denied_here);
            if denied_here == expected.is_empty() || from_review != expected {
                disagreements.push(format!(
                    "{}#{i}: scan {expected:?}, admission {:?} {from_review:?}",
                    path.display(),
                    reviewed.decision
                ));
            }
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The fixtures exercise both verdicts, and nearly every document is reviewed.
    assert!(objects > 500, "{objects} objects");
    assert!(denied > 200, "{denied} denied");
    assert!(skipped_yaml_only < 5, "{skipped_yaml_only} skipped");
}
