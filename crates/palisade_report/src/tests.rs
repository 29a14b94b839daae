//! Snapshot tests for every format, and SARIF schema validation.

use std::sync::Arc;

use palisade_diagnostics::{
    ArcStr, Finding, FindingList, FrameworkRef, InputError, Layer, Location, ObjectRef, PssCheck,
    PssLevel, RuleMeta, RuleRef, RuleStatus, Severity, Span, Subject, Summary,
};

use palisade_source::SecretSpans;

use crate::{Format, Report, Source, Sources, render};

pub(crate) static PRIVILEGED: RuleMeta = RuleMeta {
    id: palisade_diagnostics::arcstr::literal!("PSS003"),
    name: palisade_diagnostics::arcstr::literal!("privileged-container"),
    title: palisade_diagnostics::arcstr::literal!("Privileged container"),
    severity: Severity::Critical,
    layer: Layer::Container,
    status: RuleStatus::Stable,
    since: "0.1.0",
    inputs: &[],
    frameworks: std::borrow::Cow::Borrowed(&[
        FrameworkRef::Pss(PssCheck {
            level: PssLevel::Baseline,
            check: "privileged",
        }),
        FrameworkRef::Cis("5.2.2"),
        FrameworkRef::Mitre("T1611"),
    ]),
    remediation: palisade_diagnostics::arcstr::literal!("Remove securityContext.privileged."),
    fixable: palisade_diagnostics::Fixable::No,
    superseded_by: &[],
    docs: palisade_diagnostics::arcstr::literal!(
        " ## What it does\n Flags privileged containers.\n\n ## Why is this bad?\n Escape.\n"
    ),
};

static NON_ROOT: RuleMeta = RuleMeta {
    id: palisade_diagnostics::arcstr::literal!("PSS015"),
    name: palisade_diagnostics::arcstr::literal!("run-as-non-root"),
    title: palisade_diagnostics::arcstr::literal!("Containers may run as root"),
    severity: Severity::Medium,
    layer: Layer::Container,
    status: RuleStatus::Stable,
    since: "0.1.0",
    inputs: &[],
    frameworks: std::borrow::Cow::Borrowed(&[FrameworkRef::Pss(PssCheck {
        level: PssLevel::Restricted,
        check: "runAsNonRoot",
    })]),
    remediation: palisade_diagnostics::arcstr::literal!("Set runAsNonRoot: true."),
    fixable: palisade_diagnostics::Fixable::No,
    superseded_by: &[],
    docs: palisade_diagnostics::arcstr::literal!(" ## What it does\n Requires non-root.\n"),
};

const SOURCE: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: true\n";

fn object() -> ObjectRef {
    ObjectRef {
        api_version: "v1".into(),
        kind: "Pod".into(),
        namespace: Some("shop".into()),
        name: Some("web".into()),
        uid: None,
        cluster: None,
    }
}

fn findings() -> Vec<Finding> {
    let non_root = Finding {
        rule: RuleRef::of(&NON_ROOT),
        severity: Severity::Medium,
        subject: Subject::Object(object()).into(),
        container: Some("app".into()),
        location: Location {
            span: Some(Span {
                path: "deploy/web pod.yaml".into(),
                line: 8,
                column: 5,
                end_line: 11,
                end_column: 23,
                document: 0,
            }),
            pointer: "/spec/containers/0/securityContext/runAsNonRoot".into(),
            missing: true,
        },
        message: "neither the pod nor container \"app\" sets securityContext.runAsNonRoot to true"
            .into(),
        suppressed: false,
        suppression_reason: None,
        redact_source: false,
        origin: None,
        fix: None,
        superseded: false,
    };
    let privileged = Finding {
        rule: RuleRef::of(&PRIVILEGED),
        severity: Severity::Critical,
        location: Location {
            span: Some(Span {
                line: 11,
                column: 7,
                ..non_root.location.span.clone().unwrap()
            }),
            pointer: "/spec/containers/0/securityContext/privileged".into(),
            missing: false,
        },
        message: "container \"app\" sets securityContext.privileged to true".into(),
        ..non_root.clone()
    };
    // The same finding in another file, suppressed by an annotation.
    let suppressed = Finding {
        location: Location {
            span: Some(Span {
                path: "other.yaml".into(),
                ..privileged.location.span.clone().unwrap()
            }),
            ..privileged.location.clone()
        },
        suppressed: true,
        suppression_reason: Some("palisade.dev/ignore: debug pod".into()),
        ..privileged.clone()
    };
    vec![non_root, privileged, suppressed]
}

