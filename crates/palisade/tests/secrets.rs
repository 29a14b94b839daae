//! Secret values never reach any output: every format, suppressed findings, snippets of lines
//! that hold a finding and a secret, duplicate keys, fixes, diffs and the errors of tools.

mod common;

use common::{Run, dir_with, palisade, run, tool};

/// A Secret with a duplicated key, its findings suppressed (shown with `--show-suppressed`).
const SECRET: &str = "apiVersion: v1
kind: Secret
metadata:
  name: creds
  annotations:
    palisade.dev/ignore: \"PAL003, SEC: fixture\"
stringData:
  password: V-secret-dup-1
  password: V-secret-dup-2
";

/// A flow-style container: the finding and the env value on one line, a token in a comment.
/// Then a document whose only finding comes from a cross-object rule (NET011), on a line with
/// a value under a credential-like key.
const FLOW_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: flow
  namespace: shop
spec:
  containers: [{name: a, image: x, env: [{name: MODE, value: V-flow-env}], securityContext: {privileged: true}}] # ghp_V0123456789abcdefghijABCDEFGHIJ01234
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec: {podSelector: {matchLabels: {app: ghost, token: V-inventory-label}}, policyTypes: [Ingress]}
";

/// Minified JSON: the whole object on one line.
const JSON_POD: &str = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"min","namespace":"shop"},"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"MODE","value":"V-json-env"}],"securityContext":{"privileged":true}}]}}
"#;

/// Duplicate keys (PAL003) whose values are secrets: an env value, and ConfigMap data in flow
/// style where both values share the finding's line.
const DUPLICATES: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: dup, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: a
          image: x
          env:
            - name: MODE
              value: V-dup-env-1
              value: V-dup-env-2
          securityContext:
            privileged: true
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: shop}
data: {token: V-dup-cm-1, token: V-dup-cm-2}
";

/// A kustomization whose findings are mapped back to a flow-style line of its resource.
const KUSTOMIZED: &str = "apiVersion: apps/v1
kind: Deployment
metadata: {name: kz, namespace: shop}
spec:
  template:
    spec:
      containers: [{name: a, image: x, env: [{name: MODE, value: V-kustomize-env}], securityContext: {privileged: true}}]
";

/// A chart whose `fail` message quotes a DSN from a values key not named like a secret.
const FAILING_TEMPLATE: &str = "{{ fail (printf \"cannot reach %s\" .Values.database.url) }}\n";

/// Every planted value.
const VALUES: &[&str] = &[
    "V-secret-dup-1",
    "V-secret-dup-2",
    "V-flow-env",
    "V-inventory-label",
    "ghp_V0123456789abcdefghijABCDEFGHIJ01234",
    "V-json-env",
    "V-dup-env-1",
    "V-dup-env-2",
    "V-dup-cm-1",
    "V-dup-cm-2",
    "V-kustomize-env",
    "V-helm-dsn",
];

fn fixture() -> tempfile::TempDir {
    dir_with(&[
        ("manifests/secret.yaml", SECRET.as_bytes()),
        ("manifests/pod.yaml", FLOW_POD.as_bytes()),
        ("manifests/pod.json", JSON_POD.as_bytes()),
        ("manifests/dup.yaml", DUPLICATES.as_bytes()),
        (
            "kustomize/kustomization.yaml",
            b"resources:\n- deploy.yaml\n",
        ),
        ("kustomize/deploy.yaml", KUSTOMIZED.as_bytes()),
        (
            "chart/Chart.yaml",
            b"apiVersion: v2\nname: c\nversion: 1.0.0\n",
        ),
        (
            "chart/values.yaml",
            b"database:\n  url: postgres://user:V-helm-dsn@db/x\n",
        ),
        ("chart/templates/x.yaml", FAILING_TEMPLATE.as_bytes()),
    ])
}

fn palisade_in(dir: &std::path::Path, args: &[&str]) -> Run {
    run(palisade()
        .current_dir(dir)
        .env("PALISADE_HELM", tool("helm"))
        .env("PALISADE_KUBECTL", tool("kubectl"))
        .args(args))
}

fn assert_no_value(what: &str, r: &Run) {
    for value in VALUES {
        assert!(
            !r.stdout.contains(value) && !r.stderr.contains(value),
            "{what} printed {value}:\n{}\n{}",
            r.stdout,
            r.stderr
        );
    }
}

#[test]
fn secret_values_never_reach_report_resources() {
    let dir = fixture();
    for format in ["policyreport", "openreports"] {
        let r = palisade_in(
            dir.path(),
            &["scan", ".", "--format", format, "--show-suppressed"],
        );
        assert_eq!(r.code, 1, "{format}: {}{}", r.stdout, r.stderr);
        assert_no_value(format, &r);
        assert!(r.stdout.contains("PSS003"), "{format}: {}", r.stdout);
    }
}

