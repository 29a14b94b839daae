//! Per-rule fixtures and registry meta-tests.
//!
//! `tests/fixtures/<RULE>/fire-*.yaml` must produce exactly the findings annotated with
//! `# expect: RULE[, RULE…]` on the line each finding points to; `ok-*.yaml` must produce none.
//! `RULE:severity` (`# expect: RBAC011:high`) also pins the finding's severity: in a file that
//! pins one finding of a rule, every finding of that rule is compared with its severity.
//! A `# pss-version: v1.N` line pins the Pod Security Standards version. Each rule's
//! documentation example is checked the same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_diagnostics::{Finding, FixEdit};
use palisade_engine::{
    Hook, PssVersion, RuleOptions, RuleSet, Selection, Selector, Settings, apply_fixes,
};
use palisade_model::inventory::Inventory;
use palisade_rules::RuleOptionsTable;
use palisade_rules::audit::detect::options::AuditOptions;
use palisade_rules::image::options::ImageOptions;
use palisade_rules::node::options::NodeOptions;
use palisade_rules::pod::options::PodOptions;
use palisade_source::{Limits, NodeRef, Value, parse_stream};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (line, rule id or `id:severity`) -> count.
type Expectations = BTreeMap<(u32, String), usize>;

/// The rule id of an expectation (`RBAC011` of `RBAC011:high`).
fn rule_of(expectation: &str) -> &str {
    expectation.split(':').next().unwrap_or(expectation)
}

fn expectations(text: &str) -> Expectations {
    let mut out = Expectations::new();
    for (i, line) in text.lines().enumerate() {
        if let Some((_, ids)) = line.split_once("# expect:") {
            for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                *out.entry((i as u32 + 1, id.to_string())).or_default() += 1;
            }
        }
    }
    out
}

