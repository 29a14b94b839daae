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
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--diff", "web.yaml"]));
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
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", "--diff", "web.yaml"]));
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
    let r = run(palisade().current_dir(dir.path()).args(["fix", "web.yaml"]));
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
    let r = run(palisade().current_dir(dir.path()).args(["fix", "web.yaml"]));
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
        &["--fix", "--select", "PSS003,PSS014", "web.yaml"],
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
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--select", "PSS003", "."]));
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
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--select", "PSS003", "pod.json"]));
    assert!(
        r.stdout.contains("JSON files are not rewritten"),
        "{}",
        r.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pod.json")).unwrap(),
        json
    );
    // Standard input cannot be rewritten: a usage error, not a silent no-op.
    for args in [&["fix", "-"][..], &["scan", "--fix", "-"]] {
        let r = run(palisade().args(args).write_stdin(suppressed));
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("standard input is not one"),
            "{}",
            r.stderr
        );
    }
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
    for args in [&["fix", "--diff", "."][..], &["scan", "--diff", "."]] {
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
        assert!(
            r.stdout.starts_with(
                "--- a/./x\\nerror: injected.yaml\n+++ b/./x\\nerror: injected.yaml\n"
            ),
            "{}",
            r.stdout
        );
    }
    // The file itself is rewritten with its values intact.
    let r = run(palisade().current_dir(dir.path()).args(["fix", "."]));
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
