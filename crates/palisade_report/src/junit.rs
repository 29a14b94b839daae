//! `--format junit`: one test suite per file, one failing test case per finding.

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_diagnostics::Finding;
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use crate::Report;

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let mut junit = JReport::new("palisade");
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in report.visible() {
        by_file.entry(&f.location.path).or_default().push(f);
    }
    for (path, findings) in by_file {
        let mut suite = TestSuite::new(path);
        for f in findings {
            let name = format!(
                "{} {} {}:{}",
                f.rule.id,
                f.object.display_name(),
                f.location.line,
                f.location.column
            );
            let status = if f.suppressed {
                let mut s = TestCaseStatus::skipped();
                s.set_message(f.suppression_reason.clone().unwrap_or_default());
                s
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(f.message.clone());
                s.set_type(f.severity.as_str());
                s.set_description(format!(
                    "{}:{}:{}: {} [{}] {}\nobject: {}\nhelp: {}",
                    f.location.path,
                    f.location.line,
                    f.location.column,
                    f.severity,
                    f.rule.id,
                    f.message,
                    f.object.display_name(),
                    f.rule.remediation
                ));
                s
            };
            let mut case = TestCase::new(name, status);
            case.set_classname(format!("palisade.{}", f.rule.name));
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    if !report.errors.is_empty() {
        let mut suite = TestSuite::new("input errors");
        for e in report.errors {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_message(e.message.clone());
            let place = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{}:{l}:{c}", e.path),
                (Some(l), None) => format!("{}:{l}", e.path),
                _ => e.path.clone(),
            };
            suite.add_test_case(TestCase::new(place, status));
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