fn with_report<T>(show_suppressed: bool, f: impl FnOnce(&Report<'_>) -> T) -> T {
    let findings = FindingList::from(findings());
    let errors = vec![InputError {
        path: "broken.yaml".into(),
        line: Some(3),
        column: Some(7),
        message: "did not find expected key".into(),
    }];
    let notes =
        vec!["skipped 1 Helm template (render charts with `helm template` first)".to_string()];
    let mut summary = Summary {
        files: 3,
        objects: 2,
        findings: 2,
        suppressed: 1,
        errors: 1,
        ..Summary::default()
    };
    summary.by_severity.insert("critical", 1);
    summary.by_severity.insert("medium", 1);
    let mut sources = Sources::new();
    sources.insert(
        "deploy/web pod.yaml".into(),
        Source {
            text: Arc::from(SOURCE),
            secrets: SecretSpans::default(),
        },
    );
    let rules = [RuleRef::of(&PRIVILEGED), RuleRef::of(&NON_ROOT)];
    let evaluated: std::collections::BTreeSet<ArcStr> =
        ["PSS003", "PSS015"].into_iter().map(ArcStr::from).collect();
    let report = Report {
        tool_version: "0.1.0",
        findings: &findings,
        errors: &errors,
        warnings: &[],
        notes: &notes,
        summary: &summary,
        rules: &rules,
        sources: &sources,
        show_suppressed,
        show_compliance: show_suppressed,
        evaluated: &evaluated,
        layout: Default::default(),
        project: None,
        fail_on: Some(Severity::High),
        views: None,
    };
    f(&report)
}

fn rendered(format: Format, show_suppressed: bool) -> String {
    with_report(show_suppressed, |r| {
        let mut out = Vec::new();
        render(format, r, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    })
}

#[test]
fn text_snapshot() {
    insta::assert_snapshot!(rendered(Format::Text, false));
}

#[test]
fn text_shows_suppressed_on_request() {
    let out = rendered(Format::Text, true);
    assert!(
        out.contains("suppressed: palisade.dev/ignore: debug pod"),
        "{out}"
    );
    assert!(!rendered(Format::Text, false).contains("debug pod"));
}

#[test]
fn compact_snapshot() {
    // Suppressed findings shown, with their reason.
    insta::assert_snapshot!(rendered(Format::Compact, true));
}

#[test]
fn text_grouped_by_severity_and_wrapped() {
    let text = with_report(false, |r| {
        let mut r = *r;
        let mut sorted = palisade_diagnostics::FindingList::from(r.findings.to_vec());
        crate::sort_findings(&mut sorted, crate::SortOrder::Severity);
        r.findings = &sorted;
        r.layout = crate::Layout {
            quiet: false,
            sort: crate::SortOrder::Severity,
            width: Some(40),
        };
        let mut out = Vec::new();
        render(Format::Text, &r, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    });
    insta::assert_snapshot!(text);
}

#[test]
fn warnings_are_reported_apart_from_errors() {
    let warnings = vec![InputError {
        path: "charts/web".into(),
        line: None,
        column: None,
        message: "the chart's dependencies are not vendored: common".into(),
    }];
    let summary = Summary {
        warnings: 1,
        ..Summary::default()
    };
    let report = Report {
        tool_version: "0.1.0",
        findings: &FindingList::new(),
        errors: &[],
        warnings: &warnings,
        notes: &[],
        summary: &summary,
        rules: &[],
        sources: &Sources::new(),
        show_suppressed: false,
        show_compliance: false,
        evaluated: &Default::default(),
        fail_on: Some(Severity::Low),
        layout: Default::default(),
        project: None,
        views: None,
    };
    let out = |format| {
        let mut out = Vec::new();
        render(format, &report, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let text = out(Format::Text);
    assert!(
        text.contains("warning: charts/web: the chart's dependencies are not vendored: common\n"),
        "{text}"
    );
    assert!(!text.contains("error"), "{text}");
    assert!(text.ends_with("no findings, 1 warning.\n"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&out(Format::Json)).unwrap();
    assert_eq!(json["warnings"][0]["path"], "charts/web");
    assert_eq!(json["summary"]["warnings"], 1);
    assert_eq!(json["errors"], serde_json::json!([]));
    let sarif: serde_json::Value = serde_json::from_str(&out(Format::Sarif)).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(
        invocation["toolExecutionNotifications"][0]["level"],
        "warning"
    );
    assert!(sarif_errors(&sarif).is_empty());
    let junit = out(Format::Junit);
    assert!(
        junit.contains(
            r#"<testsuite name="warnings" tests="1" skipped="1" errors="0" failures="0">"#
        ),
        "{junit}"
    );
    assert!(junit.contains("dependencies are not vendored"), "{junit}");
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(rendered(Format::Json, false));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(rendered(Format::Junit, true));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(rendered(Format::Sarif, true));
}

fn sarif_schema() -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/schemas/sarif/sarif-schema-2.1.0.json");
    let path = std::env::var_os("PALISADE_SHARED")
        .map(|s| std::path::PathBuf::from(s).join("schemas/sarif/sarif-schema-2.1.0.json"))
        .unwrap_or(path);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("SARIF schema in ../shared"))
        .unwrap()
}

/// Validate a SARIF document against the official 2.1.0 schema; the errors as text.
pub fn sarif_errors(doc: &serde_json::Value) -> Vec<String> {
    let schema = sarif_schema();
    let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    for show in [false, true] {
        let doc: serde_json::Value = serde_json::from_str(&rendered(Format::Sarif, show)).unwrap();
        let errors = sarif_errors(&doc);
        assert!(errors.is_empty(), "{errors:#?}");
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), if show { 3 } else { 2 });
        assert_eq!(
            results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "deploy/web%20pod.yaml"
        );
        assert_eq!(
            doc["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"],
            "9.5"
        );
    }
    // An invalid document is caught, so the check above can fail.
    assert!(
        !sarif_errors(&serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]}))
            .is_empty()
    );
}

