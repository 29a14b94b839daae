//! `palisade audit scan` end to end: logs in every form the API server writes them, alerts as
//! text and JSON lines, exit codes, and nothing secret in the output.

mod common;

use common::{dir_with, palisade, run};
use serde_json::Value;

/// A day in a small cluster: controller reads, a Secret read by a person, a shell in a pod
/// (with a token on its command line), a privileged pod, a ConfigMap with a password, and a
/// request that is no event at all.
fn log() -> String {
    let lines = [
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","verb":"list","requestURI":"/api/v1/pods","user":{"username":"system:kube-scheduler"},"objectRef":{"resource":"pods","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"2026-12-05T10:00:00.000000Z"}"#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a2","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/shop/secrets/db","user":{"username":"kubernetes-admin","groups":["system:masters"]},"sourceIPs":["203.0.113.9"],"userAgent":"kubectl/v1.35.0","objectRef":{"resource":"secrets","namespace":"shop","name":"db","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"2026-12-05T10:00:01.000000Z"}"#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a3","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/shop/pods/web-0/exec?command=curl&command=-H&command=Authorization%3A%20Bearer%20eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl&container=web","user":{"username":"kubernetes-admin"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"shop","name":"web-0","apiVersion":"v1"},"responseStatus":{"code":101},"stageTimestamp":"2026-12-05T10:00:02.000000Z"}"#,
        "this is not an event",
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a4","stage":"ResponseComplete","verb":"create","requestURI":"/api/v1/namespaces/shop/pods","user":{"username":"kubernetes-admin"},"objectRef":{"resource":"pods","namespace":"shop","name":"debug","apiVersion":"v1"},"responseStatus":{"code":201},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug","namespace":"shop"},"spec":{"containers":[{"name":"sh","image":"busybox:1.36","securityContext":{"privileged":true}}]}},"stageTimestamp":"2026-12-05T10:00:03.000000Z"}"#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"a5","stage":"ResponseComplete","verb":"create","requestURI":"/api/v1/namespaces/shop/configmaps","user":{"username":"kubernetes-admin"},"objectRef":{"resource":"configmaps","namespace":"shop","name":"app","apiVersion":"v1"},"responseStatus":{"code":201},"requestObject":{"kind":"ConfigMap","metadata":{"name":"app"},"data":{"DB_PASSWORD":"correct-horse-battery-staple"}},"stageTimestamp":"2026-12-05T10:00:04.000000Z"}"#,
    ];
    lines.join("\n") + "\n"
}

#[test]
fn alerts_come_one_per_line_with_the_event_and_where_it_was_read() {
    let dir = dir_with(&[("audit.log", log().as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "audit.log",
        "--no-config",
        "--format",
        "json",
    ]));
    assert_eq!(
        r.code, 2,
        "a malformed line is an input error: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("error: audit.log:4: not an audit event"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("Read 5 events from 1 source (1 malformed line): 5 alerts"),
        "{}",
        r.stderr
    );
    let alerts: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let rules: Vec<&str> = alerts.iter().map(|a| a["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        [
            "AUDIT-D18",
            "AUDIT-D11",
            "AUDIT-D03",
            "AUDIT-D09",
            "AUDIT-D27"
        ]
    );
    let secret = &alerts[0];
    assert_eq!(secret["severity"], "high");
    assert_eq!(secret["subject"]["auditID"], "a2");
    assert_eq!(secret["subject"]["object"]["kind"], "secrets");
    assert_eq!(secret["event"]["sourceIPs"][0], "203.0.113.9");
    assert_eq!(secret["event"]["userAgent"], "kubectl/v1.35.0");
    assert_eq!(secret["source"]["path"], "audit.log");
    assert_eq!(secret["source"]["line"], 2);
    assert_eq!(alerts[2]["source"]["line"], 5);
    assert!(
        alerts[2]["message"]
            .as_str()
            .unwrap()
            .contains("container \"sh\" sets securityContext.privileged to true"),
        "{}",
        alerts[2]
    );
    // The bearer token on the command line and the ConfigMap's value are never shown.
    assert!(!r.stdout.contains("eyJhbGciOiJSUzI1NiJ9"), "{}", r.stdout);
    assert!(!r.stdout.contains("correct-horse"), "{}", r.stdout);
    assert!(r.stdout.contains("keys DB_PASSWORD"));
}

#[test]
fn text_output_gzip_files_and_standard_input_read_alike() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(log().as_bytes()).unwrap();
    let dir = dir_with(&[("audit.log.1.gz", &gz.finish().unwrap())]);
    let text = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "audit.log.1.gz",
        "--no-config",
    ]));
    assert_eq!(text.code, 2);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines.len(), 6, "{}", text.stdout);
    assert!(lines[0].starts_with("2026-12-05T10:00:01.000000Z high     AUDIT-D18 user \"kubernetes-admin\" read secrets shop/db [audit.log.1.gz:2]"), "{}", lines[0]);
    assert_eq!(
        lines[1],
        "2026-12-05T10:00:02.000000Z low      AUDIT-D11 user \"kubernetes-admin\" ran exec in pod shop/web-0, container \"web\", command \"curl -H Authorization: ****\" [audit.log.1.gz:3]"
    );
    assert_eq!(
        lines[5],
        "Read 5 events from 1 source (1 malformed line): 5 alerts (1 high, 2 medium, 1 low, 1 info)."
    );

    // Only the clean lines, from standard input, with a threshold: exit 1 for alerts.
    let clean: String = log()
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| format!("{l}\n"))
        .collect();
    let stdin = run(palisade()
        .args([
            "audit",
            "scan",
            "-",
            "--no-config",
            "--select",
            "secret-read",
            "--fail-on",
            "high",
        ])
        .write_stdin(clean.clone()));
    assert_eq!(stdin.code, 1, "{}", stdin.stderr);
    assert!(
        stdin
            .stdout
            .contains("Read 5 events from 1 source: 1 alert (1 high)."),
        "{}",
        stdin.stdout
    );
    let quiet = run(palisade()
        .args(["audit", "scan", "-", "--no-config", "--fail-on", "critical"])
        .write_stdin(clean));
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
}

#[test]
fn allow_lists_come_from_the_configuration() {
    let dir = dir_with(&[
        ("audit.log", log().as_bytes()),
        (
            "palisade.toml",
            b"[rule-options]\naudit-privileged-images = [\"busybox\"]\n",
        ),
    ]);
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "audit.log",
        "--format",
        "json",
    ]));
    assert!(!r.stdout.contains("AUDIT-D03"), "{}", r.stdout);
    assert!(r.stdout.contains("AUDIT-D18"));
    // A missing file is an input error, and the others are still read.
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "missing.log",
        "audit.log",
        "--format",
        "json",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error: missing.log: "), "{}", r.stderr);
    assert!(r.stdout.contains("AUDIT-D18"));
}
