//! Per-rule fixtures and registry meta-tests.
//!
//! `tests/fixtures/<RULE>/fire-*.yaml` must produce exactly the findings annotated with
//! `# expect: RULE[, RULE…]` on the line each finding points to; `ok-*.yaml` must produce none.
//! A `# pss-version: v1.N` line pins the Pod Security Standards version. Each rule's
//! documentation example is checked the same way.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use palisade_engine::{Hook, PssVersion, RuleOptions, RuleSet, Selection, Selector, Settings};
use palisade_model::inventory::Inventory;
use palisade_source::{Limits, parse_stream};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// (line, rule id) -> count.
type Expectations = BTreeMap<(u32, String), usize>;

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

/// `# allowed-registries: a, b`, `# required-labels: a, b` and `# system-registries: a, b`
/// headers set rule options.
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
    RuleOptions {
        allowed_registries: list("# allowed-registries:"),
        required_labels: list("# required-labels:"),
        system_registries: list("# system-registries:"),
    }
}

fn pss_version(text: &str) -> PssVersion {
    text.lines()
        .find_map(|l| l.strip_prefix("# pss-version:"))
        .map(|v| v.trim().parse().expect("valid pss-version header"))
        .unwrap_or_default()
}

/// Run `rule` (plus every rule the expectations name) over `text`; the findings as expectations.
fn actual(rule: &str, text: &str, expected: &Expectations) -> Expectations {
    let mut select = vec![Selector::new(rule)];
    select.extend(expected.keys().map(|(_, id)| Selector::new(id)));
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
            ..Settings::default()
        },
    )
    .unwrap();
    let mut out = Expectations::new();
    let mut inventory = Inventory::default();
    let mut findings = Vec::new();
    for doc in parse_stream(text, &Limits::default()) {
        let doc = doc.expect("fixture parses");
        let report = rules.scan_document(&doc, "fixture.yaml");
        findings.extend(report.findings);
        inventory.facts.extend(report.facts);
    }
    findings.extend(rules.scan_inventory(&inventory).findings);
    for f in findings {
        assert!(!f.message.is_empty());
        if !f.suppressed {
            *out.entry((f.location.line, f.rule.id.to_string()))
                .or_default() += 1;
        }
    }
    out
}

#[test]
fn every_rule_fires_and_passes_on_its_fixtures() {
    let mut problems = Vec::new();
    // Engine-reported rules (waivers) have no YAML input: the CLI tests cover them.
    for rule in palisade_rules::registry()
        .iter()
        .filter(|r| !matches!(r.hook, Hook::Engine))
    {
        let id = rule.meta.id;
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
                    expected.keys().any(|(_, r)| r == id),
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
    let mut ids: Vec<&str> = rules.iter().map(|r| r.meta.id).collect();
    let mut names: Vec<&str> = rules.iter().map(|r| r.meta.name).collect();
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
        assert!(
            !family.is_empty() && number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()),
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
            expected.keys().any(|(_, id)| id == r.meta.id),
            "{}: example expects no finding of its own rule",
            r.meta.id
        );
        assert_eq!(
            actual(r.meta.id, &yaml, &expected),
            expected,
            "{}: documentation example",
            r.meta.id
        );
    }
}
