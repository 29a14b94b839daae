//! The upstream Pod Security Admission fixtures, evaluated by Palisade's PSS rules.
//!
//! Every `pass` fixture must produce no PSS finding at its level and version; every `fail`
//! fixture must produce a finding from the check its file name names (or the check that
//! overrides it at that level and version). Each fixture's pod is also wrapped in every
//! workload kind, which must give the same verdict. The fixtures are read as they are
//! from `../shared/conformance/pss/` (never edited).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade_engine::{NEWEST_PSS_MINOR, Profile, PssVersion, RuleSet, Selection, Settings};
use palisade_source::{Limits, parse_stream};
use rayon::prelude::*;

fn shared_dir() -> PathBuf {
    std::env::var_os("PALISADE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

const CHECKS: &[&str] = &[
    "allowPrivilegeEscalation",
    "appArmorProfile",
    "capabilities_baseline",
    "capabilities_restricted",
    "hostNamespaces",
    "hostPathVolumes",
    "hostPorts",
    "hostProbesAndHostLifecycle",
    "privileged",
    "procMount",
    "procMount_restricted",
    "restrictedVolumes",
    "runAsNonRoot",
    "runAsUser",
    "seLinuxOptions",
    "seccompProfile_baseline",
    "seccompProfile_restricted",
    "sysctls",
    "windowsHostProcess",
];

/// The check id a fixture file name names (`seccompprofile_restricted3` -> `seccompProfile_restricted`).
fn check_of(stem: &str) -> Option<&'static str> {
    let base = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    if base.starts_with("base") {
        return None;
    }
    let found = CHECKS
        .iter()
        .find(|c| c.eq_ignore_ascii_case(base))
        .copied();
    assert!(found.is_some(), "fixture {stem} names an unknown check");
    found
}

/// Upstream overrides: the check whose failure stands in for `check` at `level`/`minor`.
fn overriding(check: &str, restricted: bool, minor: u32) -> Option<&'static str> {
    if !restricted {
        return None;
    }
    match check {
        "hostPathVolumes" => Some("restrictedVolumes"),
        "seccompProfile_baseline" if minor >= 19 => Some("seccompProfile_restricted"),
        "capabilities_baseline" if minor >= 22 => Some("capabilities_restricted"),
        "procMount" if minor >= 35 => Some("procMount_restricted"),
        _ => None,
    }
}

struct Case {
    path: PathBuf,
    restricted: bool,
    minor: u32,
    pass: bool,
    check: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let root = shared_dir().join("conformance/pss");
    assert!(root.is_dir(), "missing PSS fixtures at {}", root.display());
    let mut cases = Vec::new();
    for level in ["baseline", "restricted"] {
        for version in std::fs::read_dir(root.join(level)).unwrap() {
            let version = version.unwrap();
            let name = version.file_name().into_string().unwrap();
            let minor: u32 = name.strip_prefix("v1.").unwrap().parse().unwrap();
            for expect in ["pass", "fail"] {
                for file in std::fs::read_dir(version.path().join(expect)).unwrap() {
                    let path = file.unwrap().path();
                    let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
                    cases.push(Case {
                        check: check_of(&stem),
                        path,
                        restricted: level == "restricted",
                        minor,
                        pass: expect == "pass",
                    });
                }
            }
        }
    }
    cases
}

fn rule_set(restricted: bool, version: &str) -> RuleSet {
    let selection = Selection {
        profile: if restricted {
            Profile::PssRestricted
        } else {
            Profile::PssBaseline
        },
        pss_version: version.parse::<PssVersion>().unwrap(),
        select: vec![palisade_engine::Selector::new("PSS")],
        ..Selection::default()
    };
    RuleSet::new(
        palisade_rules::registry(),
        Settings {
            selection,
            ..Settings::default()
        },
    )
    .unwrap()
}

/// The PSS checks that fired on every object of the text (one set per object).
fn verdicts(rules: &RuleSet, text: &str) -> Vec<BTreeSet<&'static str>> {
    let docs = parse_stream(text, &Limits::default());
    let mut out = Vec::new();
    for doc in docs {
        let doc = doc.expect("fixture parses");
        let report = rules.scan_document(
            &doc,
            "fixture.yaml",
            &mut palisade_diagnostics::Interner::default(),
        );
        assert_eq!(report.objects, 1, "one object per document");
        out.push(
            report
                .findings
                .iter()
                .filter_map(|f| f.rule.pss().map(|p| p.check))
                .collect(),
        );
    }
    out
}

