//! End-to-end tests of the `palisade` command: exit codes, inputs, bad input, configuration,
//! suppression and output formats.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

use common::{dir_with, palisade, rules_of, run, scan_json};

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: true\n";

/// A pod that passes every built-in rule.
const RESTRICTED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\n  namespace: shop\n  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: ok, uid: 0c6e2a1e-2fa1-11d2-883f-0016d3cca427, controller: true}]\nspec:\n  automountServiceAccountToken: false\n  securityContext:\n    runAsNonRoot: true\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: a\n    image: registry.example.com/app:1.0@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79\n    resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 200m, memory: 128Mi}}\n    readinessProbe: {httpGet: {path: /ready, port: 8080}}\n    livenessProbe: {httpGet: {path: /live, port: 8080}}\n    securityContext:\n      allowPrivilegeEscalation: false\n      readOnlyRootFilesystem: true\n      capabilities: {drop: [ALL]}\n";

/// Isolates every pod of the namespace `shop`.
const DEFAULT_DENY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: default-deny, namespace: shop}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";

/// Default limits and a quota for the namespace `shop`.
const SHOP_LIMITS: &str = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: shop}\nspec:\n  limits: [{type: Container, default: {cpu: 200m, memory: 128Mi}}]\n---\napiVersion: v1\nkind: ResourceQuota\nmetadata: {name: quota, namespace: shop}\nspec:\n  hard: {count/pods: \"20\"}\n";

#[test]
fn exit_codes_follow_fail_on() {
    let clean = format!("{RESTRICTED_POD}---\n{DEFAULT_DENY}---\n{SHOP_LIMITS}");
    let dir = dir_with(&[("clean.yaml", clean.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args(["scan", "."]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let dir = dir_with(&[("bad.yaml", PRIVILEGED_POD.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "bad.yaml"]));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("bad.yaml:11:7"), "{}", r.stdout);
    assert!(
        r.stdout.contains("critical[PSS003]: Privileged container"),
        "{}",
        r.stdout
    );
    // Only medium findings remain with these rules: below --fail-on high.
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--select",
        "PSS015,PSS017",
        "--fail-on",
        "high",
    ]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        run(palisade()
            .current_dir(dir.path())
            .args(["scan", "--fail-on", "never"]))
        .code,
        0
    );
    assert_eq!(
        run(palisade()
            .current_dir(dir.path())
            .args(["scan", "--fail-on", "critical"]))
        .code,
        1
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = dir_with(&[("a.yaml", RESTRICTED_POD.as_bytes())]);
    for args in [
        vec!["scan", "--no-such-flag"],
        vec!["scan", "--select", "NOPE999"],
        vec!["scan", "--pss-version", "v2.0"],
        vec!["scan", "--profile", "strictest"],
        vec!["scan", "--format", "xml"],
        vec!["scan", "--fail-on", "severe"],
        vec!["scan", "--max-file-size", "12parsecs"],
        vec!["rule", "PSS999"],
    ] {
        let r = run(palisade().current_dir(dir.path()).args(&args));
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(!r.stderr.is_empty(), "{args:?} explains itself");
    }
}

#[test]
fn malformed_yaml_is_reported_and_the_rest_is_scanned() {
    let dir = dir_with(&[
        ("a-broken.yaml", b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n"),
        ("b-multi.yaml", format!("{PRIVILEGED_POD}---\nkey: [1, 2\n---\n{PRIVILEGED_POD}").as_bytes()),
        ("c.json", br#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"}, "spec": {"hostPID": true, "containers": [{"name": "a", "image": "x"}]}}"#),
    ]);
    let (code, json) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 2);
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0]["path"], "./a-broken.yaml");
    assert!(errors[0]["line"].as_u64().unwrap() >= 4);
    assert!(errors[0]["column"].as_u64().is_some());
    assert_eq!(errors[1]["path"], "./b-multi.yaml");
    assert_eq!(errors[1]["line"], 13);
    let rules = rules_of(&json);
    // Both pods around the broken document and the JSON pod are still scanned.
    assert_eq!(rules.iter().filter(|r| *r == "PSS003").count(), 2);
    assert!(rules.contains(&"PSS002".to_string()));
    let second = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "PSS003")
        .nth(1)
        .unwrap()
        .clone();
    assert_eq!(second["location"]["line"], 25);
    assert_eq!(second["location"]["document"], 2);
}

fn assert_quick_error(name: &str, content: &[u8], message: &str) {
    let dir = dir_with(&[(name, content), ("good.yaml", PRIVILEGED_POD.as_bytes())]);
    let start = Instant::now();
    let (code, json) = scan_json(dir.path(), &["."]);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{name} took {:?}",
        start.elapsed()
    );
    assert_eq!(code, 2, "{name}");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{name}: {errors:?}");
    assert!(
        errors[0]["message"].as_str().unwrap().contains(message),
        "{name}: {errors:?}"
    );
    assert!(
        rules_of(&json).contains(&"PSS003".to_string()),
        "{name}: the good file is still scanned"
    );
}

