//! The conventions users bring from other command-line tools: standard input, empty scans,
//! configuration errors with a position, shell completions, examples in `--help`, CI report
//! formats that agree with the exit code, and reports that are not scanned back.

mod common;

use common::{dir_with, palisade, run};

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: true\n";

#[test]
fn a_piped_stdin_without_a_path_is_not_read_and_the_user_is_told() {
    let dir = dir_with(&[("a.yaml", PRIVILEGED_POD.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--format", "json"])
        .write_stdin(PRIVILEGED_POD.replace("name: p\n", "name: piped\n")));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1, "the directory was scanned");
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert!(paths.iter().all(|p| *p == "./a.yaml"), "{paths:?}");
    assert!(
        r.stderr
            .contains("standard input is read only when named as `-`"),
        "{}",
        r.stderr
    );
    // Named as `-`, it is read; without anything piped there is no note.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "-", "--format", "json"])
        .write_stdin(PRIVILEGED_POD));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["findings"][0]["location"]["path"], "-");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("palisade"))
        .current_dir(dir.path())
        .arg("scan")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("standard input"), "{stderr}");
}

#[test]
fn an_empty_scan_set_warns() {
    let dir = dir_with(&[("README.md", b"# nothing to scan\n"), ("sub/x.txt", b"")]);
    let r = run(palisade().current_dir(dir.path()).args(["scan", "."]));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr
            .contains("warning: nothing to scan: no .yaml, .yml or .json file in ."),
        "{}",
        r.stderr
    );
    let dir = dir_with(&[("a.yaml", PRIVILEGED_POD.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args(["scan", "."]));
    assert!(!r.stderr.contains("nothing to scan"), "{}", r.stderr);
}

#[test]
fn configuration_errors_name_the_line_and_column() {
    let cases = [
        (
            "fail_on = 1\n",
            "palisade.toml:1:1: unknown field `fail_on`",
        ),
        (
            "format = \"text\"\nprofile = \"strictest\"\n",
            "palisade.toml:2:11: profile: unknown profile",
        ),
        ("exclude = [\n", "palisade.toml:1:12:"),
        (
            "\nstdin-timeout = \"5x\"\n",
            "palisade.toml:2:17: stdin-timeout: invalid duration unit",
        ),
        (
            "[per-path-ignores]\n\"legacy/**\" = [\"NOPE9\"]\n",
            "palisade.toml:2:15: per-path-ignores: `legacy/**`: `NOPE9` matches no rule",
        ),
        (
            "\n\n[[waivers]]\nrules = [\"PSS003\"]\nowner = \"o\"\nreason = \"r\"\nexpires = \"soon\"\n",
            "palisade.toml:3:1: waiver 0: `expires` must be a date",
        ),
        // An unknown key below the first line is placed at its own line.
        (
            "format = \"text\"\n  fail_on = 1\n",
            "palisade.toml:2:3: unknown field `fail_on`",
        ),
        (
            "\nrender-errors = \"fatal\"\n",
            "palisade.toml:2:17: render-errors: must be",
        ),
        (
            "select = [\"PSS003\", \"BOGUS9\"]\n",
            "palisade.toml:1:10: select: `BOGUS9` matches no rule",
        ),
        (
            "\n\nignore = [\"nope:1\"]\n",
            "palisade.toml:3:10: ignore: ",
        ),
        (
            "exclude = [\"a/{b\"]\n",
            "palisade.toml:1:11: exclude: invalid glob `a/{b`",
        ),
    ];
    for (config, expected) in cases {
        let dir = dir_with(&[
            ("palisade.toml", config.as_bytes()),
            ("a.yaml", PRIVILEGED_POD.as_bytes()),
        ]);
        let r = run(palisade().current_dir(dir.path()).args(["scan", "."]));
        assert_eq!(r.code, 2, "{config}");
        assert!(r.stderr.contains(expected), "{config}: {}", r.stderr);
    }
    // A bad value given as a flag is not blamed on the file.
    let dir = dir_with(&[("palisade.toml", b"profile = \"all\"\n")]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--profile", "strictest"]));
    assert_eq!(r.code, 2);
    assert!(!r.stderr.contains("palisade.toml"), "{}", r.stderr);
}

#[test]
fn completions_are_generated_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = run(palisade().args(["completions", shell]));
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(
            r.stdout.contains("scan") && r.stdout.contains("fail-on"),
            "{shell}"
        );
    }
    let r = run(palisade().args(["completions", "tcsh"]));
    assert_eq!(r.code, 2);
    // The bash script is valid bash.
    let script = run(palisade().args(["completions", "bash"])).stdout;
    let dir = dir_with(&[("palisade.bash", script.as_bytes())]);
    let status = std::process::Command::new("bash")
        .arg("-n")
        .arg(dir.path().join("palisade.bash"))
        .status()
        .expect("bash runs");
    assert!(status.success());
}

