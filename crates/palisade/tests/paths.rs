//! Paths anchored to the project: baselines, per-path ignores, waivers and excludes match the
//! same files whether Palisade runs from the repository root, a subdirectory or `/` with
//! absolute paths.

use std::collections::BTreeSet;
use std::path::Path;

mod common;

use common::{dir_with, palisade, run};

const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: true\n";

const CONFIG: &str = r#"exclude = ["deploy/skip/**"]

[per-path-ignores]
"legacy/**" = ["ALL"]

[[waivers]]
rules = ["PSS003"]
path = "deploy/app/**"
owner = "platform@example.com"
reason = "GPU driver installer"

[[waivers]]
rules = ["PSS001"]
path = "legacy/**"
owner = "platform@example.com"
reason = "Windows agents"
"#;

/// A repository with a configuration, findings under `deploy/app`, an excluded directory and
/// a legacy directory that per-path ignores silence.
fn repo() -> tempfile::TempDir {
    dir_with(&[
        ("repo/palisade.toml", CONFIG.as_bytes()),
        ("repo/deploy/app/p.yaml", PRIVILEGED_POD.as_bytes()),
        ("repo/deploy/skip/s.yaml", PRIVILEGED_POD.as_bytes()),
        ("repo/legacy/old.yaml", PRIVILEGED_POD.as_bytes()),
    ])
}

/// What a scan decided, without the paths as displayed: counts, and per finding its rule, the
/// file's name and why it was suppressed.
fn outcome(cwd: &Path, args: &[&str]) -> (i32, serde_json::Value, BTreeSet<String>) {
    let r = run(palisade()
        .current_dir(cwd)
        .args([
            "scan",
            "--format",
            "json",
            "--show-suppressed",
            "--select",
            "PSS,PAL",
        ])
        .args(args));
    let json: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    let decided = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["location"]["path"].as_str().unwrap();
            let file = Path::new(path).file_name().unwrap().to_string_lossy();
            // `baseline FILE` names the file as the command line did.
            let reason = f["suppression_reason"].as_str().unwrap_or("reported");
            let reason = if reason.starts_with("baseline ") {
                "baseline"
            } else {
                reason
            };
            format!("{} {file} {reason}", f["rule"].as_str().unwrap())
        })
        .collect();
    let summary = json["summary"].clone();
    (r.code, summary, decided)
}