#[test]
fn alias_bomb_is_an_error() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for n in 'b'..='j' {
        bomb.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    assert_quick_error("bomb.yaml", bomb.as_bytes(), "through aliases");
}

#[test]
fn deep_nesting_is_an_error() {
    assert_quick_error("deep.yaml", "[".repeat(100_000).as_bytes(), "nesting");
    let mut block = String::new();
    for i in 0..400 {
        block.push_str(&" ".repeat(i * 2));
        block.push_str("k:\n");
    }
    assert_quick_error("deep-block.yaml", block.as_bytes(), "nesting");
}

#[test]
fn binary_and_non_utf8_files_are_errors() {
    assert_quick_error(
        "image.yaml",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "binary file",
    );
    assert_quick_error(
        "latin1.yaml",
        b"apiVersion: v1\nname: caf\xe9\n",
        "not valid UTF-8",
    );
}

#[test]
fn huge_files_are_refused_by_size() {
    let big = format!("{PRIVILEGED_POD}# {}\n", "x".repeat(2048));
    let dir = dir_with(&[
        ("big.yaml", big.as_bytes()),
        ("good.yaml", PRIVILEGED_POD.as_bytes()),
    ]);
    let (code, json) = scan_json(dir.path(), &[".", "--max-file-size", "1KiB"]);
    assert_eq!(code, 2);
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("over the max-file-size limit of 1024 bytes")
    );
    assert_eq!(json["summary"]["files"], 1);
}

#[cfg(unix)]
#[test]
fn broken_symlinks_and_unreadable_files_are_errors() {
    let dir = dir_with(&[("good.yaml", PRIVILEGED_POD.as_bytes())]);
    std::os::unix::fs::symlink(
        dir.path().join("missing.yaml"),
        dir.path().join("link.yaml"),
    )
    .unwrap();
    let (code, json) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert_eq!(json["errors"][0]["message"], "broken symbolic link");
    assert!(rules_of(&json).contains(&"PSS003".to_string()));
    // /proc/self/mem cannot be read with read(2): an unreadable input even for root.
    let (code, json) = scan_json(dir.path(), &["/proc/self/mem", "good.yaml"]);
    assert_eq!(code, 2);
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read"),
        "{json}"
    );
    let (code, json) = scan_json(dir.path(), &["does-not-exist.yaml"]);
    assert_eq!(code, 2);
    assert!(
        json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot read")
    );
}

#[test]
fn non_kubernetes_yaml_is_skipped_and_counted() {
    let dir = dir_with(&[
        ("values.yaml", b"replicas: 3\nimage: {tag: latest}\n"),
        ("empty.yaml", b"# nothing\n"),
    ]);
    let (code, json) = scan_json(dir.path(), &["."]);
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["skipped_documents"], 1);
    assert_eq!(json["summary"]["objects"], 0);
    assert!(json["errors"].as_array().unwrap().is_empty());
}

#[test]
fn helm_templates_are_skipped_with_a_note() {
    let dir = dir_with(&[
        ("chart/Chart.yaml", b"apiVersion: v2\nname: c\nversion: 1.0.0\n"),
        ("chart/templates/deploy.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"),
        ("loose/template.yaml", b"apiVersion: v1\nkind: ConfigMap\ndata:\n  {{- range .Values.items }}\n  {{ .name }}: x\n  {{- end }}\n"),
        ("rules.yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alerts}\ndata:\n  summary: \"{{ $labels.instance }} is down\"\n"),
    ]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--no-render", "."]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stdout.contains("note: skipped 2 Helm template files"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Scanned 2 files (1 object)"),
        "{}",
        r.stdout
    );
    // Named explicitly, a template is an input error that says what to do.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "loose/template.yaml"]));
    assert_eq!(r.code, 2);
    assert!(r.stdout.contains("helm template"), "{}", r.stdout);
}

