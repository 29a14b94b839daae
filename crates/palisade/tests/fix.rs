//! `palisade fix` and `palisade scan --fix / --diff` end to end.

mod common;

use common::{dir_with, palisade, rules_of, run, scan_json, tool};

/// A deployment that breaks every fixable rule, with comments and flow style to keep.
const DEPLOYMENT: &str = "# The web tier.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop   # owned by team-web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web          # main container
          image: registry.example.com/web:1.4
          securityContext:
            privileged: true # needed for the old kernel module
        - name: sidecar
          image: registry.example.com/proxy:2.0
          securityContext: {}
";

const FIXED_RULES: [&str; 7] = [
    "PSS003", "PSS014", "PSS015", "PSS017", "PSS018", "POD001", "RBAC030",
];

#[test]
fn diff_previews_and_writes_nothing() {
    let dir = dir_with(&[("web.yaml", DEPLOYMENT.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args([
        "fix",
        "--diff",
        "--unsafe-fixes",
        "web.yaml",
    ]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.starts_with("--- a/web.yaml\n+++ b/web.yaml\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("-            privileged: true # needed for the old kernel module\n+            privileged: false # needed for the old kernel module\n"), "{}", r.stdout);
    assert!(r.stdout.contains("+          securityContext: {readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n"), "{}", r.stdout);
    assert!(r.stderr.contains("(nothing written)"), "{}", r.stderr);
    let text = std::fs::read_to_string(dir.path().join("web.yaml")).unwrap();
    assert_eq!(text, DEPLOYMENT);
    // `scan --diff` is the same preview.
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--diff",
        "--unsafe-fixes",
        "web.yaml",
    ]));
    assert_eq!(r.code, 1);
    assert!(r.stdout.starts_with("--- a/web.yaml"), "{}", r.stdout);
}

#[test]
fn fix_rewrites_minimally_and_the_findings_are_gone() {
    let dir = dir_with(&[("web.yaml", DEPLOYMENT.as_bytes())]);
    let (_, before) = scan_json(dir.path(), &["web.yaml"]);
    for id in FIXED_RULES {
        assert!(
            rules_of(&before).contains(&id.to_string()),
            "{id} fires before"
        );
    }
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--unsafe-fixes", "web.yaml"]));
    assert!(r.stdout.contains("web.yaml: 12 fixed"), "{}", r.stdout);
    assert!(
        r.stdout.contains("fixed 12 findings in 1 file;"),
        "{}",
        r.stdout
    );
    assert_eq!(r.code, 1, "other findings remain: {}", r.stdout);
    let text = std::fs::read_to_string(dir.path().join("web.yaml")).unwrap();
    // Comments, flow style and order survive; the edits are where the fields belong.
    for kept in [
        "# The web tier.\n",
        "  namespace: shop   # owned by team-web\n",
        "  selector: {matchLabels: {app: web}}\n",
        "        - name: web          # main container\n",
        "            privileged: false # needed for the old kernel module\n",
    ] {
        assert!(text.contains(kept), "{kept:?} in\n{text}");
    }
    assert!(
        text.contains("      automountServiceAccountToken: false\n"),
        "{text}"
    );
    assert!(
        text.contains("      securityContext:\n        runAsNonRoot: true\n        seccompProfile:\n          type: RuntimeDefault\n"),
        "{text}"
    );
    let (code, after) = scan_json(dir.path(), &["web.yaml"]);
    assert_eq!(code, 1);
    for id in FIXED_RULES {
        assert!(
            !rules_of(&after).contains(&id.to_string()),
            "{id} still fires:\n{text}"
        );
    }
    // A second run has nothing left to do.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--unsafe-fixes", "web.yaml"]));
    assert!(
        r.stdout.contains("fixed 0 findings in 0 files;"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web.yaml")).unwrap(),
        text
    );
}

#[test]
fn scan_fix_reports_what_remains() {
    let dir = dir_with(&[("web.yaml", DEPLOYMENT.as_bytes())]);
    let (code, json) = scan_json(
        dir.path(),
        &[
            "--fix",
            "--unsafe-fixes",
            "--select",
            "PSS003,PSS014",
            "web.yaml",
        ],
    );
    assert_eq!(code, 0, "{json:#}");
    assert!(json["findings"].as_array().unwrap().is_empty(), "{json:#}");
    assert_eq!(json["notes"][0], "fixed 3 findings in 1 file", "{json:#}");
    let text = std::fs::read_to_string(dir.path().join("web.yaml")).unwrap();
    assert!(
        !text.contains("readOnlyRootFilesystem"),
        "only selected rules are fixed:\n{text}"
    );
}

#[test]
fn aliases_suppressions_and_stdin_are_left_alone() {
    let aliased = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: x\nspec:\n  containers:\n  - name: a\n    image: i\n    securityContext: &sc\n      privileged: true\n  - name: b\n    image: i\n    securityContext: *sc\n";
    let suppressed = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: s\n  namespace: x\n  annotations:\n    palisade.dev/ignore: \"PSS003: lab node\"\nspec:\n  containers:\n  - name: a\n    image: i\n    securityContext:\n      privileged: true\n";
    let dir = dir_with(&[
        ("aliased.yaml", aliased.as_bytes()),
        ("suppressed.yaml", suppressed.as_bytes()),
    ]);
    let r = run(palisade().current_dir(dir.path()).args([
        "fix",
        "--unsafe-fixes",
        "--select",
        "PSS003",
        ".",
    ]));
    assert!(
        r.stdout
            .contains("comes from a YAML alias or merge key; change it by hand"),
        "{}",
        r.stdout
    );
    // Container a's own field is fixed; b's comes from the anchor, which a's fix already changed.
    let text = std::fs::read_to_string(dir.path().join("aliased.yaml")).unwrap();
    assert!(
        text.contains("securityContext: &sc\n      privileged: false\n"),
        "{text}"
    );
    let text = std::fs::read_to_string(dir.path().join("suppressed.yaml")).unwrap();
    assert_eq!(text, suppressed, "suppressed findings are not fixed");
    // JSON manifests keep their syntax: no fix is written into them.
    let json = r#"{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j", "namespace": "x"},
 "spec": {"containers": [{"name": "a", "image": "i", "securityContext": {"privileged": true}}]}}
"#;
    std::fs::write(dir.path().join("pod.json"), json).unwrap();
    let r = run(palisade().current_dir(dir.path()).args([
        "fix",
        "--unsafe-fixes",
        "--select",
        "PSS003",
        "pod.json",
    ]));
    assert!(
        r.stdout.contains("JSON files are not rewritten"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.json")).unwrap(),
        json
    );
    // `scan --fix` reports on files it rewrote: standard input is a usage error there, and
    // `fix -` takes it alone.
    let r = run(palisade()
        .args(["scan", "--fix", "-"])
        .write_stdin(suppressed));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("run `palisade fix -`"), "{}", r.stderr);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "-", "pod.json"])
        .write_stdin(suppressed));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("fixed on its own"), "{}", r.stderr);
}

