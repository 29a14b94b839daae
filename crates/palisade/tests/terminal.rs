//! Hostile names and text end to end: what reaches a terminal is escaped, SARIF URIs are
//! RFC 3986 references, and a file name that is not UTF-8 does not stop `fix`.

mod common;

use common::{dir_with, palisade, run};

/// A privileged pod whose names and values carry terminal controls (as YAML escapes: YAML
/// text cannot hold them raw) and bidi controls (raw, which YAML allows).
const HOSTILE_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"p\\e[2J\\u202Egnp.exe\"\n  namespace: ns\nspec:\n  containers:\n  - name: \"a\\nerror: forged container\"\n    image: \"x\\e]0;pwned\\a\u{202e}y\" # \u{2066}isolated\n    securityContext: {privileged: true}\n";

/// Raw sequences from the input that must never reach the output.
const RAW: &[&str] = &["\u{1b}[2J", "\u{1b}]0;", "\u{202e}", "\u{7}"];

/// A file name that would forge an `error:` line if printed as it is.
const FORGING_NAME: &str = "x\nerror: injected.yaml";

fn assert_no_forgery(what: &str, output: &str) {
    assert!(
        !output.lines().any(|l| l.starts_with("error: injected")
            || l.starts_with("error: forged")
            || l.starts_with("   error: forged")),
        "{what}: a newline in the input forged a line:\n{output}"
    );
    for raw in RAW {
        assert!(
            !output.contains(raw),
            "{what}: {raw:?} reached the output:\n{output}"
        );
    }
}

#[test]
fn text_output_escapes_names_and_values_with_colour_on_or_off() {
    let broken = "apiVersion: v1\nkind: Pod\nmetadata: [\n";
    let dir = dir_with(&[
        (FORGING_NAME, HOSTILE_POD.as_bytes()),
        ("bad\u{1b}[2J.yaml", broken.as_bytes()),
    ]);
    for color in ["never", "always"] {
        let r = run(palisade().current_dir(dir.path()).args([
            "scan",
            ".",
            "--color",
            color,
            "--show-suppressed",
        ]));
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert_no_forgery(color, &r.stdout);
        assert!(
            r.stdout.contains("x\\nerror: injected.yaml"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("bad\\x1b[2J.yaml"), "{}", r.stdout);
        assert!(
            r.stdout.contains("p\\x1b[2J\\u{202e}gnp.exe"),
            "{}",
            r.stdout
        );
        assert!(
            r.stdout.contains("\\u{202e}y\" # \\u{2066}isolated"),
            "{}",
            r.stdout
        );
    }
}

#[test]
fn sarif_uris_of_hostile_names_are_uri_references() {
    let dir = dir_with(&[(FORGING_NAME, HOSTILE_POD.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["scan", ".", "--format", "sarif"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(uri, "x%0Aerror%3A%20injected.yaml");
        assert!(fluent_uri::UriRef::parse(uri).is_ok(), "{uri}");
    }
}

#[test]
fn errors_the_command_prints_itself_are_escaped() {
    let broken = "apiVersion: v1\nkind: Role\nmetadata: [\n";
    let dir = dir_with(&[(FORGING_NAME, broken.as_bytes())]);
    // An input error printed by `rbac`, and one printed by `netpol`.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["rbac", "who-can", "get", "pods", "."]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_no_forgery("rbac", &r.stderr);
    assert!(
        r.stderr.contains("error: ./x\\nerror: injected.yaml"),
        "{}",
        r.stderr
    );
    // `netpol coverage` reports through the scan's text output.
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["netpol", "coverage", "."]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_no_forgery("netpol", &r.stdout);
    assert!(
        r.stdout.contains("error: ./x\\nerror: injected.yaml"),
        "{}",
        r.stdout
    );
    // An error of the command itself, quoting a path from the command line.
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        ".",
        "--baseline",
        "missing\n\u{1b}[2J.json",
    ]));
    assert_eq!(r.code, 2);
    assert_no_forgery("baseline", &r.stderr);
    assert!(r.stderr.contains("missing\\n\\x1b[2J.json"), "{}", r.stderr);
}

#[test]
fn rbac_text_answers_escape_subject_names() {
    let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: \"b\\e[2J\"}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects: [{kind: User, name: \"eve\\u202E\\a\", apiGroup: rbac.authorization.k8s.io}]\n";
    let dir = dir_with(&[("rbac.yaml", binding.as_bytes())]);
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["rbac", "who-can", "delete", "nodes", "."]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_no_forgery("who-can", &r.stdout);
    assert!(r.stdout.contains("eve\\u{202e}\\x07"), "{}", r.stdout);
    assert!(r.stdout.contains("b\\x1b[2J"), "{}", r.stdout);
}

#[cfg(unix)]
#[test]
fn a_file_name_that_is_not_utf8_does_not_stop_the_other_fixes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n  containers:\n  - name: a\n    image: x\n    securityContext:\n      privileged: true\n";
    let fresh = || {
        let dir = dir_with(&[("a.yaml", pod.as_bytes()), ("z.yaml", pod.as_bytes())]);
        let bad = dir.path().join(OsStr::from_bytes(b"m\xff\xfe.yaml"));
        std::fs::write(&bad, pod).unwrap();
        (dir, bad)
    };
    let (dir, bad) = fresh();
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--unsafe-fixes", "."]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let expected = "error: ./m\u{fffd}\u{fffd}.yaml: not fixed: the file name is not valid UTF-8";
    assert!(r.stdout.contains(expected), "{}", r.stdout);
    for good in ["a.yaml", "z.yaml"] {
        let text = std::fs::read_to_string(dir.path().join(good)).unwrap();
        assert!(
            text.contains("privileged: false"),
            "{good} was not fixed:\n{text}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        pod,
        "left as it was"
    );
    // The preview says the same and writes nothing.
    let (dir, _) = fresh();
    let r = run(palisade()
        .current_dir(dir.path())
        .args(["fix", "--diff", "--unsafe-fixes", "."]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("--- a/a.yaml") && r.stdout.contains("--- a/z.yaml"));
    assert!(r.stderr.contains(expected), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.yaml")).unwrap(),
        pod
    );
    // And `scan --fix` reports it as an input error.
    let (dir, _) = fresh();
    let r = run(palisade().current_dir(dir.path()).args([
        "scan",
        "--fix",
        "--unsafe-fixes",
        ".",
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "./m\u{fffd}\u{fffd}.yaml");
}
