//! Output people can read: compact lines, quiet runs, sort orders, the per-rule table, several
//! reports in one run, the summary on standard error, wrapping, and `--min-severity` for every
//! finding.

mod common;

use common::{dir_with, palisade, run, scan_json};

/// Findings of every severity from critical to info, in two files.
const PODS: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: true\n";
const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\nspec:\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.27\n";

fn fixture() -> tempfile::TempDir {
    dir_with(&[
        ("a.yaml", PODS.as_bytes()),
        ("b.yaml", DEPLOYMENT.as_bytes()),
    ])
}

#[test]
fn compact_prints_one_line_per_finding() {
    let dir = fixture();
    let (_, json) = scan_json(dir.path(), &[]);
    let findings = json["findings"].as_array().unwrap();
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--format", "compact"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    // One line per finding, then the summary line.
    assert_eq!(lines.len(), findings.len() + 1, "{}", r.stdout);
    for (line, f) in lines.iter().zip(findings) {
        let l = &f["location"];
        let expected = format!(
            "{}:{}:{}: {} {} {}",
            l["path"].as_str().unwrap(),
            l["line"],
            l["column"],
            f["severity"].as_str().unwrap(),
            f["rule"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        );
        assert_eq!(*line, expected);
    }
    assert!(lines.last().unwrap().starts_with("Scanned 2 files"));
    assert!(
        r.stdout.contains(
            "a.yaml:9:7: critical PSS003 container \"a\" sets securityContext.privileged to true"
        ),
        "{}",
        r.stdout
    );
}

#[test]
fn quiet_prints_the_summary_and_errors_only() {
    let dir = fixture();
    std::fs::write(dir.path().join("broken.yaml"), "a: [\n").unwrap();
    for format in ["text", "compact"] {
        let r = run(palisade()
            .current_dir(dir.path())
            .args(["scan", "-q", "--format", format]));
        assert_eq!(r.code, 2, "{}", r.stdout);
        let lines: Vec<&str> = r.stdout.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2, "{format}: {}", r.stdout);
        let error = match format {
            "text" => "error: ./broken.yaml:1:4: ",
            _ => "./broken.yaml:1:4: error ",
        };
        assert!(lines[0].starts_with(error), "{}", r.stdout);
        assert!(lines[1].starts_with("Scanned 3 files"), "{}", r.stdout);
    }
}

#[test]
fn sort_orders_apply_to_every_format() {
    let dir = fixture();
    let severities = |json: &serde_json::Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["severity"].as_str().unwrap().to_string())
            .collect()
    };
    let rank = |s: &str| {
        ["info", "low", "medium", "high", "critical"]
            .iter()
            .position(|x| *x == s)
    };
    let (_, by_path) = scan_json(dir.path(), &[]);
    let (_, by_severity) = scan_json(dir.path(), &["--sort", "severity"]);
    let sev = severities(&by_severity);
    assert!(
        sev.windows(2).all(|w| rank(&w[0]) >= rank(&w[1])),
        "{sev:?}"
    );
    assert_ne!(
        severities(&by_path),
        sev,
        "the fixture must not already be in severity order"
    );
    let (_, by_rule) = scan_json(dir.path(), &["--sort", "rule"]);
    let rules = common::rules_of(&by_rule);
    assert!(rules.windows(2).all(|w| w[0] <= w[1]), "{rules:?}");
    // Text groups by what it is sorted by.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--sort", "severity"]));
    let headers: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("── ")).collect();
    assert_eq!(headers[0], "── critical (1 finding)", "{headers:?}");
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--sort", "sideways"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown sort order `sideways`"),
        "{}",
        r.stderr
    );
}

#[test]
fn text_ends_with_findings_by_rule() {
    let dir = fixture();
    let r = run(palisade().current_dir(dir.path()).args(["scan"]));
    let table = r
        .stdout
        .split("Findings by rule\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{}", r.stdout));
    let rows: Vec<&str> = table.lines().take_while(|l| !l.is_empty()).collect();
    assert!(rows[0].trim_start().starts_with("RULE"), "{table}");
    // The most severe rule first, with its count and title.
    let first: Vec<&str> = rows[1].split_whitespace().collect();
    assert_eq!(
        &first[..4],
        ["PSS003", "critical", "1", "Privileged"],
        "{table}"
    );
    let (_, json) = scan_json(dir.path(), &[]);
    let visible = json["findings"].as_array().unwrap().len();
    let counted: usize = rows[1..]
        .iter()
        .map(|r| {
            r.split_whitespace()
                .nth(2)
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(counted, visible);
    // A quiet run has no table.
    let r = run(palisade().current_dir(dir.path()).args(["scan", "-q"]));
    assert!(!r.stdout.contains("Findings by rule"), "{}", r.stdout);
}

#[test]
fn several_reports_in_one_run() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("r.sarif");
    let json = out.path().join("r.json");
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--output-format",
        &format!("sarif:{}", sarif.display()),
        "--output-format",
        &format!("json:{}", json.display()),
        "--output-format",
        "compact",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let n = json["findings"].as_array().unwrap().len();
    assert!(n > 3);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), n);
    assert_eq!(r.stdout.lines().count(), n + 1, "{}", r.stdout);
    // The compact report is on standard output, so the summary is not repeated on stderr.
    assert!(!r.stderr.contains("Scanned"), "{}", r.stderr);
    // Two reports cannot share standard output.
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--output-format",
        "json",
        "--output-format",
        "text",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("at most one report"), "{}", r.stderr);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--output-format", "yaml:x"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown format `yaml`"), "{}", r.stderr);
}