#[test]
fn help_shows_examples() {
    for args in [
        vec!["--help"],
        vec!["scan", "--help"],
        vec!["fix", "--help"],
        vec!["rbac", "--help"],
        vec!["netpol", "--help"],
        vec!["rules", "--help"],
        vec!["completions", "--help"],
    ] {
        let r = run(palisade().args(&args));
        assert_eq!(r.code, 0, "{args:?}");
        let examples = r
            .stdout
            .split_once("Examples:\n")
            .map(|(_, e)| e)
            .unwrap_or_else(|| panic!("{args:?}: {}", r.stdout));
        assert!(examples.contains("  palisade "), "{args:?}: {examples}");
    }
}

#[test]
fn junit_failures_agree_with_fail_on() {
    let dir = dir_with(&[("p.yaml", PRIVILEGED_POD.as_bytes())]);
    let junit = |fail_on: &str| {
        let r = run(palisade().current_dir(dir.path()).args([
            "scan",
            "p.yaml",
            "--format",
            "junit",
            "--fail-on",
            fail_on,
        ]));
        (r.code, r.stdout)
    };
    let (code, xml) = junit("critical");
    assert_eq!(code, 1);
    // PSS003 is the only critical finding: the only failure; the others pass.
    assert!(
        xml.contains("<testsuites name=\"palisade\" tests=\"") && xml.contains("failures=\"1\""),
        "{xml}"
    );
    assert!(xml.contains("<system-out>"), "{xml}");
    let (code, xml) = junit("never");
    assert_eq!(code, 0);
    assert!(!xml.contains("<failure"), "{xml}");
    let (_, low) = junit("low");
    assert!(!low.contains("failures=\"0\"") && !low.contains("failures=\"1\""));
    // Names carry no line: moving every line keeps them.
    let names = |xml: &str| -> Vec<String> {
        xml.split("<testcase name=\"")
            .skip(1)
            .map(|c| c.split('"').next().unwrap().to_string())
            .collect()
    };
    std::fs::write(
        dir.path().join("p.yaml"),
        format!("# moved\n\n{PRIVILEGED_POD}"),
    )
    .unwrap();
    let (_, moved) = junit("low");
    assert_eq!(names(&moved), names(&low));
    assert!(names(&low).contains(
        &"PSS003 Pod/ns/p container a /spec/containers/0/securityContext/privileged".to_string()
    ));
}

#[test]
fn sarif_from_stdin_has_a_uri_and_levels() {
    let r = run(palisade()
        .args(["scan", "-", "--format", "sarif"])
        .write_stdin(PRIVILEGED_POD));
    assert_eq!(r.code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "stdin"
        );
        let expected = match result["properties"]["severity"].as_str().unwrap() {
            "critical" | "high" => "error",
            "medium" => "warning",
            _ => "note",
        };
        assert_eq!(result["level"], expected, "{result}");
    }
    let levels: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert!(levels.len() > 1, "{levels:?}");
}

#[test]
fn rbac_risks_counts_the_files_it_read() {
    let binding = b"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: x}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: ServiceAccount, name: s, namespace: n}]\n";
    let dir = dir_with(&[
        ("a/r.yaml", binding),
        ("b/p.yaml", PRIVILEGED_POD.as_bytes()),
    ]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["rbac", "risks", "."]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout.contains("Scanned 2 files (2 objects): 1 finding"),
        "{}",
        r.stdout
    );
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["rbac", "risks", ".", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 2);
}