#[test]
fn a_baseline_written_once_matches_from_three_working_directories() {
    let dir = repo();
    let repo = std::fs::canonicalize(dir.path().join("repo")).unwrap();
    let deploy = repo.join("deploy");
    let r =
        run(palisade()
            .current_dir(&repo)
            .args(["scan", ".", "--write-baseline", "baseline.json"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(written["version"], 3);
    let paths: BTreeSet<&str> = written["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths.into_iter().collect::<Vec<_>>(),
        vec!["deploy/app/p.yaml", "palisade.toml"],
        "paths relative to palisade.toml's directory"
    );
    let baseline = repo.join("baseline.json");
    let baseline = baseline.to_str().unwrap();
    let repo_abs = repo.to_str().unwrap();
    let runs = [
        (repo.clone(), vec![".", "--baseline", "baseline.json"]),
        (deploy.clone(), vec!["..", "--baseline", "../baseline.json"]),
        (
            Path::new("/").to_path_buf(),
            vec![repo_abs, "--baseline", baseline],
        ),
    ];
    let results: Vec<_> = runs.iter().map(|(cwd, args)| outcome(cwd, args)).collect();
    let (code, summary, decided) = &results[0];
    assert_eq!(*code, 0, "{summary}");
    assert_eq!(summary["findings"], 0);
    assert!(summary["suppressed"].as_u64().unwrap() > 0);
    assert!(
        decided.contains("PSS014 p.yaml baseline")
            && decided.contains("PAL005 palisade.toml baseline"),
        "{decided:?}"
    );
    for (i, other) in results.iter().enumerate().skip(1) {
        assert_eq!(other, &results[0], "run {i} ({:?})", runs[i]);
    }
    // A new finding is reported from each directory; the old ones stay baselined.
    std::fs::write(
        deploy.join("app/new.yaml"),
        PRIVILEGED_POD.replace("name: p\n", "name: q\n"),
    )
    .unwrap();
    for (cwd, args) in &runs {
        let (code, summary, decided) = outcome(cwd, args);
        assert_eq!(code, 1, "{cwd:?}");
        let reported: Vec<_> = decided.iter().filter(|d| d.ends_with("reported")).collect();
        assert!(
            !reported.is_empty() && reported.iter().all(|d| d.contains(" new.yaml ")),
            "{cwd:?}: {reported:?} {summary}"
        );
    }
}

#[test]
fn per_path_ignores_waivers_and_excludes_match_from_any_directory() {
    let dir = repo();
    let repo = std::fs::canonicalize(dir.path().join("repo")).unwrap();
    let repo_abs = repo.to_str().unwrap();
    let from_root = outcome(&repo, &["."]);
    let from_sub = outcome(&repo.join("deploy"), &[".."]);
    let from_slash = outcome(Path::new("/"), &[repo_abs]);
    let (code, summary, decided) = &from_root;
    assert_eq!(*code, 1, "the unused waiver is reported: {decided:?}");
    assert_eq!(summary["files"], 2, "deploy/skip is excluded: {summary}");
    assert!(decided.contains("PSS003 p.yaml waiver by platform@example.com: GPU driver installer"));
    assert!(decided.contains("PSS003 old.yaml palisade.toml per-path-ignores `legacy/**`"));
    assert!(
        decided.contains("PAL005 palisade.toml reported"),
        "{decided:?}"
    );
    assert!(!decided.iter().any(|d| d.contains("s.yaml")));
    assert_eq!(from_sub, from_root);
    assert_eq!(from_slash, from_root);
}

#[test]
fn an_unused_waiver_is_reported_only_when_the_scan_covered_its_paths() {
    let dir = repo();
    let repo = std::fs::canonicalize(dir.path().join("repo")).unwrap();
    let deploy = repo.join("deploy");
    // Only deploy/ is scanned: the legacy/** waiver could not have been used.
    for (cwd, args) in [
        (&deploy, vec!["."]),
        (&repo, vec!["deploy"]),
        (&repo, vec![deploy.to_str().unwrap()]),
    ] {
        let (_, summary, decided) = outcome(cwd, &args);
        assert!(
            !decided.iter().any(|d| d.starts_with("PAL005")),
            "{cwd:?} {args:?}: {decided:?}"
        );
        assert_eq!(summary["files"], 1, "deploy/skip is excluded from {cwd:?}");
        assert!(
            decided.contains("PSS003 p.yaml waiver by platform@example.com: GPU driver installer")
        );
    }
    // Scanning legacy/ covers it.
    let (_, _, decided) = outcome(&repo, &["legacy"]);
    assert!(
        decided.contains("PAL005 palisade.toml reported"),
        "{decided:?}"
    );
}

#[test]
fn named_files_honour_exclude_only_with_force_exclude() {
    let dir = repo();
    let repo = std::fs::canonicalize(dir.path().join("repo")).unwrap();
    let deploy = repo.join("deploy");
    let (_, summary, _) = outcome(&repo, &["deploy/skip/s.yaml"]);
    assert_eq!(summary["files"], 1, "a named file is the user's choice");
    for (cwd, skipped, kept) in [
        (&repo, "deploy/skip/s.yaml", "deploy/app/p.yaml"),
        (&deploy, "skip/s.yaml", "app/p.yaml"),
    ] {
        let r = run(palisade().current_dir(cwd).args([
            "scan",
            "--format",
            "json",
            "--force-exclude",
            skipped,
            kept,
        ]));
        assert_eq!(r.code, 1, "{}", r.stderr);
        let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(json["summary"]["files"], 1, "{cwd:?}");
        let scanned: BTreeSet<&str> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["location"]["path"].as_str().unwrap())
            .collect();
        assert!(
            !scanned.iter().any(|p| p.contains("s.yaml")),
            "{cwd:?}: {scanned:?}"
        );
    }
    // The setting in palisade.toml does the same.
    std::fs::write(
        repo.join("palisade.toml"),
        format!("force-exclude = true\n{CONFIG}"),
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(&repo)
        .args(["scan", "deploy/skip/s.yaml"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Scanned 0 files"), "{}", r.stdout);
    assert!(
        r.stderr.contains("warning: nothing to scan"),
        "{}",
        r.stderr
    );
}

/// The fingerprint baselines of versions 1 and 2 recorded: FNV-1a of rule, file, kind,
/// namespace, name, pointer and container, each ended by a NUL byte.
fn file_fingerprint(f: &serde_json::Value) -> String {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let parts = [
        s(&f["rule"]),
        s(&f["location"]["path"])
            .trim_start_matches("./")
            .to_string(),
        s(&f["object"]["kind"]),
        s(&f["object"]["namespace"]),
        s(&f["object"]["name"]),
        s(&f["location"]["pointer"]),
        s(&f["container"]),
    ];
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in &parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[test]
fn baselines_of_earlier_versions_are_still_read() {
    let dir = repo();
    let repo = std::fs::canonicalize(dir.path().join("repo")).unwrap();
    let r = run(palisade()
        .current_dir(&repo)
        .args(["scan", ".", "--format", "json"]));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let entries: Vec<serde_json::Value> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| serde_json::json!({"rule": f["rule"], "path": "", "fingerprint": file_fingerprint(f)}))
        .collect();
    assert!(!entries.is_empty());
    // From the root with `.`, the paths as written and relative to the project agree.
    for (version, says) in [
        (1, "records paths as written on the command line"),
        (2, "records the file of each finding"),
    ] {
        let old = serde_json::json!({"version": version, "findings": entries});
        std::fs::write(repo.join("baseline.json"), old.to_string()).unwrap();
        let r =
            run(palisade()
                .current_dir(&repo)
                .args(["scan", ".", "--baseline", "baseline.json"]));
        assert_eq!(r.code, 0, "version {version}: {}", r.stdout);
        assert!(r.stdout.contains(says), "{}", r.stdout);
        assert!(
            r.stdout
                .contains("write it again to match the same objects wherever they are read"),
            "{}",
            r.stdout
        );
    }
    // A baseline from a newer Palisade is refused rather than misread.
    std::fs::write(
        repo.join("baseline.json"),
        serde_json::json!({"version": 9, "findings": []}).to_string(),
    )
    .unwrap();
    let r = run(palisade()
        .current_dir(&repo)
        .args(["scan", ".", "--baseline", "baseline.json"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("version 9"), "{}", r.stderr);
}

#[test]
fn without_a_configuration_paths_are_anchored_at_the_scan_root() {
    let dir = dir_with(&[("repo/deploy/app/p.yaml", PRIVILEGED_POD.as_bytes())]);
    let top = std::fs::canonicalize(dir.path()).unwrap();
    let repo = top.join("repo");
    let deploy = repo.join("deploy");
    let baseline = top.join("baseline.json");
    let r = run(palisade()
        .current_dir(&repo)
        .args(["scan", "deploy", "--write-baseline"])
        .arg(&baseline));
    assert_eq!(r.code, 1);
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(written.contains("\"path\": \"app/p.yaml\""), "{written}");
    for (cwd, root) in [
        (&deploy, ".".to_string()),
        (&top, "repo/deploy".to_string()),
        (&top, deploy.to_string_lossy().into_owned()),
    ] {
        let r = run(palisade()
            .current_dir(cwd)
            .args(["scan", &root, "--baseline"])
            .arg(&baseline));
        assert_eq!(r.code, 0, "{cwd:?} {root}: {}", r.stdout);
    }
}

#[test]
fn sarif_fingerprints_do_not_depend_on_the_working_directory() {
    let dir = repo();
    let root = dir.path().join("repo");
    let fingerprints = |cwd: &Path, path: &str| -> BTreeSet<String> {
        let r = run(palisade()
            .current_dir(cwd)
            .args(["scan", path, "--format", "sarif"]));
        let sarif: serde_json::Value = serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", r.stdout, r.stderr));
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["palisade/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let from_root = fingerprints(&root, "deploy/app");
    assert!(!from_root.is_empty());
    assert_eq!(fingerprints(&root.join("deploy"), "app"), from_root);
    let absolute = root.join("deploy/app").display().to_string();
    assert_eq!(fingerprints(Path::new("/"), &absolute), from_root);
}