#[test]
fn summary_goes_to_stderr_when_the_report_goes_to_a_file() {
    let dir = fixture();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("r.json");
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--format",
        "json",
        "-o",
        file.to_str().unwrap(),
    ]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let line = r.stderr.lines().last().unwrap_or_default();
    assert!(
        line.starts_with("Scanned 2 files (2 objects): "),
        "{}",
        r.stderr
    );
    assert!(line.contains("1 critical"), "{line}");
    // To standard output, stderr stays quiet.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--format", "json"]));
    assert!(!r.stderr.contains("Scanned"), "{}", r.stderr);
}

#[test]
fn text_wraps_to_columns() {
    let dir = fixture();
    let wide = run(palisade().current_dir(dir.path()).args(["scan"]));
    let narrow = run(palisade()
        .current_dir(dir.path())
        .env("COLUMNS", "60")
        .args(["scan"]));
    let longest_help = |text: &str| {
        text.lines()
            .filter(|l| l.trim_start().starts_with("= help:") || l.starts_with("           "))
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    assert!(longest_help(&wide.stdout) > 60, "{}", wide.stdout);
    assert!(longest_help(&narrow.stdout) <= 60, "{}", narrow.stdout);
    // Wrapped help keeps every word.
    let words = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .filter(|w| *w != "=" && *w != "help:" && *w != "note:")
            .map(str::to_string)
            .collect()
    };
    let help = |text: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut inside = false;
        for l in text.lines() {
            let t = l.trim_start();
            if t.starts_with("= help:") || t.starts_with("= note:") {
                inside = true;
                out.extend(words(t));
            } else if inside && l.starts_with("   ") && !t.starts_with('=') && !t.starts_with('|') {
                out.extend(words(t));
            } else {
                inside = false;
            }
        }
        out
    };
    assert_eq!(help(&wide.stdout), help(&narrow.stdout));
}

#[test]
fn min_severity_applies_to_palisades_own_findings() {
    // An unused waiver is a low PAL005 finding, made outside the rules.
    let config = "[[waivers]]\nrules = [\"PSS001\"]\nowner = \"team@example.com\"\nreason = \"windows agents\"\n";
    let dir = dir_with(&[
        ("a.yaml", PODS.as_bytes()),
        ("palisade.toml", config.as_bytes()),
    ]);
    let (_, json) = scan_json(dir.path(), &[]);
    assert!(
        common::rules_of(&json).contains(&"PAL005".to_string()),
        "{json}"
    );
    // A waiver of rules the run did not select could not have been used: not reported.
    let (_, json) = scan_json(dir.path(), &["--select", "PSS003,PAL"]);
    let rules = common::rules_of(&json);
    assert!(!rules.contains(&"PAL005".to_string()), "{rules:?}");
    assert!(rules.contains(&"PSS003".to_string()), "{rules:?}");
    let (_, json) = scan_json(dir.path(), &["--min-severity", "medium"]);
    let rules = common::rules_of(&json);
    assert!(!rules.contains(&"PAL005".to_string()), "{rules:?}");
    assert!(rules.contains(&"PSS003".to_string()), "{rules:?}");
    for f in json["findings"].as_array().unwrap() {
        let s = f["severity"].as_str().unwrap();
        assert!(["medium", "high", "critical"].contains(&s), "{f}");
    }
}

#[test]
fn columns_are_one_based_everywhere() {
    let dir = fixture();
    std::fs::write(dir.path().join("broken.yaml"), "apiVersion: v1\nkind: [\n").unwrap();
    std::fs::write(
        dir.path().join("dup.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: ns}\ndata: {a: x, a: y}\n",
    )
    .unwrap();
    let (code, json) = scan_json(dir.path(), &[]);
    assert_eq!(code, 2);
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["rule"] == "PAL003"), "{json}");
    for f in findings {
        let l = &f["location"];
        assert!(l["line"].as_u64().unwrap() >= 1, "{f}");
        assert!(l["column"].as_u64().unwrap() >= 1, "{f}");
        assert!(l["end_column"].as_u64().unwrap() >= 1, "{f}");
    }
    let errors = json["errors"].as_array().unwrap();
    assert!(!errors.is_empty());
    for e in errors {
        assert!(e["column"].as_u64().is_none_or(|c| c >= 1), "{e}");
    }
    // The broken document's error points at the unclosed `[`: line 2, 1-based column 7.
    let e = errors
        .iter()
        .find(|e| e["path"].as_str().unwrap().ends_with("broken.yaml"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert_eq!(e["line"], 2, "{e}");
    assert_eq!(e["column"], 7, "{e}");
}
