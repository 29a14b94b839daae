//! `--format junit`: one test suite per file, one test case per finding. Only findings at or
//! above `--fail-on` are failures, so that the CI test report agrees with the exit code; the
//! others pass with the finding in `system-out`, and suppressed ones are skipped. Test-case
//! names hold the rule, the object, the container and the field, never a line number, so that
//! CI systems track a finding across runs while lines move.

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_diagnostics::Finding;
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use crate::Report;

/// `RULE Kind/ns/name [container C] /pointer`: what the finding is about, without a line.
fn case_name(f: &Finding) -> String {
    let mut name = format!("{} {}", f.rule.id, f.object.display_name());
    if let Some(container) = &f.container {
        name.push_str(&format!(" container {container}"));
    }
    if !f.location.pointer.is_empty() {
        name.push(' ');
        name.push_str(&f.location.pointer);
    }
    name
}

/// `path:line:col: severity [RULE] message`, the object and the remediation.
fn description(f: &Finding) -> String {
    format!(
        "{}:{}:{}: {} [{}] {}\nobject: {}\nhelp: {}",
        f.location.path,
        f.location.line,
        f.location.column,
        f.severity,
        f.rule.id,
        f.message,
        f.object.display_name(),
        f.rule.remediation
    )
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = JReport::new("palisade");
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.visible() {
        by_file.entry(&f.location.path).or_default().push(f);
    }
    for (path, findings) in by_file {
        let mut suite = TestSuite::new(path);
        for f in findings {
            let failing = report.fail_on.is_some_and(|min| f.severity >= min);
            let status = if f.suppressed {
                let mut s = TestCaseStatus::skipped();
                s.set_message(f.suppression_reason.clone().unwrap_or_default());
                s
            } else if failing {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.message.clone());
                s.set_type(f.severity.as_str());
                s.set_description(description(f));
                s
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(case_name(f), status);
            case.set_classname(format!("palisade.{}", f.rule.name));
            if !f.suppressed && !failing {
                case.set_system_out(description(f));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if !report.errors.is_empty() {
        let mut suite = TestSuite::new("input errors");
        for e in report.errors {
            // Named by the file alone, like finding cases: the position is in the message.
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            let message = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", e.path, e.message),
                (Some(l), None) => format!("{}:{l}: {}", e.path, e.message),
                _ => e.message.clone(),
            };
            status.set_message(message);
            suite.add_test_case(TestCase::new(e.path.clone(), status));
        }
        junit.add_test_suite(suite);
    }
    if !report.warnings.is_empty() {
        // Not failures: inputs that were not fully scanned (a chart that did not render) are
        // skipped test cases, so that they show in CI without failing the job.
        let mut suite = TestSuite::new("warnings");
        for w in report.warnings {
            let mut status = TestCaseStatus::skipped();
            status.set_message(w.message.clone());
            suite.add_test_case(TestCase::new(w.path.clone(), status));
        }
        junit.add_test_suite(suite);
    }
    if junit.test_suites.is_empty() {
        let mut suite = TestSuite::new("palisade");
        suite.add_test_case(TestCase::new("no findings", TestCaseStatus::success()));
        junit.add_test_suite(suite);
    }
    let xml = junit.to_string().map_err(io::Error::other)?;
    out.write_all(xml.as_bytes())?;
    writeln!(out)
}