#[test]
fn stdin_lists_and_all_workload_kinds() {
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n- {}",
        PRIVILEGED_POD.replace('\n', "\n  ").trim_end()
    );
    let r = run(palisade()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(list));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let f = &json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "PSS003")
        .unwrap()
        .clone();
    assert_eq!(f["location"]["path"], "-");
    assert_eq!(f["location"]["line"], 14);
    assert_eq!(f["object"]["kind"], "Pod");
    assert_eq!(f["object"]["namespace"], "ns");
    assert_eq!(f["container"], "a");
    assert_eq!(
        f["location"]["pointer"],
        "/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(f["frameworks"]["pss"]["level"], "baseline");
    assert_eq!(f["frameworks"]["pss"]["check"], "privileged");
    assert_eq!(f["frameworks"]["cis"][0], "5.2.2");
}

#[test]
fn profiles_versions_and_selection() {
    let dir = dir_with(&[("p.yaml", PRIVILEGED_POD.as_bytes())]);
    let (_, all) = scan_json(dir.path(), &["."]);
    assert!(rules_of(&all).contains(&"PSS014".to_string()));
    let (_, baseline) = scan_json(dir.path(), &[".", "--profile", "pss-baseline"]);
    assert_eq!(rules_of(&baseline), vec!["PSS003"]);
    let (_, selected) = scan_json(
        dir.path(),
        &[".", "--select", "privileged-container,PSS014"],
    );
    let mut got = rules_of(&selected);
    got.sort();
    assert_eq!(got, vec!["PSS003", "PSS014"]);
    let (_, old) = scan_json(dir.path(), &[".", "--pss-version", "v1.7"]);
    assert!(
        !rules_of(&old).contains(&"PSS014".to_string()),
        "allowPrivilegeEscalation starts at v1.8"
    );
    let (_, min) = scan_json(dir.path(), &[".", "--min-severity", "critical"]);
    assert_eq!(rules_of(&min), vec!["PSS003"]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "json"])
        .env("PALISADE_PROFILE", "pss-baseline"));
    assert_eq!(
        rules_of(&serde_json::from_str(&r.stdout).unwrap()),
        vec!["PSS003"]
    );
}

#[test]
fn excludes_and_gitignore() {
    let dir = dir_with(&[
        ("keep/a.yaml", PRIVILEGED_POD.as_bytes()),
        ("vendor/b.yaml", PRIVILEGED_POD.as_bytes()),
        ("build/c.yaml", PRIVILEGED_POD.as_bytes()),
        (".gitignore", b"build/\n"),
    ]);
    let (_, json) = scan_json(dir.path(), &[".", "--exclude", "vendor"]);
    assert_eq!(json["summary"]["files"], 1);
    let (_, json) = scan_json(dir.path(), &[".", "--no-ignore"]);
    assert_eq!(json["summary"]["files"], 3);
}

#[test]
fn annotation_suppressions_need_a_reason() {
    let suppressed = PRIVILEGED_POD.replace("  namespace: ns\n", "  namespace: ns\n  annotations:\n    palisade.dev/ignore: \"PSS003: GPU driver installer; reviewed in SEC-7\"\n");
    let unreasoned = PRIVILEGED_POD.replace(
        "  name: p\n",
        "  name: q\n  annotations:\n    palisade.dev/ignore: \"PSS003\"\n",
    );
    let dir = dir_with(&[
        ("s.yaml", suppressed.as_bytes()),
        ("u.yaml", unreasoned.as_bytes()),
    ]);
    let (code, json) = scan_json(dir.path(), &[".", "--select", "PSS003,PAL"]);
    assert_eq!(code, 1);
    let rules = rules_of(&json);
    assert_eq!(rules, vec!["PAL001", "PSS003"], "{json}");
    assert_eq!(json["findings"][1]["location"]["path"], "./u.yaml");
    assert_eq!(json["summary"]["suppressed"], 1);
    let (_, shown) = scan_json(
        dir.path(),
        &[".", "--select", "PSS003,PAL", "--show-suppressed"],
    );
    let s = shown["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["suppressed"] == true)
        .unwrap()
        .clone();
    assert_eq!(
        s["suppression_reason"],
        "palisade.dev/ignore: GPU driver installer; reviewed in SEC-7"
    );
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "s.yaml", "--select", "PSS003"]));
    assert_eq!(r.code, 0, "a suppressed finding does not fail the scan");
    assert!(r.stdout.contains("1 suppressed"), "{}", r.stdout);
}

