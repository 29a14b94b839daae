//! `--format junit`: one test suite per file, one test case per finding. Only findings at or
//! above `--fail-on` are failures, so that the CI test report agrees with the exit code; the
//! others pass with the finding in `system-out`, and suppressed ones are skipped. Test-case
//! names hold the rule, the object, the container and the field, never a line number, so that
//! CI systems track a finding across runs while lines move.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::Range;

use palisade_diagnostics::{Finding, FindingRef, InputError};
use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};

use crate::{Report, group_without_file, subject_label};

/// `RULE Kind/ns/name [container C] /pointer`: what the finding is about, without a line.
fn case_name(f: &Finding) -> String {
    let mut name = format!("{} {}", f.rule.id, f.subject.display_name());
    if let Some(container) = &f.container {
        name.push_str(&format!(" container {container}"));
    }
    if !f.location.pointer.is_empty() {
        name.push(' ');
        name.push_str(&f.location.pointer);
    }
    name
}

/// `path:line:col: severity [RULE] message` (the subject in place of the place when the
/// finding has no file), the subject and the remediation.
fn description(f: &Finding) -> String {
    let place = match &f.location.span {
        Some(span) => format!("{}:{}:{}", span.path, span.line, span.column),
        None => f.subject.display_name(),
    };
    format!(
        "{place}: {} [{}] {}\n{}: {}\nhelp: {}",
        f.severity,
        f.rule.id,
        f.message,
        subject_label(&f.subject),
        f.subject.display_name(),
        f.rule.remediation
    )
}

/// How a finding shows in the report: suppressed findings are skipped, those at or above
/// `--fail-on` fail, the others pass.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Skipped,
    Failure,
    Success,
}

fn outcome(report: &Report<'_>, f: &FindingRef) -> Outcome {
    if f.suppressed {
        Outcome::Skipped
    } else if report.fail_on.is_some_and(|min| f.severity >= min) {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

fn case(report: &Report<'_>, f: &Finding) -> TestCase {
    let outcome = outcome(report, &f.view());
    let status = match outcome {
        Outcome::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message(f.suppression_reason.as_deref().unwrap_or_default());
            s
        }
        Outcome::Failure => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(f.message.as_str());
            s.set_type(f.severity.as_str());
            s.set_description(description(f));
            s
        }
        Outcome::Success => TestCaseStatus::success(),
    };
    let mut case = TestCase::new(case_name(f), status);
    case.set_classname(format!("palisade.{}", f.rule.name));
    if outcome == Outcome::Success {
        case.set_system_out(description(f));
    }
    case
}

/// A one-suite document, split into the suite's opening tag and its test cases (each ending
/// with a line break). quick-junit writes the whole document; Palisade writes it a suite, and a
/// batch of cases, at a time, so it cuts the parts it needs out of one-suite documents.
fn suite_parts(suite: TestSuite) -> io::Result<(String, String)> {
    let mut doc = JReport::new("palisade");
    doc.add_test_suite(suite);
    let text = doc.to_string().map_err(io::Error::other)?;
    let malformed = || io::Error::other("unexpected JUnit document layout");
    let start = text.find("\n    <testsuite ").ok_or_else(malformed)? + 1;
    let open_end = start + text[start..].find('\n').ok_or_else(malformed)? + 1;
    let close = text.rfind("    </testsuite>").ok_or_else(malformed)?;
    if close < open_end {
        return Err(malformed());
    }
    Ok((
        text[start..open_end].to_string(),
        text[open_end..close].to_string(),
    ))
}

/// The counts in a suite's opening tag.
#[derive(Clone, Copy, Default)]
struct Totals {
    tests: usize,
    skipped: usize,
    failures: usize,
    errors: usize,
}

/// Write a suite of one test case per item, built a batch at a time, under an opening tag
/// with its totals.
fn write_suite<T>(
    out: &mut dyn Write,
    name: &str,
    totals: Totals,
    items: impl IntoIterator<Item = T>,
    case: impl Fn(T) -> TestCase,
) -> io::Result<()> {
    let mut cases = items.into_iter().map(case).peekable();
    let mut first = true;
    while first || cases.peek().is_some() {
        let mut suite = TestSuite::new(name);
        suite.add_test_cases(cases.by_ref().take(crate::BATCH));
        (suite.tests, suite.skipped, suite.failures, suite.errors) =
            (totals.tests, totals.skipped, totals.failures, totals.errors);
        let (open, text) = suite_parts(suite)?;
        if first {
            out.write_all(open.as_bytes())?;
            first = false;
        }
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"    </testsuite>\n")
}