#[test]
fn text_marks_the_offending_span() {
    let out = rendered(Format::Text, false);
    let line = out
        .lines()
        .find(|l| l.contains("privileged: true"))
        .unwrap();
    let marker = out
        .lines()
        .skip_while(|l| !l.contains("privileged: true"))
        .nth(1)
        .unwrap();
    assert_eq!(
        line.find("privileged"),
        marker.find('^'),
        "\n{line}\n{marker}"
    );
    assert!(out.ends_with("Scanned 3 files (2 objects): 2 findings (1 critical, 1 medium), 1 suppressed, 1 input error.\n"));
}

#[test]
fn compliance_marks_controls_pass_fail_and_not_evaluated() {
    use crate::compliance::{Status, compliance};
    let findings = findings();
    let evaluated = ["PSS003", "PSS015"].into_iter().map(ArcStr::from).collect();
    let c = compliance(
        &FindingList::from(findings[1..].to_vec()),
        &[RuleRef::of(&PRIVILEGED), RuleRef::of(&NON_ROOT)],
        &evaluated,
    );
    let none = compliance(
        &FindingList::new(),
        &[RuleRef::of(&PRIVILEGED), RuleRef::of(&NON_ROOT)],
        &Default::default(),
    );
    assert_eq!(
        none.frameworks[0].passed, 0,
        "rules that saw nothing to check pass nothing"
    );
    let pss = &c.frameworks[0];
    assert_eq!(pss.framework, "pss");
    let status = |id: &str| pss.controls.iter().find(|c| c.id == id).unwrap().status;
    assert_eq!(
        status("privileged"),
        Status::Fail,
        "one unsuppressed PSS003 finding"
    );
    assert_eq!(
        status("runAsNonRoot"),
        Status::Pass,
        "its only finding was left out"
    );
    assert_eq!(status("sysctls"), Status::NotEvaluated);
    assert_eq!((pss.passed, pss.failed, pss.not_evaluated), (1, 1, 17));
    assert_eq!(pss.score, 50.0);
    let cis = c.frameworks.iter().find(|f| f.framework == "cis").unwrap();
    assert_eq!(cis.failed, 1);
    assert_eq!(
        cis.controls.iter().find(|c| c.id == "5.2.2").unwrap().rules,
        vec!["PSS003"]
    );
    let container = c
        .layers
        .iter()
        .find(|l| l.layer == palisade_diagnostics::Layer::Container)
        .unwrap();
    assert_eq!(
        (container.rules, container.failed_rules, container.score),
        (2, 1, 50.0)
    );
    let out = rendered(Format::Text, true);
    assert!(
        out.contains("Pod Security Standards")
            && out.contains("      PSS privileged    Privileged containers  1 finding\n")
            && out.contains("CIS 5.2.2  Privileged containers admitted  1 finding"),
        "{out}"
    );
}