/// `# allowed-registries: a, b`, `# required-labels: a, b`, `# system-registries: a, b` and
/// `# min-uid: N` headers set rule options.
fn options(text: &str) -> RuleOptions {
    let list = |key: &str| -> Vec<String> {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    // `# audit-…: a, b` headers replace that list (or number) of the audit detections.
    let mut audit = AuditOptions::default();
    {
        let defaults = serde_json::to_value(&audit).unwrap();
        let mut table = serde_json::Map::new();
        for key in AuditOptions::KEYS {
            let values = list(&format!("# {key}:"));
            if values.is_empty() {
                continue;
            }
            let value: serde_json::Value = if defaults[*key].is_number() {
                values[0].parse::<u64>().expect("a number").into()
            } else {
                values.into()
            };
            table.insert(key.to_string(), value);
        }
        if !table.is_empty() {
            let mut merged = defaults.as_object().unwrap().clone();
            merged.extend(table);
            audit = serde_json::from_value(serde_json::Value::Object(merged)).unwrap();
        }
    }
    RuleOptionsTable {
        audit,
        image: ImageOptions {
            allowed_registries: list("# allowed-registries:"),
        },
        pod: PodOptions {
            required_labels: list("# required-labels:"),
            system_registries: list("# system-registries:"),
            min_uid: text
                .lines()
                .find_map(|l| l.strip_prefix("# min-uid:"))
                .map(|v| v.trim().parse().expect("valid min-uid header")),
        },
        node: {
            let defaults = NodeOptions::default();
            let os = list("# container-optimized-os:");
            NodeOptions {
                container_optimized_os: if os.is_empty() {
                    defaults.container_optimized_os
                } else {
                    os
                },
                oldest_supported_kubelet: text
                    .lines()
                    .find_map(|l| l.strip_prefix("# oldest-supported-kubelet:"))
                    .map_or(defaults.oldest_supported_kubelet, |v| v.trim().to_string()),
            }
        },
    }
    .into_options()
}

fn pss_version(text: &str) -> PssVersion {
    text.lines()
        .find_map(|l| l.strip_prefix("# pss-version:"))
        .map(|v| v.trim().parse().expect("valid pss-version header"))
        .unwrap_or_default()
}

/// Run `rule` (plus every rule the expectations name) over `text`; the findings as expectations.
fn actual(rule: &str, text: &str, expected: &Expectations) -> Expectations {
    let pinned: Vec<&str> = expected
        .keys()
        .filter(|(_, id)| id.contains(':'))
        .map(|(_, id)| rule_of(id))
        .collect();
    let mut out = Expectations::new();
    for (f, line) in scan_lines(rule, text, expected) {
        assert!(!f.message.is_empty());
        if !f.suppressed {
            let key = if pinned.contains(&f.rule.id.as_str()) {
                format!("{}:{}", f.rule.id, f.severity)
            } else {
                f.rule.id.to_string()
            };
            *out.entry((line, key)).or_default() += 1;
        }
    }
    out
}

/// Every finding of `rule` (plus the rules the expectations name) on `text`, with its line:
/// where its span starts, or for a finding about an audit event, the event's first line.
fn scan_lines(rule: &str, text: &str, expected: &Expectations) -> Vec<(Finding, u32)> {
    let audit = palisade_rules::find_rule(rule).is_some_and(|r| matches!(r.hook, Hook::Audit(_)));
    let node = palisade_rules::find_rule(rule).is_some_and(|r| matches!(r.hook, Hook::Node(_)));
    let mut select = vec![Selector::new(rule)];
    select.extend(expected.keys().map(|(_, id)| Selector::new(rule_of(id))));
    let selection = Selection {
        select,
        pss_version: pss_version(text),
        ..Selection::default()
    };
    let rules = RuleSet::new(
        palisade_rules::registry(),
        Settings {
            selection,
            options: options(text),
            input: if audit {
                palisade_diagnostics::Input::Audit
            } else if node {
                palisade_diagnostics::Input::Node
            } else {
                palisade_diagnostics::Input::Manifest
            },
            ..Settings::default()
        },
    )
    .unwrap();
    if node {
        // Each document is one node's facts (`kind: NodeFacts`); its findings are pinned to
        // the line where the document starts.
        let mut out = Vec::new();
        for doc in parse_stream(text, &Limits::default()) {
            let doc = doc.expect("fixture parses");
            let Some(root) = doc.root() else {
                continue;
            };
            let line = root.start().line;
            let facts: palisade_model::node::NodeFacts =
                serde_json::from_value(to_json(root)).expect("node facts");
            out.extend(
                rules
                    .scan_node(&facts)
                    .findings
                    .into_iter()
                    .map(|f| (f, line)),
            );
        }
        return out;
    }
    if audit {
        // Each document is one audit event, in order, through one run of the detections.
        let mut run = rules.audit_run();
        let mut out = Vec::new();
        for doc in parse_stream(text, &Limits::default()) {
            let doc = doc.expect("fixture parses");
            let Some(root) = doc.root() else {
                continue;
            };
            let line = root.start().line;
            let json = to_json(root).to_string();
            let event: palisade_audit::Event = serde_json::from_str(&json).expect("an audit event");
            out.extend(run.observe(&event).into_iter().map(|f| (f, line)));
        }
        return out;
    }
    let mut inventory = Inventory::default();
    let mut findings = Vec::new();
    for doc in parse_stream(text, &Limits::default()) {
        let doc = doc.expect("fixture parses");
        let report = rules.scan_document(
            &doc,
            "fixture.yaml",
            &mut palisade_diagnostics::Interner::default(),
        );
        findings.extend(report.findings.into_iter().map(with_line));
        inventory.facts.extend(report.facts);
        inventory.rbac_parts.extend(report.rbac_parts);
    }
    inventory.prepare("default");
    findings.extend(
        rules
            .scan_inventory(&inventory)
            .findings
            .iter()
            .map(with_line),
    );
    findings
}

/// A finding in a file, with the line its span starts on.
fn with_line(f: Finding) -> (Finding, u32) {
    let line = f
        .location
        .span
        .as_ref()
        .expect("fixture findings are in files")
        .line;
    (f, line)
}

/// Every finding of `rule` (plus the rules the expectations name) on `text`.
fn scan(rule: &str, text: &str, expected: &Expectations) -> Vec<Finding> {
    scan_lines(rule, text, expected)
        .into_iter()
        .map(|(f, _)| f)
        .collect()
}

#[test]
fn every_rule_fires_and_passes_on_its_fixtures() {
    let mut problems = Vec::new();
    // Engine-reported rules (waivers) have no YAML input: the CLI tests cover them.
    for rule in palisade_rules::registry()
        .iter()
        .filter(|r| !matches!(r.hook, Hook::Engine))
    {
        let id = rule.meta.id.as_str();
        let dir = fixtures_dir().join(id);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("{id} has no fixtures directory {}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let name = |p: &Path| p.file_name().unwrap().to_string_lossy().to_string();
        assert!(
            files.iter().any(|p| name(p).starts_with("fire-")),
            "{id} has no fire-*.yaml fixture"
        );
        assert!(
            files.iter().any(|p| name(p).starts_with("ok-")),
            "{id} has no ok-*.yaml fixture"
        );
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let expected = expectations(&text);
            let fire = name(&path).starts_with("fire-");
            assert!(
                fire || name(&path).starts_with("ok-"),
                "{}: fixtures are fire-* or ok-*",
                path.display()
            );
            if fire {
                assert!(
                    expected.keys().any(|(_, r)| rule_of(r) == id),
                    "{}: no `# expect: {id}`",
                    path.display()
                );
            } else {
                assert!(
                    expected.is_empty(),
                    "{}: ok fixtures expect nothing",
                    path.display()
                );
            }
            let got = actual(id, &text, &expected);
            if got != expected {
                problems.push(format!(
                    "{}:\n  expected {expected:?}\n  got      {got:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixture_directories_name_real_rules() {
    for entry in std::fs::read_dir(fixtures_dir()).unwrap() {
        let dir = entry.unwrap().file_name().to_string_lossy().to_string();
        assert!(
            palisade_rules::find_rule(&dir).is_some(),
            "fixtures/{dir} names no rule"
        );
    }
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let rules = palisade_rules::registry();
    let mut ids: Vec<&str> = rules.iter().map(|r| r.meta.id.as_str()).collect();
    let mut names: Vec<&str> = rules.iter().map(|r| r.meta.name.as_str()).collect();
    ids.sort();
    names.sort();
    assert!(ids.windows(2).all(|w| w[0] != w[1]), "duplicate rule id");
    assert!(
        names.windows(2).all(|w| w[0] != w[1]),
        "duplicate rule name"
    );
    for r in rules {
        let m = &r.meta;
        let (family, number) = m.id.split_at(m.family().len());
        // Audit detections keep the catalog's control ids (`AUDIT-D11`); every other rule is
        // a family and three digits (`PSS003`).
        let digits = if family == "AUDIT-D" { 2 } else { 3 };
        assert!(
            !family.is_empty()
                && family.bytes().all(|b| b.is_ascii_uppercase() || b == b'-')
                && number.len() == digits
                && number.bytes().all(|b| b.is_ascii_digit()),
            "{}",
            m.id
        );
        assert!(
            m.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{}: name must be kebab-case",
            m.id
        );
        assert!(!m.title.is_empty() && !m.remediation.is_empty(), "{}", m.id);
        assert_eq!(
            m.pss().is_some(),
            r.pss.is_some(),
            "{}: PSS mapping and version gate go together",
            m.id
        );
    }
}

const SECTIONS: &[&str] = &[
    "What it does",
    "Why is this bad?",
    "Example",
    "Remediation",
    "References",
];

#[test]
fn docs_have_every_section_in_order() {
    for r in palisade_rules::registry() {
        let docs = r.meta.documentation();
        let mut last = 0;
        for section in SECTIONS {
            let at = docs
                .find(&format!("## {section}\n"))
                .unwrap_or_else(|| panic!("{}: missing `## {section}`", r.meta.id));
            assert!(at >= last, "{}: `## {section}` out of order", r.meta.id);
            last = at;
            assert!(
                !r.meta.doc_section(section).unwrap().is_empty(),
                "{}: empty `## {section}`",
                r.meta.id
            );
        }
    }
}

#[test]
fn doc_examples_fire_as_annotated() {
    for r in palisade_rules::registry()
        .iter()
        .filter(|r| !matches!(r.hook, Hook::Engine))
    {
        let example = r.meta.doc_section("Example").unwrap();
        let yaml = example
            .split_once("```yaml\n")
            .and_then(|(_, rest)| rest.split_once("```"))
            .map(|(body, _)| body.to_string())
            .unwrap_or_else(|| panic!("{}: example has no ```yaml block", r.meta.id));
        let expected = expectations(&yaml);
        assert!(
            expected.keys().any(|(_, id)| rule_of(id) == r.meta.id),
            "{}: example expects no finding of its own rule",
            r.meta.id
        );
        assert_eq!(
            actual(&r.meta.id, &yaml, &expected),
            expected,
            "{}: documentation example",
            r.meta.id
        );
    }
}

/// A document as JSON, to compare what files hold before and after a fix.
fn to_json(node: NodeRef<'_, '_>) -> serde_json::Value {
    use serde_json::Value as J;
    match node.value() {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => J::from(*f),
        Value::Str(s) => J::String(s.to_string()),
        Value::Seq { .. } => J::Array(node.items().map(to_json).collect()),
        Value::Map { .. } => J::Object(
            node.entries()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

fn documents(text: &str) -> Vec<serde_json::Value> {
    parse_stream(text, &Limits::default())
        .iter()
        .map(|d| {
            let d = d.as_ref().expect("loads");
            d.root().map_or(serde_json::Value::Null, to_json)
        })
        .collect()
}

/// What a fix means, applied to the JSON of the object: the file after fixing must hold
/// exactly this.
fn apply_semantically(object: &mut serde_json::Value, edit: &FixEdit) {
    let (pointer, value, add) = match edit {
        FixEdit::Set { pointer, value } => (pointer, value, false),
        FixEdit::Add { pointer, value } => (pointer, value, true),
    };
    let scalar = serde_json::from_str(value).unwrap_or(serde_json::Value::String(value.clone()));
    let mut node = object;
    for segment in pointer.trim_start_matches('/').split('/') {
        if node.is_null() {
            *node = serde_json::json!({});
        }
        node = match node {
            serde_json::Value::Array(items) => &mut items[segment.parse::<usize>().unwrap()],
            serde_json::Value::Object(map) => map
                .entry(segment.to_string())
                .or_insert(serde_json::Value::Null),
            other => panic!("{pointer}: not a collection: {other}"),
        };
    }
    if add {
        if !node.is_array() {
            *node = serde_json::json!([]);
        }
        let items = node.as_array_mut().unwrap();
        if !items.contains(&scalar) {
            items.push(scalar);
        }
    } else {
        *node = scalar;
    }
}

/// The refused combinations of every object with a pod spec, by document and object.
fn all_conflicts(text: &str) -> Vec<Vec<palisade_model::conflicts::Conflict>> {
    parse_stream(text, &Limits::default())
        .iter()
        .flat_map(|d| {
            let d = d.as_ref().expect("loads");
            palisade_model::objects_in(d)
                .objects
                .iter()
                .map(|o| {
                    o.pod_spec()
                        .map(palisade_model::conflicts::conflicts)
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn assert_no_new_conflicts(before: &str, after: &str, shown: &str) {
    let (before, after) = (all_conflicts(before), all_conflicts(after));
    assert_eq!(before.len(), after.len(), "{shown}");
    for (b, a) in before.iter().zip(&after) {
        let new: Vec<_> = a.iter().filter(|c| !b.contains(c)).collect();
        assert!(new.is_empty(), "{shown}: the fixes created {new:?}");
    }
}

#[test]
fn fixable_rules_fix_their_fire_fixtures_and_nothing_else() {
    let mut checked = 0;
    let mut refused_total = 0;
    for rule in palisade_rules::registry()
        .iter()
        .filter(|r| r.meta.fixable.is_fixable())
    {
        let id = rule.meta.id.as_str();
        let dir = fixtures_dir().join(id);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("fire-")
            })
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let shown = path.display();
            let findings: Vec<Finding> = scan(id, &text, &Expectations::new())
                .into_iter()
                .filter(|f| f.rule.id == id && f.fix.is_some())
                .collect();
            if findings.is_empty() {
                continue;
            }
            let refs: Vec<&Finding> = findings.iter().collect();
            let outcome = apply_fixes(&text, &refs, &Limits::default());
            // A fix is refused only when it would leave a combination Kubernetes rejects.
            let refused: Vec<usize> = outcome
                .failed
                .iter()
                .map(|(i, reason)| {
                    assert!(
                        reason.starts_with("the fix would leave"),
                        "{shown}: {reason}"
                    );
                    *i
                })
                .collect();
            assert_eq!(outcome.fixed + refused.len(), findings.len(), "{shown}");
            refused_total += refused.len();
            let fixed = outcome.text;
            // The findings are gone, but for those whose fix was refused.
            let mut left: Vec<String> = scan(id, &fixed, &Expectations::new())
                .into_iter()
                .filter(|f| f.rule.id == id && f.fix.is_some())
                .map(|f| f.message.to_string())
                .collect();
            let mut kept: Vec<String> = refused
                .iter()
                .map(|i| findings[*i].message.to_string())
                .collect();
            left.sort();
            kept.sort();
            assert_eq!(left, kept, "{shown}: still\n{fixed}");
            // And the fixed objects hold no combination Kubernetes refuses that was not there.
            assert_no_new_conflicts(&text, &fixed, &shown.to_string());
            // Comments survive.
            for line in text.lines().filter(|l| l.contains('#')) {
                let comment = &line[line.find('#').unwrap()..];
                assert!(
                    fixed.contains(comment),
                    "{shown}: lost {comment:?}\n{fixed}"
                );
            }
            // The objects are the same apart from the fix.
            let mut expected = documents(&text);
            for (_, f) in findings
                .iter()
                .enumerate()
                .filter(|(i, _)| !refused.contains(i))
            {
                let span = f
                    .location
                    .span
                    .as_ref()
                    .expect("fixture findings are in files");
                let doc = &mut expected[span.document as usize];
                let subject = f
                    .subject
                    .object()
                    .expect("fixture findings are about objects");
                let name = subject.name.as_deref().unwrap_or("");
                let is_it = |o: &serde_json::Value| {
                    o["kind"] == subject.kind.as_str() && o["metadata"]["name"] == name
                };
                let object = if is_it(doc) {
                    doc
                } else {
                    let items = doc["items"].as_array_mut().unwrap();
                    items.iter_mut().find(|o| is_it(o)).unwrap()
                };
                for edit in &f.fix.as_ref().unwrap().edits {
                    apply_semantically(object, edit);
                }
            }
            assert_eq!(documents(&fixed), expected, "{shown}\n{fixed}");
            // And fixing again changes nothing.
            let again = apply_fixes(&fixed, &refs, &Limits::default());
            assert_eq!(again.text, fixed, "{shown}");
            checked += 1;
        }
    }
    assert!(checked >= 7, "only {checked} fixtures had fixes");
    // The fixture that would meet privileged: true exercises the refusal (beside runAsUser: 0
    // the non-root fix is not offered at all).
    assert!(refused_total >= 1, "only {refused_total} fixes refused");
}

/// A rule's fixes are unsafe unless its declaration says safe, or the rule can tell from the
/// object that one cannot change behaviour (PSS015 beside a non-zero runAsUser).
#[test]
fn fix_applicability_follows_the_declaration() {
    for rule in palisade_rules::registry() {
        if let palisade_diagnostics::Fixable::Unsafe(risk) = rule.meta.fixable {
            assert!(
                risk.len() > 20,
                "{}: say what the fix may break",
                rule.meta.id
            );
        }
    }
    let text =
        std::fs::read_to_string(fixtures_dir().join("PSS015/fire-root-user-blocks-the-fix.yaml"))
            .unwrap();
    let safety: Vec<(String, Option<bool>)> = scan("PSS015", &text, &Expectations::new())
        .into_iter()
        .map(|f| {
            (
                f.container.unwrap_or_default().to_string(),
                f.fix.map(|x| x.is_safe()),
            )
        })
        .collect();
    assert_eq!(
        safety,
        [("a".to_string(), None), ("b".to_string(), Some(true))],
        "the pod-level fix would reach a container running as user 0: none is offered; b runs as 1000"
    );
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1000}\n  containers:\n  - {name: a, image: x}\n";
    let f = scan("PSS015", pod, &Expectations::new());
    assert!(
        f[0].fix.as_ref().unwrap().is_safe(),
        "every container inherits user 1000"
    );
    let f = scan("POD001", pod, &Expectations::new());
    assert!(!f[0].fix.as_ref().unwrap().is_safe());
}