#[test]
fn secret_values_never_reach_any_output() {
    let dir = fixture();
    for format in ["text", "json", "sarif", "junit"] {
        for show in [false, true] {
            let mut args = vec!["scan", ".", "--format", format];
            if show {
                args.push("--show-suppressed");
            }
            let r = palisade_in(dir.path(), &args);
            let what = format!("{format} (show suppressed: {show})");
            // The chart's error is a warning (`render-errors` is `warn` by default): the
            // exit code comes from the findings.
            assert_eq!(r.code, 1, "{what}: {}{}", r.stdout, r.stderr);
            assert_no_value(&what, &r);
            assert!(r.stdout.contains("PSS003"), "{what}: {}", r.stdout);
            assert!(
                r.stdout.contains("postgres://user:****@db/x"),
                "{what}: the tool error is reported, masked: {}",
                r.stdout
            );
            assert!(r.stdout.contains("PAL003"), "{what}: {}", r.stdout);
            // The Secret's findings are all suppressed: listed only on request.
            assert_eq!(r.stdout.contains("creds"), show, "{what}: {}", r.stdout);
        }
    }
    // The lines that hold both a finding and a secret are shown, masked: the check above is
    // about masking, not about snippets left out.
    let r = palisade_in(dir.path(), &["scan", "."]);
    for line in [
        "7 |   containers: [{name: a, image: x, env: [{name: MODE, value: ****}], securityContext: {privileged: true}}] # ****",
        r#""env":[{"name":"MODE","value":****}],"securityContext":{"privileged":true}}]}}"#,
        "12 | spec: {podSelector: {matchLabels: {app: ghost, token: ****}}, policyTypes: [Ingress]}",
        "13 |               value: ****",
        "20 | data: {token: ****, token: ****}",
        "7 |       containers: [{name: a, image: x, env: [{name: MODE, value: ****}], securityContext: {privileged: true}}]",
    ] {
        assert!(r.stdout.contains(line), "{line}\n{}", r.stdout);
    }
}

#[test]
fn secret_values_never_reach_diffs_or_fix_output() {
    let dir = fixture();
    for args in [
        &["fix", "--diff", "--unsafe-fixes", "."][..],
        &["scan", "--diff", "--unsafe-fixes", "."],
    ] {
        let r = palisade_in(dir.path(), args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_no_value(&format!("{args:?}"), &r);
        // Context lines and both sides of a changed flow-style line are masked.
        assert!(
            r.stdout.contains("\n               value: ****\n"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("\n-  containers: [{name: a, image: x, env: [{name: MODE, value: ****}], securityContext: {privileged: true}}] # ****\n"), "{}", r.stdout);
        assert!(r.stdout.contains("\n+  containers: [{name: a, image: x, env: [{name: MODE, value: ****}], securityContext: {privileged: false"), "{}", r.stdout);
        assert!(
            r.stderr.contains("postgres://user:****@db/x"),
            "{}",
            r.stderr
        );
    }
    for args in [
        &["scan", "--fix", "--unsafe-fixes", ".", "--show-suppressed"][..],
        &["fix", "--unsafe-fixes", "."],
    ] {
        let r = palisade_in(dir.path(), args);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert_no_value(&format!("{args:?}"), &r);
        // The chart's error is still printed, masked, as a warning.
        assert!(
            r.stdout.contains("warning: ") && r.stdout.contains("postgres://user:****@db/x"),
            "{args:?}: {}",
            r.stdout
        );
    }
    // Standard input: the diff masks, and the notes on standard error too. (`fix -` without
    // `--diff` writes the manifest itself back, values included, as it writes files.)
    let r = run(palisade()
        .args(["fix", "--unsafe-fixes", "--diff", "-"])
        .write_stdin(DUPLICATES));
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_no_value("fix --diff -", &r);
    assert!(
        r.stdout.contains("+            privileged: false"),
        "{}",
        r.stdout
    );
    let r = run(palisade()
        .args(["fix", "--unsafe-fixes", "-"])
        .write_stdin(DUPLICATES));
    assert!(!r.stderr.contains("V-dup"), "{}", r.stderr);
    // An error of the command itself, quoting its argument.
    let r = palisade_in(
        dir.path(),
        &["scan", ".", "--baseline", "postgres://user:V-argument@db/x"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("postgres://user:****@db/x"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("V-argument"), "{}", r.stderr);
    // The files keep their values: only output is masked.
    let pod = std::fs::read_to_string(dir.path().join("manifests/pod.yaml")).unwrap();
    assert!(
        pod.contains("V-flow-env") && pod.contains("privileged: false"),
        "{pod}"
    );
}