/// The document built and serialized in one piece, as [`render`] must write it.
#[cfg(test)]
pub(crate) fn whole_document(report: &Report<'_>) -> String {
    let mut junit = JReport::new("palisade");
    for (path, ranges) in by_file(report) {
        let mut suite = TestSuite::new(path.as_ref());
        suite.add_test_cases(findings_of(report, &ranges).map(|f| case(report, &f)));
        junit.add_test_suite(suite);
    }
    let mut text = junit.to_string().unwrap();
    text.push('\n');
    text
}

/// The findings to list, by file: ranges of indexes in the report's list. Every order a
/// report is sorted in keeps a file's findings in a few runs (one when sorted by file, one per
/// severity or rule otherwise), so grouping costs a range per run rather than per finding.
fn by_file<'a>(report: &Report<'a>) -> BTreeMap<Cow<'a, str>, Vec<Range<usize>>> {
    let mut by_file: BTreeMap<Cow<'a, str>, Vec<Range<usize>>> = BTreeMap::new();
    let findings: &'a palisade_diagnostics::FindingList = report.findings;
    let visible = findings
        .refs()
        .enumerate()
        .filter(|(_, f)| report.show_suppressed || !f.suppressed);
    for (i, f) in visible {
        let suite = match f.path() {
            Some(path) => Cow::Borrowed(path),
            None => Cow::Owned(group_without_file(f.subject)),
        };
        let ranges = by_file.entry(suite).or_default();
        match ranges.last_mut() {
            Some(last) if last.end == i => last.end += 1,
            _ => ranges.push(i..i + 1),
        }
    }
    by_file
}

/// The findings at `ranges` of the report's list, built one at a time.
fn findings_of<'r>(
    report: &'r Report<'_>,
    ranges: &'r [Range<usize>],
) -> impl Iterator<Item = Finding> + 'r {
    ranges
        .iter()
        .flat_map(|r| r.clone())
        .filter_map(|i| report.findings.get(i))
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let by_file = by_file(report);
    let error_case = |e: &&InputError| {
        // Named by the file alone, like finding cases: the position is in the message.
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        let message = match (e.line, e.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", e.path, e.message),
            (Some(l), None) => format!("{}:{l}: {}", e.path, e.message),
            _ => e.message.clone(),
        };
        status.set_message(message);
        TestCase::new(e.path.clone(), status)
    };
    // Not failures: inputs that were not fully scanned (a chart that did not render) are
    // skipped test cases, so that they show in CI without failing the job.
    let warning_case = |w: &&InputError| {
        let mut status = TestCaseStatus::skipped();
        status.set_message(w.message.clone());
        TestCase::new(w.path.clone(), status)
    };
    let errors: Vec<&InputError> = report.errors.iter().collect();
    let warnings: Vec<&InputError> = report.warnings.iter().collect();
    let empty = by_file.is_empty() && errors.is_empty() && warnings.is_empty();

    // The root's totals, then the suites one after another.
    let file_totals = |ranges: &[Range<usize>]| {
        let mut t = Totals {
            tests: ranges.iter().map(ExactSizeIterator::len).sum(),
            ..Totals::default()
        };
        for f in ranges
            .iter()
            .flat_map(|r| r.clone())
            .filter_map(|i| report.findings.get_ref(i))
        {
            match outcome(report, &f) {
                Outcome::Skipped => t.skipped += 1,
                Outcome::Failure => t.failures += 1,
                Outcome::Success => {}
            }
        }
        t
    };
    let error_totals = Totals {
        tests: errors.len(),
        errors: errors.len(),
        ..Totals::default()
    };
    let warning_totals = Totals {
        tests: warnings.len(),
        skipped: warnings.len(),
        ..Totals::default()
    };
    let mut root = JReport::new("palisade");
    let all = by_file
        .values()
        .map(|f| file_totals(f))
        .chain([error_totals, warning_totals]);
    for t in all {
        root.tests += t.tests;
        root.skipped += t.skipped;
        root.failures += t.failures;
        root.errors += t.errors;
    }
    root.tests += usize::from(empty);
    let frame = root.to_string().map_err(io::Error::other)?;
    let close = frame
        .rfind("</testsuites>")
        .ok_or_else(|| io::Error::other("unexpected JUnit document layout"))?;
    out.write_all(&frame.as_bytes()[..close])?;
    for (path, ranges) in &by_file {
        write_suite(
            out,
            path,
            file_totals(ranges),
            findings_of(report, ranges),
            |f| case(report, &f),
        )?;
    }
    if !errors.is_empty() {
        write_suite(out, "input errors", error_totals, &errors, error_case)?;
    }
    if !warnings.is_empty() {
        write_suite(out, "warnings", warning_totals, &warnings, warning_case)?;
    }
    if empty {
        let one = Totals {
            tests: 1,
            ..Totals::default()
        };
        write_suite(out, "palisade", one, &[()], |()| {
            TestCase::new("no findings", TestCaseStatus::success())
        })?;
    }
    out.write_all(&frame.as_bytes()[close..])?;
    writeln!(out)
}