#[test]
fn helm_templates_are_never_rewritten() {
    let chart = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render/web");
    let dir = tempfile::tempdir().unwrap();
    for entry in [
        "Chart.yaml",
        "values.yaml",
        "templates/deployment.yaml",
        "templates/_helpers.tpl",
    ] {
        let target = dir.path().join("web").join(entry);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(chart.join(entry), target).unwrap();
    }
    let template =
        std::fs::read_to_string(dir.path().join("web/templates/deployment.yaml")).unwrap();
    let r = run(palisade()
        .current_dir(dir.path())
        .env("PALISADE_HELM", tool("helm"))
        .args(["fix", "web"]));
    assert!(
        r.stdout.contains("fixed 0 findings in 0 files"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("in Helm charts or Kustomize builds left as they are"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web/templates/deployment.yaml")).unwrap(),
        template
    );
}

#[test]
fn diffs_hide_secret_values_and_escape_names() {
    const SECRET: &str = "hunter2-TOPSECRET";
    const FLOW: &str = "flow-S3cr3t-value";
    let deployment = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.4
          env:
            - name: DB_PASSWORD
              value: {SECRET}
          securityContext:
            privileged: true
        - {{name: side, image: y, env: [{{name: MODE, value: {FLOW}}}], securityContext: {{privileged: true}}}}
"
    );
    let name = "x\nerror: injected.yaml";
    let dir = dir_with(&[(name, deployment.as_bytes())]);
    for args in [
        &["fix", "--diff", "--unsafe-fixes", "."][..],
        &["scan", "--diff", "--unsafe-fixes", "."],
    ] {
        let r = run(palisade().current_dir(dir.path()).args(args));
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        let out = format!("{}{}", r.stdout, r.stderr);
        assert!(!out.contains(SECRET) && !out.contains(FLOW), "{out}");
        // The context line and both sides of the changed flow-style line are masked.
        assert!(
            r.stdout.contains("\n               value: ****\n"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout
                .contains("\n-        - {name: side, image: y, env: [{name: MODE, value: ****}]"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout
                .contains("\n+        - {name: side, image: y, env: [{name: MODE, value: ****}]"),
            "{}",
            r.stdout
        );
        // The name is quoted as Git quotes it, which keeps the line safe and `git apply` able
        // to read it.
        assert!(
            r.stdout.starts_with(
                "--- \"a/x\\nerror: injected.yaml\"\n+++ \"b/x\\nerror: injected.yaml\"\n"
            ),
            "{}",
            r.stdout
        );
        // The hunk that shows a masked line does not match the file: the command says so.
        assert!(
            r.stderr.contains(
                "secret values as **** (or escaped characters), so `git apply` cannot apply"
            ),
            "{}",
            r.stderr
        );
    }
    // The file itself is rewritten with its values intact.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--unsafe-fixes", "."]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        !r.stdout.contains(SECRET) && !r.stdout.contains(FLOW),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert!(text.contains(SECRET) && text.contains(FLOW), "{text}");
    assert!(!text.contains("privileged: true"), "{text}");
}

#[test]
fn unsafe_fixes_wait_for_the_flag_and_are_counted() {
    let dir = dir_with(&[("web.yaml", DEPLOYMENT.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args(["fix", "web.yaml"]));
    assert!(
        r.stdout.contains("note: 12 unsafe fixes were not applied: they may change what a workload does; preview with `--diff --unsafe-fixes`, apply with `--unsafe-fixes`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("fixed 0 findings in 0 files;"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("web.yaml")).unwrap(),
        DEPLOYMENT
    );
    // Text output says which command applies a finding's fix.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--select", "PSS003", "web.yaml"]));
    assert!(
        r.stdout.contains(
            "fix: set securityContext.privileged to false (`palisade fix --unsafe-fixes`)"
        ),
        "{}",
        r.stdout
    );
    // runAsNonRoot beside a non-zero runAsUser cannot change behaviour: a safe fix, applied
    // without the flag; the unsafe ones of the same file stay out.
    let user = DEPLOYMENT.replace(
        "    spec:\n      containers:",
        "    spec:\n      securityContext: {runAsUser: 1000}\n      containers:",
    );
    std::fs::write(dir.path().join("web.yaml"), &user).unwrap();
    let (_, json) = scan_json(dir.path(), &["--select", "PSS015", "web.yaml"]);
    assert_eq!(
        json["findings"][0]["fix"]["applicability"], "safe",
        "{json:#}"
    );
    let r = run(palisade().current_dir(dir.path()).args(["fix", "web.yaml"]));
    // Both containers' findings share the one pod-level fix.
    assert!(r.stdout.contains("web.yaml: 2 fixed"), "{}", r.stdout);
    assert!(
        r.stdout.contains("10 unsafe fixes were not applied"),
        "{}",
        r.stdout
    );
    let text = std::fs::read_to_string(dir.path().join("web.yaml")).unwrap();
    assert!(
        text.contains("securityContext: {runAsUser: 1000, runAsNonRoot: true}"),
        "{text}"
    );
    assert!(text.contains("privileged: true"), "{text}");
    // palisade.toml can turn them on, and the flag off again.
    std::fs::write(dir.path().join("web.yaml"), DEPLOYMENT).unwrap();
    std::fs::write(dir.path().join("palisade.toml"), "unsafe-fixes = true\n").unwrap();
    let r =
        run(palisade()
            .current_dir(dir.path())
            .args(["fix", "--unsafe-fixes=false", "web.yaml"]));
    assert!(r.stdout.contains("fixed 0 findings"), "{}", r.stdout);
    let r = run(palisade().current_dir(dir.path()).args(["fix", "web.yaml"]));
    assert!(r.stdout.contains("web.yaml: 12 fixed"), "{}", r.stdout);
}

/// Every combination the object holds that Kubernetes refuses.
fn refused(text: &str) -> Vec<String> {
    let docs = palisade_source::parse_stream(text, &palisade_source::Limits::default());
    let mut out = Vec::new();
    for doc in docs.iter().flatten() {
        for object in &palisade_model::objects_in(doc).objects {
            if let Some(pod) = object.pod_spec() {
                out.extend(
                    palisade_model::conflicts::conflicts(pod)
                        .into_iter()
                        .map(|c| c.message),
                );
            }
        }
    }
    out
}

#[test]
fn fixes_never_leave_a_spec_kubernetes_refuses() {
    let root = "apiVersion: v1
kind: Pod
metadata:
  name: root
  namespace: x
spec:
  containers:
  - name: a
    image: x:1
    securityContext: {runAsUser: 0, privileged: true}
";
    let windows = "apiVersion: v1
kind: Pod
metadata:
  name: win
  namespace: x
spec:
  os: {name: windows}
  containers:
  - name: a
    image: x:1
";
    let dir = dir_with(&[
        ("root.yaml", root.as_bytes()),
        ("windows.yaml", windows.as_bytes()),
    ]);
    // Alone, the escalation and non-root fixes would be rejected: neither is applied, and the
    // reason names the combination.
    let r = run(palisade().current_dir(dir.path()).args([
        "fix",
        "--unsafe-fixes",
        "--select",
        "PSS014,PSS015",
        "root.yaml",
    ]));
    assert!(r.stdout.contains("the fix would leave container \"a\": allowPrivilegeEscalation: false with privileged: true (the API server rejects it)"), "{}", r.stdout);
    // The non-root fix is not even offered beside runAsUser: 0 (scan output and JSON never
    // advertise a fix the kubelet would refuse).
    let (_, json) = scan_json(dir.path(), &["--select", "PSS015", "root.yaml"]);
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(findings.iter().all(|f| f.get("fix").is_none()), "{json}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("root.yaml")).unwrap(),
        root
    );
    // With every rule, privileged: false comes first and the escalation fix follows it; the
    // non-root fix stays out. Policy v1.24 does not exempt Windows pods from the seccomp,
    // capabilities and escalation checks, but the API server forbids those fields there.
    let r = run(palisade().current_dir(dir.path()).args([
        "fix",
        "--unsafe-fixes",
        "--pss-version",
        "v1.24",
        ".",
    ]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("on a pod with spec.os.name: windows (the API server rejects it)"),
        "{}",
        r.stdout
    );
    let fixed_root = std::fs::read_to_string(dir.path().join("root.yaml")).unwrap();
    assert!(fixed_root.contains("privileged: false"), "{fixed_root}");
    assert!(
        fixed_root.contains("allowPrivilegeEscalation: false"),
        "{fixed_root}"
    );
    assert!(!fixed_root.contains("runAsNonRoot"), "{fixed_root}");
    let fixed_windows = std::fs::read_to_string(dir.path().join("windows.yaml")).unwrap();
    assert!(
        fixed_windows.contains("runAsNonRoot: true"),
        "{fixed_windows}"
    );
    for text in [&fixed_root, &fixed_windows] {
        assert_eq!(refused(text), Vec::<String>::new(), "{text}");
    }
    // The re-scan agrees: what was fixed is gone, what was refused is still reported.
    let (_, json) = scan_json(dir.path(), &["--pss-version", "v1.24", "."]);
    let found: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = f["location"]["path"].as_str().unwrap();
            (
                path.trim_start_matches("./").to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |path: &str, rule: &str| found.contains(&(path.to_string(), rule.to_string()));
    for gone in ["PSS003", "PSS014", "POD001"] {
        assert!(!has("root.yaml", gone), "{gone}: {found:?}");
    }
    assert!(has("root.yaml", "PSS015"), "{found:?}");
    for kept in ["PSS014", "PSS017", "PSS018"] {
        assert!(has("windows.yaml", kept), "{kept}: {found:?}");
    }
    assert!(!has("windows.yaml", "PSS015"), "{found:?}");
}

#[test]
fn diff_applies_with_git_and_matches_fix() {
    let dir = dir_with(&[
        ("repo/deploy/web.yaml", DEPLOYMENT.as_bytes()),
        ("copy/deploy/web.yaml", DEPLOYMENT.as_bytes()),
    ]);
    let repo = dir.path().join("repo");
    let git = |args: &[&str], cwd: &std::path::Path| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .current_dir(cwd)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"], &repo);
    git(&["add", "."], &repo);
    git(&["commit", "-qm", "manifests"], &repo);
    let expected = {
        let copy = dir.path().join("copy");
        let r =
            run(palisade()
                .current_dir(&copy)
                .args(["fix", "--unsafe-fixes", "deploy/web.yaml"]));
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        std::fs::read_to_string(copy.join("deploy/web.yaml")).unwrap()
    };
    // From the root with a relative path, from the root with an absolute one (written
    // relative to the working directory), from a subdirectory as `./web.yaml`, and from it
    // through `..` (Git refuses `..` in a patch: the name is taken from the directory).
    let absolute = repo.join("deploy/web.yaml").display().to_string();
    let runs: [(&std::path::Path, &str); 4] = [
        (&repo, "deploy/web.yaml"),
        (&repo, &absolute),
        (&repo.join("deploy"), "./web.yaml"),
        (&repo.join("deploy"), "../deploy/web.yaml"),
    ];
    for (cwd, path) in runs {
        let r = run(palisade()
            .current_dir(cwd)
            .args(["fix", "--diff", "--unsafe-fixes", path]));
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stdout.starts_with("--- a/") && !r.stdout.starts_with("--- a/./"),
            "{}",
            r.stdout
        );
        std::fs::write(cwd.join("fix.patch"), &r.stdout).unwrap();
        git(&["apply", "fix.patch"], cwd);
        std::fs::remove_file(cwd.join("fix.patch")).unwrap();
        assert_eq!(
            std::fs::read_to_string(repo.join("deploy/web.yaml")).unwrap(),
            expected,
            "{path} from {}",
            cwd.display()
        );
        let (_, json) = scan_json(&repo, &["deploy/web.yaml"]);
        for id in FIXED_RULES {
            assert!(
                !rules_of(&json).contains(&id.to_string()),
                "{id} after git apply"
            );
        }
        git(&["checkout", "-q", "--", "."], &repo);
    }
}

#[test]
fn fix_reads_standard_input_and_writes_the_fixed_yaml() {
    let dir = dir_with(&[("web.yaml", DEPLOYMENT.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--unsafe-fixes", "web.yaml"]));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let expected = std::fs::read_to_string(dir.path().join("web.yaml")).unwrap();
    let r = run(palisade()
        .args(["fix", "--unsafe-fixes", "-"])
        .write_stdin(DEPLOYMENT));
    assert_eq!(r.stdout, expected, "{}", r.stderr);
    assert!(r.stderr.contains("fixed 12 findings;"), "{}", r.stderr);
    assert_eq!(r.code, 1, "findings remain: {}", r.stderr);
    // Without the flag the text comes back as it was, with the count of what was left out.
    let r = run(palisade().args(["fix", "-"]).write_stdin(DEPLOYMENT));
    assert_eq!(r.stdout, DEPLOYMENT);
    assert!(
        r.stderr.contains("12 unsafe fixes were not applied"),
        "{}",
        r.stderr
    );
    // `--diff -` previews.
    let r = run(palisade()
        .args(["fix", "--diff", "--unsafe-fixes", "-"])
        .write_stdin(DEPLOYMENT));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stdout.starts_with("--- a/-\n+++ b/-\n@@"), "{}", r.stdout);
    // A clean input comes back unchanged, exit 0.
    let clean =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: x}\ndata: {a: b}\n";
    let r = run(palisade().args(["fix", "-"]).write_stdin(clean));
    assert_eq!((r.code, r.stdout.as_str()), (0, clean), "{}", r.stderr);
}

#[test]
fn cross_object_fixes_reach_objects_without_a_namespace() {
    // RBAC030 names the namespace `kubectl apply` would use; the manifest names none.
    let deployment = DEPLOYMENT.replace("  namespace: shop   # owned by team-web\n", "");
    let dir = dir_with(&[("web.yaml", deployment.as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args([
        "fix",
        "--unsafe-fixes",
        "--select",
        "RBAC030",
        "web.yaml",
    ]));
    assert!(r.stdout.contains("web.yaml: 1 fixed"), "{}", r.stdout);
    let text = std::fs::read_to_string(dir.path().join("web.yaml")).unwrap();
    assert!(
        text.contains("      automountServiceAccountToken: false\n"),
        "{text}"
    );
}

#[test]
fn rules_say_which_fixes_are_unsafe() {
    let r = run(palisade().args(["rules"]));
    let header: Vec<&str> = r
        .stdout
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(header[4], "FIX", "{header:?}");
    let fix_of = |id: &str| common::rules_table_cell(&r.stdout, id, 4);
    assert_eq!(fix_of("PSS003"), "unsafe");
    assert_eq!(fix_of("PSS002"), "-");
    let pod001 = common::rule_entry("POD001");
    assert_eq!(
        (pod001["fixable"].as_bool(), pod001["fix"].as_str()),
        (Some(true), Some("unsafe"))
    );
    assert!(
        pod001["fix_risk"].as_str().unwrap().contains("read-only"),
        "{pod001:#}"
    );
    assert_eq!(common::rule_entry("PSS002")["fix"], serde_json::Value::Null);
    // The rule's page says which kind its fix is and what it may break.
    let r = run(palisade().args(["rule", "POD001"]));
    assert!(
        r.stdout.contains("- Fix: unsafe: applied by `palisade fix --unsafe-fixes` only, since an application that writes outside its volumes"),
        "{}",
        r.stdout
    );
}
