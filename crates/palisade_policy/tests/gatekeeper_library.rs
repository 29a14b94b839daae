//! The upstream Gatekeeper policy library's own suites (`../shared/conformance/gatekeeper-library`),
//! as they are: every case must agree, with the Rego engine and, for the templates that carry
//! CEL, with the CEL engine independently.

use std::path::PathBuf;

use palisade_policy::gatekeeper::EngineChoice;
use palisade_policy::gatekeeper::rego::DEFAULT_TIME_LIMIT;
use palisade_policy::suite::{CaseResult, run_gatekeeper_suite};

fn library() -> PathBuf {
    let shared = std::env::var_os("PALISADE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    shared.join("conformance/gatekeeper-library/library")
}

fn suites() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![library()];
    while let Some(dir) = stack.pop() {
        for entry in
            std::fs::read_dir(&dir).expect("the Gatekeeper library is beside the repository")
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == "suite.yaml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn run(engines: EngineChoice) -> (Vec<CaseResult>, Vec<String>) {
    let mut results = Vec::new();
    let mut errors = Vec::new();
    for suite in suites() {
        match run_gatekeeper_suite(&suite, engines, DEFAULT_TIME_LIMIT) {
            Ok(r) => results.extend(r),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (results, errors)
}

fn report(results: &[CaseResult], errors: &[String]) -> String {
    let mut out = String::new();
    for e in errors {
        out.push_str(&format!("error: {e}\n"));
    }
    for r in results.iter().filter(|r| !r.pass) {
        out.push_str(&format!(
            "FAIL {} {} {}: expected {}, got {}\n",
            r.suite, r.test, r.case, r.expected, r.got
        ));
    }
    out
}

#[test]
fn every_suite_passes_with_the_rego_engine() {
    let (results, errors) = run(EngineChoice::Rego);
    let failed = report(&results, &errors);
    assert!(failed.is_empty(), "{failed}");
    assert_eq!(suites().len(), 49);
    assert_eq!(results.len(), 270, "the library's cases");
}

#[test]
fn every_suite_of_a_template_with_cel_passes_with_the_cel_engine() {
    let (results, errors) = run(EngineChoice::Cel);
    let failed = report(&results, &errors);
    assert!(failed.is_empty(), "{failed}");
    let templates: std::collections::BTreeSet<&str> =
        results.iter().map(|r| r.suite.as_str()).collect();
    assert_eq!(templates.len(), 16, "{templates:?}");
}
