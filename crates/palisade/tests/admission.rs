//! `palisade admission`: one review offline, the deployment manifests and Helm chart under
//! our own scan, and the server's shutdown on SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{certificates, dir_with, palisade, run, tool};
use serde_json::{Value, json};

fn review(object: Value) -> String {
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "0b1e6f0a-1111-4000-8000-000000000001",
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "shop", "name": "web", "operation": "CREATE",
            "userInfo": {"username": "alice"}, "object": object}})
    .to_string()
}

fn pod(privileged: bool) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
            "securityContext": {"privileged": privileged}}]}})
}

#[test]
fn review_prints_the_response_and_exits_by_the_verdict() {
    let dir = dir_with(&[
        ("denied.json", review(pod(true)).as_bytes()),
        ("bad.json", b"{\"apiVersion\": \"admission.k8s.io/v1\""),
        (
            "ns.yaml",
            b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    palisade.dev/enforce: privileged\n    palisade.dev/warn: pss-baseline\n",
        ),
    ]);
    let r = run(palisade().current_dir(dir.path()).args([
        "admission",
        "review",
        "denied.json",
        "--no-config",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["response"]["allowed"], false);
    assert_eq!(
        out["response"]["uid"],
        "0b1e6f0a-1111-4000-8000-000000000001"
    );
    assert!(
        out["response"]["status"]["message"]
            .as_str()
            .unwrap()
            .contains("PSS003 privileged-container /spec/containers/0/securityContext/privileged")
    );

    // From standard input, with the namespace's labels: warned, not denied.
    let r = run(palisade()
        .current_dir(dir.path())
        .args([
            "admission",
            "review",
            "-",
            "--no-config",
            "--namespace-labels",
            "ns.yaml",
        ])
        .write_stdin(review(pod(true))));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(out["response"]["allowed"], true);
    assert!(
        out["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("PSS003")
    );

    let r = run(palisade().current_dir(dir.path()).args([
        "admission",
        "review",
        "bad.json",
        "--no-config",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("bad.json: not an AdmissionReview"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
}

/// `palisade scan -` of a YAML stream: (exit code, JSON report).
fn scan_stream(yaml: &str) -> (i32, Value) {
    let r = run(palisade()
        .args([
            "scan",
            "-",
            "--no-config",
            "--format",
            "json",
            "--show-suppressed",
        ])
        .write_stdin(yaml.to_string()));
    let json = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", r.stdout, r.stderr));
    (r.code, json)
}

fn unsuppressed(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] != true)
        .map(|f| format!("{} {}", f["rule"], f["message"]))
        .collect()
}

fn suppressed_rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suppressed"] == true)
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

fn manifests(args: &[&str]) -> String {
    let r = run(palisade().args(["admission", "manifests"]).args(args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

const DIGEST: &str = "sha256:4bcd9f0e3a1c5b7d9e2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b";

#[test]
fn the_manifests_pass_our_own_scan() {
    let (code, report) = scan_stream(&manifests(&[]));
    assert_eq!(unsuppressed(&report), Vec::<String>::new());
    assert_eq!(code, 0);
    // The one suppression says, in the manifests, how to remove it.
    assert_eq!(suppressed_rules(&report), ["IMG002"]);

    let dir = dir_with(&[(
        "ca.crt",
        b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )]);
    let ca = dir.path().join("ca.crt");
    let image = format!("ghcr.io/palisade-dev/palisade:0.1.0@{DIGEST}");
    let yaml = manifests(&[
        "--ca-file",
        ca.to_str().unwrap(),
        "--image",
        &image,
        "--namespace",
        "guard",
        "--replicas",
        "3",
    ]);
    let (code, report) = scan_stream(&yaml);
    assert_eq!(unsuppressed(&report), Vec::<String>::new());
    assert_eq!(suppressed_rules(&report), Vec::<String>::new());
    assert_eq!(code, 0);
    assert!(yaml.contains("caBundle: LS0tLS1CRUdJTi"), "{yaml}");
    assert!(!yaml.contains("cert-manager.io"));
    assert!(yaml.contains("replicas: 3"));
    assert!(yaml.contains("values: [\"kube-system\", \"guard\"]"));

    let r = run(palisade().args(["admission", "manifests", "--ca-file", "/nonexistent/ca.crt"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot read /nonexistent/ca.crt"),
        "{}",
        r.stderr
    );
}

fn chart() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/helm/palisade")
}

fn helm_template(extra: &[&str]) -> String {
    let out = StdCommand::new(tool("helm"))
        .args(["template", "palisade"])
        .arg(chart())
        .args(["--namespace", "palisade-system"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The documents of a YAML stream as JSON values.
fn documents(yaml: &str) -> Vec<Value> {
    serde_saphyr::from_multiple::<Value>(yaml)
        .unwrap()
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

fn kinds(docs: &[Value]) -> Vec<String> {
    let mut kinds: Vec<String> = docs
        .iter()
        .map(|d| d["kind"].as_str().unwrap().to_string())
        .collect();
    kinds.sort();
    kinds
}

fn webhook_of(docs: &[Value]) -> Value {
    docs.iter()
        .find(|d| d["kind"] == "ValidatingWebhookConfiguration")
        .unwrap()["webhooks"][0]
        .clone()
}

#[test]
fn the_helm_chart_passes_our_own_scan_and_matches_the_manifests() {
    // Rendered by the real helm, as `palisade scan` renders charts.
    let r = run(palisade()
        .env("PALISADE_HELM", tool("helm"))
        .args([
            "scan",
            "--no-config",
            "--format",
            "json",
            "--show-suppressed",
        ])
        .arg(chart()));
    let report: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(unsuppressed(&report), Vec::<String>::new(), "{}", r.stderr);
    assert_eq!(suppressed_rules(&report), ["IMG002"]);
    assert_eq!(r.code, 0);

    let pinned = helm_template(&[
        "--set",
        &format!("image.digest={DIGEST}"),
        "--set",
        "webhook.caBundle=LS0tLS1CRUdJTg==",
        "--set-string",
        "config=fail-on = \"high\"",
    ]);
    let (code, report) = scan_stream(&pinned);
    assert_eq!(unsuppressed(&report), Vec::<String>::new());
    assert_eq!(suppressed_rules(&report), Vec::<String>::new());
    assert_eq!(code, 0);
    assert!(pinned.contains("--config=/etc/palisade/palisade.toml"));

    // The same objects and webhook as `palisade admission manifests`, less the Namespace
    // (a chart is installed into one).
    let chart_docs = documents(&helm_template(&[]));
    let manifest_docs = documents(&manifests(&[]));
    let mut expected = kinds(&manifest_docs);
    expected.retain(|k| k != "Namespace");
    assert_eq!(kinds(&chart_docs), expected);
    let (a, b) = (webhook_of(&chart_docs), webhook_of(&manifest_docs));
    for key in [
        "rules",
        "namespaceSelector",
        "failurePolicy",
        "matchPolicy",
        "sideEffects",
        "timeoutSeconds",
        "admissionReviewVersions",
        "clientConfig",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
    let container = |docs: &[Value]| {
        docs.iter().find(|d| d["kind"] == "Deployment").unwrap()["spec"]["template"]["spec"]
            ["containers"][0]
            .clone()
    };
    let (a, b) = (container(&chart_docs), container(&manifest_docs));
    for key in [
        "args",
        "securityContext",
        "ports",
        "readinessProbe",
        "livenessProbe",
        "resources",
    ] {
        assert_eq!(a[key], b[key], "{key}");
    }
}

#[test]
fn the_helm_chart_ships_policies_and_extra_webhook_rules() {
    let policy = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../palisade_policy/tests/suites/vap-replica-limit/policy.yaml");
    let rendered = helm_template(&[
        "--set-file",
        &format!("policies.replica-limit\\.yaml={}", policy.display()),
        "--set",
        "webhook.extraRules[0].apiGroups[0]=autoscaling",
        "--set",
        "webhook.extraRules[0].resources[0]=horizontalpodautoscalers",
    ]);
    let docs = documents(&rendered);
    let map = docs
        .iter()
        .find(|d| {
            d["kind"] == "ConfigMap" && d["metadata"]["name"] == "palisade-admission-policies"
        })
        .expect("the policies' ConfigMap");
    assert!(
        map["data"]["replica-limit.yaml"]
            .as_str()
            .unwrap()
            .contains("kind: ValidatingAdmissionPolicy")
    );
    let deployment = docs.iter().find(|d| d["kind"] == "Deployment").unwrap();
    let args = &deployment["spec"]["template"]["spec"]["containers"][0]["args"];
    assert!(
        args.as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--policy=/etc/palisade/policies"),
        "{args}"
    );
    let rules = webhook_of(&docs)["rules"].clone();
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["resources"][0] == "horizontalpodautoscalers"),
        "{rules}"
    );
    // What it deploys passes Palisade's own scan.
    let (code, report) = scan_stream(&rendered);
    assert_eq!(unsuppressed(&report), Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn serve_finishes_the_request_in_flight_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let ca = certificates(dir.path());
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_palisade"))
        .current_dir(dir.path())
        .args([
            "admission",
            "serve",
            "--no-config",
            "--tls-cert-file",
            "tls.crt",
            "--tls-key-file",
            "tls.key",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("NO_COLOR", "1")
        .env("PALISADE_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let port = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "server exited: {log}"
        );
        log.push_str(&line);
        if let Some(rest) = line.split("listen=").nth(1) {
            let addr = rest.split_whitespace().next().unwrap();
            break addr.rsplit(':').next().unwrap().parse::<u16>().unwrap();
        }
    };

    // A request whose body is half sent when SIGTERM arrives.
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.into()).unwrap();
    palisade_admission::server::install_ring();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let conn =
        rustls::ClientConnection::new(Arc::new(config), "localhost".try_into().unwrap()).unwrap();
    let tcp = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let body = review(pod(true));
    let (head, tail) = body.split_at(body.len() / 2);
    write!(
        tls,
        "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
        body.len()
    )
    .unwrap();
    tls.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let killed = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    tls.write_all(tail.as_bytes()).unwrap();
    tls.flush().unwrap();
    let mut answer = String::new();
    let _ = tls.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"allowed\":false"), "{answer}");

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the server did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    log.push_str(&rest);
    assert!(status.success(), "{status:?}: {log}");
    assert!(log.contains("shutting down"), "{log}");
    // Decisions are logged without the request's content.
    assert!(
        log.contains("decision=\"denied\"") || log.contains("decision=denied"),
        "{log}"
    );
    assert!(!log.contains("nginx"), "{log}");
}