/// The fixture's pod wrapped in every workload kind that carries a pod template.
fn wrapped(text: &str) -> Vec<(String, String)> {
    let mut metadata = String::new();
    let mut spec = String::new();
    let mut current: Option<&mut String> = None;
    for line in text.lines() {
        if !line.starts_with(' ') && !line.starts_with('-') {
            current = match line {
                "metadata:" => Some(&mut metadata),
                "spec:" => Some(&mut spec),
                _ => None,
            };
        }
        if let Some(buf) = current.as_deref_mut() {
            buf.push_str(line);
            buf.push('\n');
        }
    }
    let indent = |block: &str, n: usize| -> String {
        block
            .lines()
            .map(|l| format!("{}{l}\n", " ".repeat(n)))
            .collect()
    };
    let template = |n: usize| format!("{}{}", indent(&metadata, n), indent(&spec, n));
    let head = |api: &str, kind: &str| {
        format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: wrapped\n")
    };
    let mut out = Vec::new();
    for (api, kind) in [
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"),
        ("batch/v1", "Job"),
        ("argoproj.io/v1alpha1", "Rollout"),
    ] {
        out.push((
            kind.to_string(),
            format!("{}spec:\n  template:\n{}", head(api, kind), template(4)),
        ));
    }
    out.push((
        "CronJob".into(),
        format!(
            "{}spec:\n  schedule: \"* * * * *\"\n  jobTemplate:\n    spec:\n      template:\n{}",
            head("batch/v1", "CronJob"),
            template(8)
        ),
    ));
    out.push((
        "PodTemplate".into(),
        format!("{}template:\n{}", head("v1", "PodTemplate"), template(2)),
    ));
    out.push((
        "List".into(),
        format!(
            "apiVersion: v1\nkind: List\nitems:\n- {}",
            indent(text, 2).trim_start()
        ),
    ));
    out
}

fn judge(case: &Case, fired: &BTreeSet<&'static str>) -> Result<(), String> {
    if case.pass {
        if fired.is_empty() {
            return Ok(());
        }
        return Err(format!("expected no PSS finding, got {fired:?}"));
    }
    let check = case.check.expect("fail fixtures name a check");
    let accepted = overriding(check, case.restricted, case.minor);
    if fired.contains(check) || accepted.is_some_and(|o| fired.contains(o)) {
        Ok(())
    } else {
        Err(format!(
            "expected a `{check}` finding (or {accepted:?}), got {fired:?}"
        ))
    }
}

#[test]
fn upstream_fixtures_agree_100_percent() {
    let cases = cases();
    assert!(cases.len() >= 4537, "found only {} fixtures", cases.len());
    let rule_sets: Vec<(bool, u32, RuleSet)> = [false, true]
        .into_iter()
        .flat_map(|r| (0..=NEWEST_PSS_MINOR).map(move |m| (r, m)))
        .map(|(r, m)| (r, m, rule_set(r, &format!("v1.{m}"))))
        .collect();
    let find = |restricted: bool, minor: u32| {
        &rule_sets
            .iter()
            .find(|(r, m, _)| *r == restricted && *m == minor)
            .unwrap()
            .2
    };
    let failures: Vec<String> = cases
        .par_iter()
        .flat_map_iter(|case| {
            let text = std::fs::read_to_string(&case.path).unwrap();
            let rules = find(case.restricted, case.minor);
            let mut problems = Vec::new();
            let direct = verdicts(rules, &text);
            if let Err(e) = judge(case, &direct[0]) {
                problems.push(format!("{}: Pod: {e}", case.path.display()));
            }
            for (kind, wrapped_text) in wrapped(&text) {
                let fired = verdicts(rules, &wrapped_text);
                if let Err(e) = judge(case, &fired[0]) {
                    problems.push(format!("{}: as {kind}: {e}", case.path.display()));
                }
            }
            // Restricted ⊇ baseline: a restricted pass is a baseline pass.
            if case.restricted && case.pass {
                let base = verdicts(find(false, case.minor), &text);
                if !base[0].is_empty() {
                    problems.push(format!(
                        "{}: restricted pass fails baseline: {:?}",
                        case.path.display(),
                        base[0]
                    ));
                }
            }
            problems
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} disagreements with upstream, first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn latest_behaves_as_the_newest_version() {
    let latest = rule_set(true, "latest");
    let newest = rule_set(true, &format!("v1.{NEWEST_PSS_MINOR}"));
    let dir = shared_dir().join(format!("conformance/pss/restricted/v1.{NEWEST_PSS_MINOR}"));
    for expect in ["pass", "fail"] {
        for file in std::fs::read_dir(dir.join(expect)).unwrap() {
            let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
            assert_eq!(verdicts(&latest, &text), verdicts(&newest, &text));
        }
    }
    let ids = |rs: &RuleSet| {
        rs.enabled()
            .iter()
            .map(|r| r.meta.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&latest), ids(&newest));
    assert_eq!(ids(&rule_set(true, "v1.99")), ids(&newest));
}

#[test]
fn fixture_names_cover_every_check() {
    let named: BTreeSet<&str> = cases().iter().filter_map(|c| c.check).collect();
    let all: BTreeSet<&str> = CHECKS.iter().copied().collect();
    assert_eq!(named, all);
    let implemented: BTreeSet<&str> = palisade_rules::registry()
        .iter()
        .filter_map(|r| r.meta.pss().map(|p| p.check))
        .collect();
    assert_eq!(implemented, all);
}