#[test]
fn reports_written_into_the_scanned_tree_are_not_scanned_back() {
    let dir = dir_with(&[("deploy/p.yaml", PRIVILEGED_POD.as_bytes())]);
    let summary = |extra: &[&str]| {
        let r = run(palisade()
            .current_dir(dir.path())
            .args(["scan", ".", "--format", "json"])
            .args(extra));
        assert_ne!(r.code, 2, "{}", r.stderr);
        let text = if r.stdout.is_empty() {
            std::fs::read_to_string(dir.path().join("deploy/report.json")).unwrap()
        } else {
            r.stdout
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let s = &json["summary"];
        (
            s["files"].as_u64().unwrap(),
            s["skipped_documents"].as_u64().unwrap(),
        )
    };
    // Twice: the second run finds the outputs of the first in the tree, and leaves them out.
    let write = [
        "-o",
        "deploy/report.json",
        "--write-baseline",
        "deploy/baseline.json",
    ];
    assert_eq!(summary(&write), (1, 0));
    assert_eq!(summary(&write), (1, 0));
    let read = [
        "-o",
        "deploy/report.json",
        "--baseline",
        "deploy/baseline.json",
    ];
    assert_eq!(summary(&read), (1, 0));
    // So are the files of --output-format (the JSON report of the first run is this run's too).
    let two_reports = || {
        run(palisade().current_dir(dir.path()).args([
            "scan",
            ".",
            "--output-format",
            "json:deploy/report.json",
            "--output-format",
            "json:deploy/second.json",
        ]))
    };
    assert_ne!(two_reports().code, 2);
    let r = two_reports();
    let second: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("deploy/second.json")).unwrap(),
    )
    .unwrap();
    // p.yaml and the baseline of the earlier runs (not an output of this one); neither report.
    assert_eq!(second["summary"]["files"], 2, "{}", r.stderr);
    std::fs::remove_file(dir.path().join("deploy/second.json")).unwrap();
    // Files that are not this run's outputs are read: a JSON report is no manifest, and its
    // document is skipped (counted) like any other without apiVersion and kind.
    assert_eq!(summary(&[]), (3, 2));
    // JUnit XML and SARIF are not manifests by their names: never read.
    for (format, file) in [("junit", "deploy/r.xml"), ("sarif", "deploy/r.sarif")] {
        run(palisade()
            .current_dir(dir.path())
            .args(["scan", ".", "--format", format, "-o", file]));
        assert!(dir.path().join(file).is_file());
    }
    assert_eq!(summary(&[]), (3, 2));
}

/// The repository root (the README and the pre-commit hook definition live there).
fn repo_file(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_documented_ci_and_pre_commit_invocations_work() {
    // The pre-commit hook's entry, with the files pre-commit passes: an excluded one is left
    // out (--force-exclude), the other is reported in compact lines.
    let hooks = repo_file(".pre-commit-hooks.yaml");
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("the hook has an entry");
    let args: Vec<&str> = entry.split_whitespace().collect();
    assert_eq!(args[0], "palisade");
    let dir = dir_with(&[
        ("deploy/p.yaml", PRIVILEGED_POD.as_bytes()),
        ("vendor/v.yaml", PRIVILEGED_POD.as_bytes()),
        ("palisade.toml", b"exclude = [\"vendor/\"]\n"),
    ]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(&args[1..])
        .args(["deploy/p.yaml", "vendor/v.yaml"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("deploy/p.yaml:11:7: critical PSS003 ")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("vendor/v.yaml"), "{}", r.stdout);

    // The README's GitHub Actions scan step writes SARIF and prints text.
    let readme = repo_file("README.md");
    let step = readme
        .lines()
        .find_map(|l| l.trim().strip_prefix("- run: palisade scan "))
        .expect("the README has a scan step");
    let r = run(palisade()
        .current_dir(dir.path())
        .arg("scan")
        .args(step.split_whitespace()));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("palisade.sarif")).unwrap())
            .unwrap();
    assert!(!sarif["runs"][0]["results"].as_array().unwrap().is_empty());
    assert!(r.stdout.contains("critical[PSS003]"), "{}", r.stdout);
}
