//! Palisade's own ValidatingAdmissionPolicy and Kyverno ValidatingPolicy suites
//! (`tests/suites/*/kyverno-test.yaml`), run as `palisade policy test` runs them.

use std::path::{Path, PathBuf};

use palisade_policy::gatekeeper::EngineChoice;
use palisade_policy::gatekeeper::rego::DEFAULT_TIME_LIMIT;
use palisade_policy::suite::{find_test_files, run_test_file};

#[test]
fn every_own_suite_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suites");
    let files = find_test_files(&[root]).unwrap();
    assert!(files.len() >= 4, "{files:?}");
    let mut cases = 0;
    for file in &files {
        let results = run_test_file(file, EngineChoice::Auto, DEFAULT_TIME_LIMIT)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!results.is_empty(), "{} has no cases", file.display());
        for r in &results {
            assert!(
                r.pass,
                "{} {} {}: expected {}, got {}",
                r.suite, r.test, r.case, r.expected, r.got
            );
        }
        cases += results.len();
    }
    assert!(cases >= 20, "{cases} cases");
}

#[test]
fn a_case_that_disagrees_is_reported_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suites/kyverno-host-path");
    for f in ["policy.yaml", "resources.yaml"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let test = std::fs::read_to_string(src.join("kyverno-test.yaml"))
        .unwrap()
        .replace(
            "resources: [good-pod, good-deployment]\n  result: pass",
            "resources: [good-pod, good-deployment]\n  result: fail",
        );
    let path: PathBuf = dir.path().join("kyverno-test.yaml");
    std::fs::write(&path, test).unwrap();
    let results = run_test_file(&path, EngineChoice::Auto, DEFAULT_TIME_LIMIT).unwrap();
    let failed: Vec<&str> = results
        .iter()
        .filter(|r| !r.pass)
        .map(|r| r.case.as_str())
        .collect();
    assert_eq!(failed, ["Pod/good-pod", "Deployment/good-deployment"]);
}