/// A report whose input text is hostile: control characters and bidi overrides in the file
/// name, the object name, the message and the source line, and a secret on the offending line.
fn hostile(color: bool) -> String {
    let path = "x\nerror: injected.yaml";
    let source = "apiVersion: v1\nkind: Pod\nmetadata: {name: \"a\\e[2Jb\"}\nspec: {containers: [{name: app, image: \"x\u{1b}]0;pwned\u{7}\", env: [{name: P, value: hunter2-TOPSECRET}], securityContext: {privileged: true}}]}\n";
    let secret = source.find("hunter2-TOPSECRET").unwrap();
    let line4 = source.match_indices('\n').nth(2).unwrap().0 + 1;
    let column = source[line4..].find("privileged").unwrap() as u32 + 1;
    let finding = Finding {
        location: Location {
            span: Some(Span {
                path: path.into(),
                line: 4,
                column,
                end_line: 4,
                end_column: column + 10,
                document: 0,
            }),
            pointer: "/spec/containers/0/securityContext/privileged".into(),
            missing: false,
        },
        subject: Subject::Object(ObjectRef {
            name: Some("a\u{1b}[2Jb\u{202e}gnp.exe".into()),
            ..object()
        })
        .into(),
        message: "container \"app\nerror: forged\" sets securityContext.privileged to true".into(),
        suppression_reason: Some("reason\u{1b}[8m".into()),
        suppressed: true,
        ..findings()[1].clone()
    };
    let findings = FindingList::from(vec![finding]);
    let errors = vec![InputError {
        path: "bad\r\nname.yaml".into(),
        line: None,
        column: None,
        message: "cannot read\u{1b}[2J".into(),
    }];
    let notes = vec!["note\u{9b}31m".to_string()];
    let summary = Summary::default();
    let mut sources = Sources::new();
    sources.insert(
        path.into(),
        Source {
            text: Arc::from(source),
            secrets: SecretSpans::new(std::iter::once(secret..secret + "hunter2-TOPSECRET".len())),
        },
    );
    let evaluated = Default::default();
    let report = Report {
        tool_version: "0.1.0",
        findings: &findings,
        errors: &errors,
        warnings: &[],
        notes: &notes,
        summary: &summary,
        rules: &[RuleRef::of(&PRIVILEGED)],
        sources: &sources,
        show_suppressed: true,
        show_compliance: false,
        evaluated: &evaluated,
        layout: Default::default(),
        project: None,
        fail_on: Some(Severity::Low),
        views: None,
    };
    let mut out = Vec::new();
    render(Format::Text, &report, color, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn text_escapes_untrusted_text_and_masks_secrets() {
    let plain = hostile(false);
    insta::assert_snapshot!(plain);
    for out in [plain.as_str(), &hostile(true)] {
        assert!(
            !out.lines().any(|l| l.starts_with("error: injected")
                || l.starts_with("error: forged")
                || l.starts_with("name.yaml")),
            "a newline in input forged a line:\n{out}"
        );
        for raw in [
            "\u{1b}[2J",
            "\u{1b}]0;",
            "\u{1b}[8m",
            "\u{202e}",
            "\u{9b}",
            "\r",
        ] {
            assert!(!out.contains(raw), "{raw:?} reached the output:\n{out}");
        }
        assert!(out.contains("x\\nerror: injected.yaml"), "{out}");
        assert!(out.contains("\\u{202e}gnp.exe"), "{out}");
        assert!(!out.contains("hunter2"), "the secret was shown:\n{out}");
        assert!(out.contains("value: ****"), "{out}");
    }
    // The underline still points at the offending key after masking and escaping.
    let line = plain
        .lines()
        .find(|l| l.contains("privileged: true"))
        .unwrap();
    let marker = plain
        .lines()
        .skip_while(|l| !l.contains("privileged: true"))
        .nth(1)
        .unwrap();
    assert_eq!(
        line.find("privileged"),
        marker.find('^'),
        "\n{line}\n{marker}"
    );
}

/// The SARIF document of these findings (with no input error, note or source).
fn sarif_of(findings: &[Finding], show_suppressed: bool) -> serde_json::Value {
    let summary = Summary::default();
    let report = Report {
        tool_version: "0.1.0",
        findings: &FindingList::from(findings.to_vec()),
        errors: &[],
        warnings: &[],
        notes: &[],
        summary: &summary,
        rules: &[RuleRef::of(&PRIVILEGED), RuleRef::of(&NON_ROOT)],
        sources: &Sources::new(),
        show_suppressed,
        show_compliance: false,
        evaluated: &Default::default(),
        fail_on: Some(Severity::Low),
        layout: Default::default(),
        project: None,
        views: None,
    };
    let mut out = Vec::new();
    render(Format::Sarif, &report, false, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn sarif_uris_are_rfc3986_references_whatever_the_file_name() {
    let names = [
        ("x\nerror: injected.yaml", "x%0Aerror%3A%20injected.yaml"),
        ("./dir/a b#c?d%e.yaml", "dir/a%20b%23c%3Fd%25e.yaml"),
        (
            "ünï/😀[1]{2}.yaml",
            "%C3%BCn%C3%AF/%F0%9F%98%80%5B1%5D%7B2%7D.yaml",
        ),
        ("c:evil.yaml", "c%3Aevil.yaml"),
        ("dir/c:ok.yaml", "dir/c:ok.yaml"),
        ("/abs/\u{1b}[2J.yaml", "file:///abs/%1B%5B2J.yaml"),
        ("C:\\Users\\me\\x.yaml", "file:///C:/Users/me/x.yaml"),
        ("a\u{202e}b\u{7f}.yaml", "a%E2%80%AEb%7F.yaml"),
        ("-", "stdin"),
    ];
    for (path, expected) in names {
        let uri = crate::sarif::path_uri(path);
        assert_eq!(uri, expected, "{path:?}");
        assert!(
            fluent_uri::UriRef::parse(uri.as_str()).is_ok(),
            "{uri} is not an RFC 3986 URI reference"
        );
    }
    // The check above can fail: a raw space or newline is no URI reference.
    assert!(fluent_uri::UriRef::parse("a b.yaml").is_err());
    assert!(fluent_uri::UriRef::parse("x\nerror.yaml").is_err());
    // The whole document, with such a path, still validates.
    let mut findings = findings();
    span_mut(&mut findings[0]).path = names[0].0.into();
    let doc = sarif_of(&findings, true);
    let errors = sarif_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        names[0].1
    );
}

#[test]
fn junit_fails_only_at_or_above_fail_on_and_names_cases_without_lines() {
    let out = rendered(Format::Junit, true);
    let doc = junit_cases(&out);
    // PSS003 is critical (>= high): a failure. PSS015 is medium: it passes, with the finding
    // in system-out. The suppressed PSS003 is skipped.
    assert!(out.contains("failures=\"1\""), "{out}");
    assert_eq!(
        doc,
        vec![
            (
                "PSS015 Pod/shop/web container app /spec/containers/0/securityContext/runAsNonRoot"
                    .to_string(),
                "system-out"
            ),
            (
                "PSS003 Pod/shop/web container app /spec/containers/0/securityContext/privileged"
                    .to_string(),
                "failure"
            ),
            (
                "PSS003 Pod/shop/web container app /spec/containers/0/securityContext/privileged"
                    .to_string(),
                "skipped"
            ),
        ]
    );
    // Moving lines does not rename a case.
    let moved = with_report_findings(|findings| {
        for f in findings.iter_mut() {
            span_mut(f).line += 10;
        }
    });
    assert_eq!(junit_cases(&moved), doc);
    // `--fail-on never`: no failure at all.
    let never = with_report(true, |r| {
        let report = Report {
            fail_on: None,
            ..*r
        };
        let mut out = Vec::new();
        render(Format::Junit, &report, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    });
    assert!(!never.contains("<failure"), "{never}");
}

/// The JUnit report rendered after changing the findings.
fn with_report_findings(change: impl FnOnce(&mut Vec<Finding>)) -> String {
    with_report(true, |r| {
        let mut findings = r.findings.to_vec();
        change(&mut findings);
        let report = Report {
            findings: &FindingList::from(findings),
            ..*r
        };
        let mut out = Vec::new();
        render(Format::Junit, &report, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    })
}

/// `(test-case name, what it holds first)` of the findings' test cases, in order.
fn junit_cases(xml: &str) -> Vec<(String, &'static str)> {
    xml.split("<testcase ")
        .skip(1)
        .filter(|case| case.contains("classname="))
        .map(|case| {
            let name = case
                .split_once("name=\"")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(name, _)| name.to_string())
                .unwrap_or_default();
            let body = ["<failure", "<skipped", "<system-out"]
                .into_iter()
                .filter_map(|tag| case.find(tag).map(|at| (at, tag)))
                .min()
                .map_or("", |(_, tag)| &tag[1..]);
            (name, body)
        })
        .collect()
}

#[test]
fn sarif_results_carry_a_level_per_severity() {
    let mut findings = findings();
    findings[0].severity = Severity::Low;
    span_mut(&mut findings[1]).path = "-".into();
    let doc = sarif_of(&findings, false);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    // The medium rule's finding lowered to low is a note; the critical one an error.
    assert_eq!(levels, vec![("PSS015", "note"), ("PSS003", "error")]);
    assert_eq!(
        results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "stdin"
    );
    assert!(sarif_errors(&doc).is_empty());
}

#[test]
fn large_reports_are_written_in_batches_exactly_as_whole_documents() {
    with_report(true, |r| {
        // Two files, several batches each, suppressed findings in between.
        let n = 2 * crate::BATCH + 7;
        let findings: Vec<Finding> = (0..n)
            .map(|i| {
                let mut f = r.findings.get(i % 3).unwrap();
                span_mut(&mut f).line = u32::try_from(i).unwrap() + 1;
                f
            })
            .collect();
        let report = Report {
            findings: &FindingList::from(findings),
            errors: &[],
            warnings: &[],
            ..*r
        };
        let text = |format| {
            let mut out = Vec::new();
            render(format, &report, false, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let sarif = text(Format::Sarif);
        assert_eq!(sarif, crate::sarif::whole_document(&report));
        let results =
            serde_json::from_str::<serde_json::Value>(&sarif).unwrap()["runs"][0]["results"]
                .as_array()
                .unwrap()
                .len();
        assert_eq!(results, n);
        assert_eq!(text(Format::Junit), crate::junit::whole_document(&report));
        let json: serde_json::Value = serde_json::from_str(&text(Format::Json)).unwrap();
        assert_eq!(
            json["findings"],
            serde_json::to_value(report.visible().collect::<Vec<_>>()).unwrap()
        );
        assert_eq!(json["findings"].as_array().unwrap().len(), n);
    });
}

/// The span of a test finding, which every test finding has.
fn span_mut(f: &mut Finding) -> &mut Span {
    f.location
        .span
        .as_mut()
        .expect("test findings are placed in files")
}

/// Findings read from no file: an object of a live cluster (with a uid) and a file on a node.
fn unplaced_findings() -> Vec<Finding> {
    let mut live = findings().remove(1);
    live.location = Location::unplaced("/spec/containers/0/securityContext/privileged");
    live.subject = Subject::Object(ObjectRef {
        uid: Some("6f1c2e1a-0d3b-4c8e-9f1e-1d2a3b4c5d6e".into()),
        ..object()
    })
    .into();
    let mut node = findings().remove(0);
    node.container = None;
    node.location = Location::unplaced("/authentication/anonymous/enabled");
    node.subject = Subject::NodeFile(palisade_diagnostics::NodeFileRef {
        node: Some("worker-1".into()),
        path: "/var/lib/kubelet/config.yaml".into(),
    })
    .into();
    node.message = "the kubelet accepts anonymous requests".into();
    let mut list = vec![live, node];
    list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    list
}

fn rendered_unplaced(format: Format) -> String {
    with_report(true, |r| {
        let findings = FindingList::from(unplaced_findings());
        let report = Report {
            findings: &findings,
            errors: &[],
            notes: &[],
            ..*r
        };
        let mut out = Vec::new();
        render(format, &report, false, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    })
}

#[test]
fn findings_without_a_file_render_in_every_format() {
    let all = [
        Format::Text,
        Format::Compact,
        Format::Json,
        Format::Junit,
        Format::Sarif,
    ]
    .map(|f| format!("=== {f:?}\n{}", rendered_unplaced(f)))
    .join("\n");
    insta::assert_snapshot!(all);

    // JSON: an object keeps `object` (with its uid), another subject is a tagged `subject`;
    // the location holds only the field.
    let json: serde_json::Value = serde_json::from_str(&rendered_unplaced(Format::Json)).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let live = findings.iter().find(|f| f["rule"] == "PSS003").unwrap();
    assert_eq!(
        live["object"]["uid"],
        "6f1c2e1a-0d3b-4c8e-9f1e-1d2a3b4c5d6e"
    );
    assert_eq!(
        live["location"],
        serde_json::json!({"pointer": "/spec/containers/0/securityContext/privileged", "missing": false})
    );
    let node = findings.iter().find(|f| f["rule"] == "PSS015").unwrap();
    assert!(node.get("object").is_none());
    assert_eq!(node["subject"]["type"], "node-file");
    assert_eq!(node["subject"]["path"], "/var/lib/kubelet/config.yaml");

    // SARIF: logical locations, still valid against the official schema.
    let doc: serde_json::Value = serde_json::from_str(&rendered_unplaced(Format::Sarif)).unwrap();
    let errors = sarif_errors(&doc);
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .all(|r| r["locations"][0].get("physicalLocation").is_none())
    );
    // By namespace: the node's file (no namespace) first.
    assert_eq!(
        results[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "Pod/shop/web"
    );

    // JUnit: one suite per namespace or node, where files would be.
    let junit = rendered_unplaced(Format::Junit);
    assert!(
        junit.contains("<testsuite name=\"namespace shop\""),
        "{junit}"
    );
    assert!(
        junit.contains("<testsuite name=\"node worker-1\""),
        "{junit}"
    );
}

/// A report of `list` alone: no errors, notes, rules or sources.
fn bare_report<'a>(
    list: &'a FindingList,
    summary: &'a Summary,
    sources: &'a Sources,
    evaluated: &'a std::collections::BTreeSet<ArcStr>,
    fail_on: Option<Severity>,
) -> Report<'a> {
    Report {
        tool_version: "0.1.0",
        findings: list,
        errors: &[],
        warnings: &[],
        notes: &[],
        summary,
        rules: &[],
        sources,
        show_suppressed: false,
        show_compliance: false,
        evaluated,
        layout: Default::default(),
        project: None,
        fail_on,
        views: None,
    }
}

/// The `openAPIV3Schema` of version `version` of a CRD in `../shared/schemas`.
fn crd_schema(file: &str, version: &str) -> serde_json::Value {
    let path = std::env::var_os("PALISADE_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
        .join("schemas")
        .join(file);
    let text = std::fs::read_to_string(&path).expect("CRD schema in ../shared");
    let crd: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let versions = crd["spec"]["versions"].as_array().unwrap();
    let entry = versions.iter().find(|v| v["name"] == version).unwrap();
    entry["schema"]["openAPIV3Schema"].clone()
}

/// Keys of `value` that the structural `schema` does not list (the API server prunes them):
/// a draft-4 check alone accepts any misspelt key.
fn unknown_keys(schema: &serde_json::Value, value: &serde_json::Value, at: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    match value {
        serde_json::Value::Object(map) => {
            let Some(props) = schema["properties"].as_object() else {
                // A free map (`properties`, `matchLabels`, `metadata`): its keys are data.
                return unknown;
            };
            for (k, v) in map {
                match props.get(k) {
                    Some(s) => unknown.extend(unknown_keys(s, v, &format!("{at}/{k}"))),
                    None => unknown.push(format!("{at}/{k}")),
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                unknown.extend(unknown_keys(&schema["items"], v, &format!("{at}/{i}")));
            }
        }
        _ => {}
    }
    unknown
}

/// Check every object of a report List against its CRD: the schema, exact apiVersion and
/// kind, a namespace on namespaced kinds only, and no key the schema does not list.
fn check_reports(list: &serde_json::Value, api_version: &str, kinds: [(&str, &str, &str); 2]) {
    assert_eq!(list["kind"], "List");
    let items = list["items"].as_array().unwrap();
    assert!(!items.is_empty());
    for item in items {
        assert_eq!(item["apiVersion"], api_version, "{item}");
        let (kind, file, version) = kinds
            .iter()
            .find(|(k, _, _)| item["kind"] == *k)
            .unwrap_or_else(|| panic!("unexpected kind in {item}"));
        let schema = crd_schema(file, version);
        let validator = jsonschema::draft4::new(&schema).expect("schema compiles");
        let errors: Vec<String> = validator.iter_errors(item).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{kind}: {errors:#?}\n{item}");
        assert_eq!(
            unknown_keys(&schema, item, ""),
            Vec::<String>::new(),
            "{item}"
        );
        let namespaced =
            kind.ends_with("PolicyReport") && !kind.starts_with("Cluster") || *kind == "Report";
        assert_eq!(
            item["metadata"]["namespace"].is_string(),
            namespaced,
            "{item}"
        );
        assert!(
            item["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("palisade")
        );
        assert_eq!(
            item["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "palisade"
        );
    }
}

#[test]
fn policy_reports_validate_against_the_crds() {
    let list: serde_json::Value =
        serde_json::from_str(&rendered(Format::PolicyReport, true)).unwrap();
    check_reports(
        &list,
        "wgpolicyk8s.io/v1alpha2",
        [
            (
                "PolicyReport",
                "policyreport/v1alpha2/wgpolicyk8s.io_policyreports.yaml",
                "v1alpha2",
            ),
            (
                "ClusterPolicyReport",
                "policyreport/v1alpha2/wgpolicyk8s.io_clusterpolicyreports.yaml",
                "v1alpha2",
            ),
        ],
    );
    let list: serde_json::Value =
        serde_json::from_str(&rendered(Format::OpenReports, true)).unwrap();
    check_reports(
        &list,
        "openreports.io/v1alpha1",
        [
            (
                "Report",
                "openreports/v1alpha1/openreports.io_reports.yaml",
                "v1alpha1",
            ),
            (
                "ClusterReport",
                "openreports/v1alpha1/openreports.io_clusterreports.yaml",
                "v1alpha1",
            ),
        ],
    );
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["source"] == "palisade")
    );
}

#[test]
fn policy_report_snapshot() {
    insta::assert_snapshot!(rendered(Format::PolicyReport, true));
}

#[test]
fn policy_reports_are_per_namespace_capped_and_count_every_finding() {
    let object = |ns: Option<&str>, name: String, cluster: &str| ObjectRef {
        api_version: "v1".into(),
        kind: "Pod".into(),
        namespace: ns.map(ArcStr::from),
        name: Some(name.into()),
        uid: None,
        cluster: Some(cluster.into()),
    };
    let mut list = FindingList::new();
    for i in 0..1500 {
        let mut f = Finding::new(
            RuleRef::of(&NON_ROOT),
            object(Some("shop"), format!("p{i}"), "prod"),
            Location::unplaced("/spec"),
            "may run as root",
        );
        // One in ten is the more severe: those come first.
        f.severity = if i % 10 == 0 {
            Severity::High
        } else {
            Severity::Low
        };
        list.push(&f);
    }
    for cluster in ["prod", "staging"] {
        let f = Finding::new(
            RuleRef::of(&PRIVILEGED),
            object(None, "node-agent".into(), cluster),
            Location::unplaced("/spec"),
            "privileged",
        );
        list.push(&f);
    }
    let (summary, sources, evaluated) = Default::default();
    let report = bare_report(&list, &summary, &sources, &evaluated, Some(Severity::High));
    let objects = crate::policyreport::objects(&report, crate::policyreport::Api::PolicyReport);
    let names: Vec<(String, String)> = objects
        .iter()
        .map(|o| {
            (
                o["kind"].as_str().unwrap().into(),
                o["metadata"]["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    // Two clusters: each one's reports are named after it.
    assert_eq!(
        names,
        [
            (
                "ClusterPolicyReport".to_string(),
                "palisade-prod".to_string()
            ),
            ("PolicyReport".to_string(), "palisade-prod".to_string()),
            (
                "ClusterPolicyReport".to_string(),
                "palisade-staging".to_string()
            ),
        ]
    );
    let shop = &objects[1];
    assert_eq!(shop["metadata"]["namespace"], "shop");
    let results = shop["results"].as_array().unwrap();
    assert_eq!(results.len(), crate::policyreport::MAX_RESULTS);
    assert_eq!(
        shop["metadata"]["annotations"]["palisade.dev/results-omitted"],
        "500"
    );
    assert_eq!(
        shop["summary"]["fail"], 150,
        "high is at the fail-on threshold"
    );
    assert_eq!(shop["summary"]["warn"], 1350);
    assert!(results[..150].iter().all(|r| r["severity"] == "high"));
    assert!(shop.to_string().len() < 1024 * 1024);
}

#[test]
fn the_html_report_is_self_contained_and_never_lets_input_write_markup() {
    let html = rendered(Format::Html, true);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    // Nothing is fetched: no URL anywhere in the page.
    for scheme in ["http://", "https://", "//cdn", "src=\"", "href=\""] {
        assert!(!html.contains(scheme), "{scheme} in the page");
    }
    // The summary reads without JavaScript.
    assert!(html.contains("<noscript>"));
    assert!(html.contains("id=\"summary-line\">Scanned 3 files"));
    assert!(html.contains("<svg role=\"img\" aria-label=\"critical: 1, high: 0"));
    assert!(html.contains("<caption>Framework controls</caption>"));
    // Every input of the filter form has a label.
    assert_eq!(html.matches("<label>").count(), 6);
    // The findings are data for the script, and the source line is there, masked.
    let data_start = html
        .find("<script type=\"application/json\" id=\"data\">")
        .unwrap();
    let data = &html[data_start..];
    let data = &data[data.find('>').unwrap() + 1..data.find("</script>").unwrap()];
    let rows: serde_json::Value = serde_json::from_str(data).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    let privileged = rows
        .iter()
        .find(|r| r["rule"] == "PSS003" && r["place"] == "deploy/web pod.yaml:11:7")
        .unwrap();
    assert_eq!(privileged["snippet"][0], 11, "{privileged}");
    assert!(
        privileged["snippet"][1]
            .as_str()
            .unwrap()
            .contains("privileged")
    );

    // A hostile message and name stay text.
    let object = ObjectRef {
        api_version: "v1".into(),
        kind: "Pod".into(),
        namespace: Some("<b>ns</b>".into()),
        name: Some("</script><script>alert(1)</script>".into()),
        uid: None,
        cluster: None,
    };
    let f = Finding::new(
        RuleRef::of(&PRIVILEGED),
        object,
        Location::unplaced("/spec"),
        "<img src=x onerror=alert(2)> & \u{2028}",
    );
    let list = FindingList::from(vec![f]);
    let (summary, sources, evaluated) = Default::default();
    let report = bare_report(&list, &summary, &sources, &evaluated, None);
    let mut out = Vec::new();
    render(Format::Html, &report, false, &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>ns"), "{html}");
    assert_eq!(
        html.matches("</script>").count(),
        2,
        "only the page's own scripts close"
    );
    assert!(html.contains("\\u003cimg src=x onerror=alert(2)\\u003e \\u0026 \\u2028"));
    assert!(
        html.contains("&lt;b&gt;ns&lt;/b&gt;"),
        "escaped in the namespace chart"
    );
}

#[test]
fn the_html_views_show_risk_paths_and_a_connection_grid_as_text() {
    use crate::views::{NamespaceCoverage, Network, RiskRow, Views};
    let views = Views {
        risks: vec![RiskRow {
            cluster: String::new(),
            subject: "ServiceAccount <i>ci</i>/deployer".into(),
            power: "run pods as any ServiceAccount of the namespace".into(),
            severity: Severity::High,
            namespace: "prod".into(),
            grant: "create pods".into(),
            via: "RoleBinding/prod/deploy → Role/prod/deploy".into(),
            steps: vec![
                "ServiceAccount ci/deployer can create pods in prod".into(),
                "ServiceAccount prod/admin can do <anything>".into(),
            ],
            held_by: vec!["Deployment/ci/runner".into()],
        }],
        networks: vec![Network {
            cluster: String::new(),
            workloads: 3,
            classes: 2,
            namespaces: vec![NamespaceCoverage {
                namespace: "prod".into(),
                workloads: 3,
                ingress_isolated: 2,
                egress_isolated: 3,
                policies: 2,
            }],
            ends: vec![
                "prod/web[Deployment] +1".into(),
                "prod/db[StatefulSet]".into(),
            ],
            connections: vec![(0, 1, "TCP/5432".into())],
            total_connections: 1,
            grid: true,
        }],
        only: false,
    };
    let list = FindingList::default();
    let (summary, sources, evaluated) = Default::default();
    let mut report = bare_report(&list, &summary, &sources, &evaluated, None);
    report.views = Some(&views);
    let mut out = Vec::new();
    render(Format::Html, &report, false, &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(html.contains("<th scope=\"row\">ServiceAccount &lt;i&gt;ci&lt;/i&gt;/deployer</th>"));
    assert!(html.contains(
        "<ol class=\"path\"><li>ServiceAccount ci/deployer can create pods in prod</li><li>ServiceAccount prod/admin can do &lt;anything&gt;</li></ol>"
    ));
    assert!(html.contains("<p>Held by the pods of Deployment/ci/runner</p>"));
    assert!(html.contains("<td>namespace prod</td>"));
    // Coverage: a namespace with a workload not isolated for ingress is marked.
    assert!(html.contains(
        "<tr><th scope=\"row\">prod</th><td>3</td><td class=\"gap\">2 of 3</td><td class=\"ok\">3 of 3</td><td>2</td></tr>"
    ));
    // The grid: web may reach db on 5432, nothing else is allowed.
    assert!(html.contains(
        "<tr><th scope=\"row\">prod/web[Deployment] +1</th><td class=\"deny\">—</td><td class=\"allow\">TCP/5432</td></tr>"
    ));
    assert!(html.contains(
        "<tr><th scope=\"row\">prod/db[StatefulSet]</th><td class=\"deny\">—</td><td class=\"deny\">—</td></tr>"
    ));
    // Still a findings page: the table and its script are there.
    assert!(html.contains("id=\"findings\""));

    // Views alone (`netpol matrix`): no compliance, no findings table, no script.
    let alone = Views {
        only: true,
        risks: Vec::new(),
        networks: views.networks.clone(),
    };
    report.views = Some(&alone);
    let mut out = Vec::new();
    render(Format::Html, &report, false, &mut out).unwrap();
    let html = String::from_utf8(out).unwrap();
    assert!(html.contains(
        "id=\"summary-line\">3 workloads in 2 classes; 1 allowed connections between classes and address ranges</p>"
    ));
    assert!(!html.contains("<script"));
    assert!(!html.contains("Compliance"));
    assert!(!html.contains("RBAC risk paths"));
    assert!(html.ends_with("</main>\n</body>\n</html>\n"));
}