#[test]
fn config_file_is_found_and_flags_win() {
    let dir = dir_with(&[
        ("repo/palisade.toml", b"fail-on = \"critical\"\nignore = [\"PSS003\"]\n\n[per-path-ignores]\n\"legacy/**\" = [\"ALL\"]\n"),
        ("repo/deploy/app/p.yaml", PRIVILEGED_POD.as_bytes()),
        ("repo/legacy/old.yaml", PRIVILEGED_POD.as_bytes()),
    ]);
    let repo = dir.path().join("repo");
    // Found by walking up from the scanned path: PSS003 ignored, remaining findings are medium/high.
    let r = run(palisade().current_dir(&repo).args(["scan", "deploy/app"]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(!r.stdout.contains("PSS003"));
    // The flag beats the file.
    assert_eq!(
        run(palisade()
            .current_dir(&repo)
            .args(["scan", "deploy/app", "--fail-on", "low"]))
        .code,
        1
    );
    // The environment beats the file too.
    assert_eq!(
        run(palisade()
            .current_dir(&repo)
            .args(["scan", "deploy/app"])
            .env("PALISADE_FAIL_ON", "medium"))
        .code,
        1
    );
    assert_eq!(
        run(palisade()
            .current_dir(&repo)
            .args(["scan", "deploy/app", "--no-config"]))
        .code,
        1
    );
    // Per-path ignores suppress with the pattern as the reason.
    let (_, json) = scan_json(&repo, &[".", "--show-suppressed"]);
    let legacy: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["location"]["path"] == "./legacy/old.yaml")
        .collect();
    assert!(!legacy.is_empty());
    assert!(legacy.iter().all(|f| f["suppressed"] == true
        && f["suppression_reason"] == "palisade.toml per-path-ignores `legacy/**`"));
    // A broken configuration is a usage error that names the file.
    std::fs::write(repo.join("palisade.toml"), "fail_on = 1\n").unwrap();
    let r = run(palisade().current_dir(&repo).args(["scan", "."]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("palisade.toml"), "{}", r.stderr);
}

#[test]
fn output_file_and_formats() {
    let dir = dir_with(&[("p.yaml", PRIVILEGED_POD.as_bytes())]);
    let out = dir.path().join("report.sarif");
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "p.yaml", "--format", "sarif", "--output"])
        .arg(&out));
    assert_eq!(r.code, 1);
    assert!(r.stdout.is_empty());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "p.yaml", "--format", "junit"]));
    assert!(r.stdout.starts_with("<?xml"), "{}", r.stdout);
    assert!(r.stdout.contains("<failure"), "{}", r.stdout);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "p.yaml", "--color", "always"]));
    assert!(r.stdout.contains("\x1b["), "colour when asked");
    let r = run(palisade().current_dir(dir.path()).args(["scan", "p.yaml"]));
    assert!(!r.stdout.contains("\x1b["), "no colour when not a terminal");
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn sarif_schema() -> serde_json::Value {
    let shared = std::env::var_os("PALISADE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    let text =
        std::fs::read_to_string(shared.join("schemas/sarif/sarif-schema-2.1.0.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn sarif_of_the_examples_validates() {
    let r = run(palisade().current_dir(examples().parent().unwrap()).args([
        "scan",
        "examples",
        "--format",
        "sarif",
        "--show-suppressed",
    ]));
    assert_eq!(r.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let schema = sarif_schema();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(results.len() > 10);
    assert!(results.iter().all(|r| {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .unwrap()
            > 0
    }));
    assert!(results.iter().any(|r| r["suppressions"].is_array()));
    let rules = doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(rules.iter().all(|r| {
        r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## Remediation")
    }));
}

#[test]
fn the_examples_show_real_misconfigurations() {
    let (code, json) = scan_json(examples().parent().unwrap(), &["examples"]);
    assert_eq!(code, 1);
    let rules = rules_of(&json);
    for expected in [
        "PSS002", "PSS003", "PSS006", "PSS011", "PSS014", "PSS016", "PSS018",
    ] {
        assert!(
            rules.contains(&expected.to_string()),
            "examples should show {expected}: {rules:?}"
        );
    }
    assert_eq!(json["summary"]["suppressed"], 1);
    assert!(json["errors"].as_array().unwrap().is_empty());
}

#[test]
fn rules_and_rule_commands() {
    let r = run(palisade().args(["rules"]));
    assert_eq!(r.code, 0);
    assert!(r.stdout.lines().next().unwrap().starts_with("ID"));
    let row: Vec<&str> = r
        .stdout
        .lines()
        .find(|l| l.starts_with("PSS003"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(
        &row[..4],
        ["PSS003", "privileged-container", "critical", "container"]
    );
    assert_eq!(
        r.stdout.lines().count(),
        palisade_rules::registry().len() + 1
    );
    let r = run(palisade().args(["rules", "--format", "json"]));
    let rules: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let pss = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "PSS013")
        .unwrap()
        .clone();
    assert_eq!(pss["pss"]["check"], "restrictedVolumes");
    assert_eq!(
        pss["pss_versions"],
        "v1.0+; replaces `hostPathVolumes` from v1.0"
    );
    let r = run(palisade().args(["rule", "privileged-container"]));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("# PSS003 privileged-container: Privileged container")
    );
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Remediation",
        "## References",
    ] {
        assert!(r.stdout.contains(section), "{section}");
    }
    let r = run(palisade().args(["rule", "PSS0"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean"), "{}", r.stderr);
}

#[test]
fn large_files_load_in_parallel_with_exact_positions() {
    // Over the parallel threshold: documents load concurrently but keep their numbering.
    let mut text = String::from("# generated\n");
    let mut lines = 1;
    let mut expected = Vec::new();
    for i in 0..2500 {
        text.push_str("---\n");
        lines += 1;
        if i == 1300 {
            text.push_str("broken: [\n");
            lines += 1;
            continue;
        }
        text.push_str(&PRIVILEGED_POD.replace("name: p\n", &format!("name: p{i}\n")));
        expected.push((i, lines + 11));
        lines += 11;
    }
    assert!(text.len() > 256 * 1024);
    let dir = dir_with(&[("big.yaml", text.as_bytes())]);
    let (code, json) = scan_json(dir.path(), &["big.yaml", "--select", "PSS003"]);
    assert_eq!(code, 2);
    assert_eq!(json["errors"].as_array().unwrap().len(), 1);
    let found: Vec<(u64, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["location"]["document"].as_u64().unwrap(),
                f["location"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(u64, u64)> = expected
        .iter()
        .map(|&(i, l)| (i as u64, l as u64))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn cross_object_rules_see_every_file() {
    // The workload, its binding and the role live in three files.
    let dir = dir_with(&[
        ("app.yaml", b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    spec:\n      serviceAccountName: api\n      containers: [{name: api, image: x}]\n"),
        ("binding.yaml", b"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: api, namespace: shop}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secrets}\nsubjects:\n- {kind: ServiceAccount, name: api}\n"),
        ("role.yaml", b"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: secrets, namespace: shop}\nrules:\n- {apiGroups: [''], resources: [secrets], verbs: [list]}\n"),
    ]);
    let (code, json) = scan_json(dir.path(), &[".", "--select", "RBAC031,NET002"]);
    assert_eq!(code, 1);
    let findings = json["findings"].as_array().unwrap();
    let powers = findings
        .iter()
        .find(|f| f["rule"] == "RBAC031")
        .expect("RBAC031 across files");
    assert_eq!(powers["location"]["path"], "./app.yaml");
    assert_eq!(powers["location"]["line"], 7);
    assert!(
        powers["message"]
            .as_str()
            .unwrap()
            .contains("read Secret values (via RoleBinding/api -> Role/secrets)"),
        "{powers}"
    );
    assert!(findings.iter().any(|f| f["rule"] == "NET002"));
    // Text output shows the snippet of a file that only has a cross-object finding.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--select", "RBAC031"]));
    assert!(r.stdout.contains("serviceAccountName: api"), "{}", r.stdout);
}

#[test]
fn waivers_suppress_expire_and_report_unused() {
    let config = "\
[[waivers]]
rules = [\"PSS003\"]
namespace = \"ns\"
kind = \"Pod\"
name = \"p*\"
owner = \"platform@example.com\"
reason = \"GPU driver installer\"
expires = \"2999-12-31\"

[[waivers]]
rules = [\"privilege-escalation-allowed\"]
path = \"apps/**\"
owner = \"team-a@example.com\"
reason = \"migration in progress\"
expires = \"2000-01-31\"

[[waivers]]
rules = [\"PSS001\"]
owner = \"team-b@example.com\"
reason = \"windows agents\"
";
    let dir = dir_with(&[
        ("palisade.toml", config.as_bytes()),
        ("apps/p.yaml", PRIVILEGED_POD.as_bytes()),
    ]);
    let (code, json) = scan_json(
        dir.path(),
        &[
            ".",
            "--select",
            "PSS001,PSS003,PSS014,PAL",
            "--show-suppressed",
        ],
    );
    assert_eq!(code, 1);
    let findings = json["findings"].as_array().unwrap();
    let by_rule = |id: &str| {
        findings
            .iter()
            .filter(|f| f["rule"] == id)
            .cloned()
            .collect::<Vec<_>>()
    };
    let waived = &by_rule("PSS003")[0];
    assert_eq!(waived["suppressed"], true);
    assert_eq!(
        waived["suppression_reason"],
        "waiver by platform@example.com: GPU driver installer"
    );
    assert_eq!(
        by_rule("PSS014")[0]["suppressed"],
        false,
        "an expired waiver suppresses nothing"
    );
    let expired = &by_rule("PAL004")[0];
    assert_eq!(
        (
            expired["location"]["path"].as_str(),
            expired["location"]["line"].as_u64()
        ),
        (Some("palisade.toml"), Some(10))
    );
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .contains("expired on 2000-01-31")
    );
    // PSS001 ran and found nothing to waive. (Under `--select PSS003` it would not have run,
    // and its waiver could not have been used: not reported.)
    let unused = &by_rule("PAL005")[0];
    assert_eq!(unused["location"]["line"], 17);
    // The expiry is checked against today; PALISADE_TODAY makes a run reproducible.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--select", "PSS014", "-f", "json"])
        .env("PALISADE_TODAY", "1999-12-31"));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["summary"]["findings"], 0, "{}", r.stdout);
    assert_eq!(json["summary"]["suppressed"], 1);
    // Waivers without an owner, with a bad date or unknown rules are configuration errors.
    for bad in [
        "[[waivers]]\nrules = [\"PSS003\"]\nreason = \"r\"\n",
        "[[waivers]]\nrules = [\"PSS003\"]\nowner = \"o\"\nreason = \"r\"\nexpires = \"31/12/2030\"\n",
        "[[waivers]]\nrules = [\"NOPE1\"]\nowner = \"o\"\nreason = \"r\"\n",
        "[[waivers]]\nrules = [\"PSS003\"]\nowner = \" \"\nreason = \"r\"\n",
    ] {
        std::fs::write(dir.path().join("palisade.toml"), bad).unwrap();
        let r = run(palisade().current_dir(dir.path()).args(["scan", "."]));
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(r.stderr.contains("palisade.toml"), "{}", r.stderr);
    }
}

#[test]
fn baselines_report_only_new_findings() {
    let dir = dir_with(&[("old.yaml", PRIVILEGED_POD.as_bytes())]);
    let baseline = dir.path().join("baseline.json");
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--write-baseline"])
        .arg(&baseline));
    assert_eq!(r.code, 1);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(written["version"], 3);
    assert!(
        written["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "PSS003" && f["path"] == "old.yaml" && f["object"] == "Pod/ns/p"),
        "{written}"
    );
    // Everything known is baselined: clean exit, counted as suppressed. Written paths do not
    // depend on how the file was named on the command line.
    let (code, json) = scan_json(dir.path(), &["old.yaml", "--baseline", "baseline.json"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["summary"]["findings"], 0);
    assert!(json["summary"]["suppressed"].as_u64().unwrap() > 0);
    // A new problem is reported; moving the old lines does not resurrect old findings.
    let moved = format!("# a comment that moves every line\n{PRIVILEGED_POD}");
    std::fs::write(dir.path().join("old.yaml"), moved).unwrap();
    std::fs::write(
        dir.path().join("new.yaml"),
        PRIVILEGED_POD.replace("name: p\n", "name: q\n"),
    )
    .unwrap();
    let (code, json) = scan_json(dir.path(), &[".", "--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    let paths: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.into_iter().collect::<Vec<_>>(), vec!["./new.yaml"]);
    // The baseline is about objects, not files: the same Pod moved to another file is still
    // known, and one written without its namespace is placed where kubectl puts it.
    std::fs::remove_file(dir.path().join("new.yaml")).unwrap();
    std::fs::rename(dir.path().join("old.yaml"), dir.path().join("moved.yaml")).unwrap();
    let (code, json) = scan_json(dir.path(), &[".", "--baseline", "baseline.json"]);
    assert_eq!(
        (code, &json["summary"]["findings"]),
        (0, &serde_json::json!(0)),
        "{json}"
    );
    let bare = PRIVILEGED_POD.replace("  namespace: ns\n", "");
    std::fs::write(dir.path().join("moved.yaml"), &bare).unwrap();
    run(palisade().current_dir(dir.path()).args([
        "scan",
        ".",
        "--write-baseline",
        "baseline.json",
    ]));
    let placed = PRIVILEGED_POD.replace("namespace: ns", "namespace: default");
    std::fs::write(dir.path().join("moved.yaml"), placed).unwrap();
    let (_, json) = scan_json(dir.path(), &[".", "--baseline", "baseline.json"]);
    let shown = rules_of(&json);
    assert!(!shown.contains(&"PSS003".to_string()), "{shown:?}");
    // Only what naming the default namespace brings up is new (POD014 and its neighbours).
    assert!(shown.contains(&"POD014".to_string()), "{shown:?}");
    std::fs::write(&baseline, "{\"not\": \"a baseline\"}").unwrap();
    assert_eq!(
        run(palisade()
            .current_dir(dir.path())
            .args(["scan", ".", "--baseline", "baseline.json"]))
        .code,
        2
    );
}

#[test]
fn framework_profiles_and_compliance_summary() {
    let binding = b"apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: viewers, namespace: ns}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects:\n- {kind: Group, name: devs}\n";
    let dir = dir_with(&[
        ("p.yaml", PRIVILEGED_POD.as_bytes()),
        ("rbac.yaml", binding),
    ]);
    let (_, cis) = scan_json(dir.path(), &[".", "--profile", "cis"]);
    let rules = rules_of(&cis);
    assert!(rules.contains(&"PSS003".to_string()));
    assert!(
        !rules.contains(&"POD003".to_string()),
        "POD003 maps to no CIS control"
    );
    let fw = cis["compliance"]["frameworks"].as_array().unwrap();
    let cis_summary = fw.iter().find(|f| f["framework"] == "cis").unwrap();
    let control = |id: &str| {
        cis_summary["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(control("5.2.2")["status"], "fail");
    assert_eq!(
        control("5.1.1")["status"],
        "pass",
        "RBAC001 ran and found nothing"
    );
    assert_eq!(
        control("1.2.1")["status"],
        "not_evaluated",
        "no kube-apiserver manifest was scanned"
    );
    assert_eq!(
        control("5.1.2")["status"],
        "not_evaluated",
        "no Role was scanned"
    );
    assert!(cis_summary["score"].as_f64().unwrap() < 100.0);
    let (_, nsa) = scan_json(dir.path(), &[".", "--profile", "nsa"]);
    assert!(rules_of(&nsa).iter().all(|r| {
        !palisade_rules::find_rule(r)
            .unwrap()
            .meta
            .framework_ids("nsa")
            .is_empty()
    }));
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--profile", "mitre"]));
    assert!(
        r.stdout.contains("Compliance") && r.stdout.contains("MITRE ATT&CK"),
        "{}",
        r.stdout
    );
    let r = run(palisade().current_dir(dir.path()).args(["scan", "."]));
    assert!(
        !r.stdout.contains("Compliance"),
        "summary only on request or with a framework profile"
    );
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--compliance"]));
    assert!(r.stdout.contains("layer container"), "{}", r.stdout);
}

#[test]
fn rule_options_come_from_palisade_toml() {
    let config = b"[rule-options]\nallowed-registries = [\"registry.example.com\"]\nrequired-labels = [\"team\"]\n";
    let dir = dir_with(&[
        ("palisade.toml", config),
        ("p.yaml", PRIVILEGED_POD.as_bytes()),
    ]);
    let (_, json) = scan_json(dir.path(), &[".", "--select", "IMG003,POD017"]);
    let findings = json["findings"].as_array().unwrap();
    let img = findings
        .iter()
        .find(|f| f["rule"] == "IMG003")
        .expect("image x is not from the allowed registry");
    assert!(
        img["message"].as_str().unwrap().contains("docker.io"),
        "{img}"
    );
    let labels = findings.iter().find(|f| f["rule"] == "POD017").unwrap();
    assert!(
        labels["message"].as_str().unwrap().contains("team"),
        "{labels}"
    );
    // Without an allow-list IMG003 evaluates nothing.
    let (_, json) = scan_json(dir.path(), &[".", "--select", "IMG003", "--no-config"]);
    assert!(json["findings"].as_array().unwrap().is_empty());
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[rule-options]\nallowed-registry = []\n",
    )
    .unwrap();
    assert_eq!(
        run(palisade().current_dir(dir.path()).args(["scan", "."])).code,
        2,
        "unknown option keys are errors"
    );
}

#[test]
fn superseded_findings_are_hidden_but_fail_their_controls() {
    let bare = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\nspec:\n  containers:\n  - name: a\n    image: x\n";
    let dir = dir_with(&[("bare.yaml", bare.as_bytes())]);
    let (_, json) = scan_json(dir.path(), &["bare.yaml"]);
    let rules = rules_of(&json);
    assert!(rules.contains(&"PSS017".to_string()) && rules.contains(&"PSS015".to_string()));
    assert!(!rules.contains(&"POD011".to_string()), "{rules:?}");
    assert!(!rules.contains(&"POD012".to_string()), "{rules:?}");
    let control = |json: &serde_json::Value, id: &str| {
        json["compliance"]["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["controls"].as_array().unwrap().iter())
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(control(&json, "C-0055")["status"], "fail");
    assert_eq!(control(&json, "5.6.3")["status"], "fail");
    let (_, json) = scan_json(dir.path(), &["bare.yaml", "--show-suppressed"]);
    let superseded = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "POD011")
        .unwrap();
    assert_eq!(
        superseded["suppression_reason"],
        "superseded by PSS017 on the same container"
    );
    // Without the stricter rule (the NSA profile has no seccomp-restricted rule) it is listed.
    let (_, json) = scan_json(dir.path(), &["bare.yaml", "--profile", "nsa"]);
    assert!(rules_of(&json).contains(&"POD011".to_string()), "{json:#}");
}

#[test]
fn system_registries_and_opt_in_rules() {
    let pod = b"apiVersion: v1\nkind: Pod\nmetadata: {name: cni, namespace: kube-system}\nspec:\n  containers:\n  - name: agent\n    image: quay.io/cilium/cilium:v1.17.0\n";
    let dir = dir_with(&[
        (
            "palisade.toml",
            b"[rule-options]\nsystem-registries = [\"quay.io/cilium\"]\n",
        ),
        ("p.yaml", pod),
    ]);
    let rules = |args: &[&str]| rules_of(&scan_json(dir.path(), args).1);
    assert!(rules(&[".", "--select", "POD018"]).is_empty());
    assert_eq!(
        rules(&[".", "--select", "POD018", "--no-config"]),
        ["POD018"]
    );
    // POD019 is opt-in: a prefix does not select it, its id does.
    assert!(!rules(&[".", "--select", "POD"]).contains(&"POD019".to_string()));
    assert!(rules(&[".", "--select", "POD019"]).contains(&"POD019".to_string()));
}

#[test]
fn structured_authorization_without_its_file_is_not_evaluated() {
    let apiserver = b"apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.35.0\n    command: [kube-apiserver, --authorization-config=/etc/kubernetes/authz.yaml]\n";
    let status = |json: &serde_json::Value, id: &str| {
        json["compliance"]["frameworks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["framework"] == "cis")
            .and_then(|f| f["controls"].as_array())
            .and_then(|c| c.iter().find(|c| c["id"] == id))
            .map(|c| c["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    let dir = dir_with(&[("apiserver.yaml", apiserver.as_slice())]);
    let (_, json) = scan_json(dir.path(), &[".", "--select", "CP006,CP007,CP008"]);
    assert!(
        rules_of(&json).is_empty(),
        "no AlwaysAllow default is assumed"
    );
    for id in ["1.2.6", "1.2.7", "1.2.8"] {
        assert_eq!(status(&json, id), "not_evaluated", "{id}");
    }
    let config = b"apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- {type: RBAC, name: rbac}\n- {type: AlwaysAllow, name: rest}\n";
    let dir = dir_with(&[
        ("apiserver.yaml", apiserver.as_slice()),
        ("authz.yaml", config.as_slice()),
    ]);
    let (_, json) = scan_json(dir.path(), &[".", "--select", "CP006,CP007,CP008"]);
    assert_eq!(rules_of(&json), ["CP007", "CP006"], "in line order");
    assert_eq!(status(&json, "1.2.6"), "fail");
    assert_eq!(status(&json, "1.2.7"), "fail");
    assert_eq!(status(&json, "1.2.8"), "pass");
}

#[test]
fn min_uid_is_a_rule_option_and_its_rule_is_opt_in() {
    let pod = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsUser: 1500}\n  containers:\n  - {name: c, image: example.com/app:1.0}\n";
    let dir = dir_with(&[("p.yaml", pod.as_slice())]);
    let (_, json) = scan_json(dir.path(), &["."]);
    assert!(
        !rules_of(&json).contains(&"POD029".to_string()),
        "preview rules run only when selected"
    );
    let (_, json) = scan_json(dir.path(), &[".", "--select", "low-user-id"]);
    assert_eq!(
        rules_of(&json),
        ["POD029"],
        "1500 is below the default 10000"
    );
    std::fs::write(
        dir.path().join("palisade.toml"),
        "[rule-options]\nmin-uid = 1000\n",
    )
    .unwrap();
    let (_, json) = scan_json(dir.path(), &[".", "--select", "POD029"]);
    assert!(rules_of(&json).is_empty(), "1500 is not below min-uid 1000");
}
