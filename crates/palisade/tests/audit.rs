//! `palisade audit` end to end: logs in every form the API server writes them, a followed log
//! through rotation, the webhook backend over TLS, alerts as text, JSON lines and OCSF, the
//! alert webhook, exit codes, and nothing secret in the output.

mod common;

use std::io::{BufRead, Read, Write};
use std::time::Duration;

use common::{
    certificates, dir_with, lines_of, listen_port, palisade, run, spawn_until, terminate,
};
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

/// A Secret read by a person, as one JSON line.
fn secret_read(id: &str) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/shop/secrets/db","user":{{"username":"alice"}},"objectRef":{{"resource":"secrets","namespace":"shop","name":"db","apiVersion":"v1"}},"responseStatus":{{"code":200}},"stageTimestamp":"2026-12-05T10:00:00.000000Z"}}"#
    )
}

fn append(path: &std::path::Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn next_alert(lines: &std::sync::mpsc::Receiver<String>) -> Value {
    let line = lines
        .recv_timeout(Duration::from_secs(20))
        .expect("an alert within 20 s");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn follow_alerts_on_appended_events_through_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    append(&log, &format!("{}\n", secret_read("before")));
    let (mut child, _, mut stderr) = spawn_until(
        dir.path(),
        &[
            "audit",
            "follow",
            "audit.log",
            "--no-config",
            "--format",
            "json",
            "--select",
            "secret-read",
            "--poll-interval",
            "20ms",
        ],
        "following",
    );
    let lines = lines_of(child.stdout.take().unwrap());
    append(&log, &format!("{}\nnot an event\n", secret_read("e1")));
    let first = next_alert(&lines);
    assert_eq!(
        first["subject"]["auditID"], "e1",
        "what was there before is not read"
    );
    assert_eq!(first["source"]["line"], 2);
    // The log backend rotates: the old file is renamed, a new one started.
    append(&log, &format!("{}\n", secret_read("e2")));
    std::fs::rename(&log, dir.path().join("audit-2026-12-05T10-00-00.log")).unwrap();
    append(&log, &format!("{}\n", secret_read("e3")));
    let second = next_alert(&lines);
    let third = next_alert(&lines);
    assert_eq!(
        (&second["subject"]["auditID"], &second["source"]["line"]),
        (&Value::from("e2"), &Value::from(4))
    );
    assert_eq!(
        (&third["subject"]["auditID"], &third["source"]["line"]),
        (&Value::from("e3"), &Value::from(1))
    );
    let status = terminate(&mut child);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{status:?}: {rest}");
    assert!(
        rest.contains("error: audit.log:3: not an audit event"),
        "{rest}"
    );
    assert!(
        rest.contains("Read 3 events from 1 source (1 malformed line): 3 alerts (3 high)."),
        "{rest}"
    );
}

/// An HTTPS client that trusts the test CA.
fn client(ca: &[u8]) -> reqwest::Client {
    palisade_admission::server::install_ring();
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_der(ca).unwrap())
        .build()
        .unwrap()
}

#[test]
fn serve_receives_event_lists_over_tls_and_alerts_as_they_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let ca = certificates(dir.path());
    let (mut child, log, mut stderr) = spawn_until(
        dir.path(),
        &[
            "audit",
            "serve",
            "--no-config",
            "--tls-cert-file",
            "tls.crt",
            "--tls-key-file",
            "tls.key",
            "--listen",
            "127.0.0.1:0",
            "--format",
            "json",
            "--max-body-bytes",
            "100000",
        ],
        "ready",
    );
    let port = listen_port(&log);
    let lines = lines_of(child.stdout.take().unwrap());
    let base = format!("https://localhost:{port}");
    let events: Vec<String> = log_events();
    let batch = format!(
        r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{}]}}"#,
        events.join(",")
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let http = client(&ca);
    let post = |body: String| {
        runtime.block_on(async {
            let r = http
                .post(format!("{base}/audit"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        })
    };
    assert_eq!(post(batch).0, 200);
    assert_eq!(post("not json".into()).0, 400);
    assert_eq!(post("x".repeat(200_000)).0, 413);
    let alerts: Vec<Value> = (0..5).map(|_| next_alert(&lines)).collect();
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
    assert_eq!(alerts[0]["source"]["path"], "webhook");
    assert!(
        !alerts
            .iter()
            .any(|a| a.to_string().contains("correct-horse"))
    );
    let metrics = runtime.block_on(async {
        http.get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    for line in [
        "palisade_audit_received_events_total 5",
        "palisade_audit_events_total 5",
        "palisade_audit_batches_total{result=\"accepted\"} 1",
        "palisade_audit_batches_total{result=\"bad_request\"} 1",
        "palisade_audit_batches_total{result=\"too_large\"} 1",
        "palisade_audit_alerts_total{rule=\"AUDIT-D18\",severity=\"high\"} 1",
        "palisade_audit_malformed_total 1",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    let status = terminate(&mut child);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{status:?}: {rest}");
    assert!(
        rest.contains("Read 5 events from 1 source: 5 alerts"),
        "{rest}"
    );
}

/// The well-formed events of [`log`].
fn log_events() -> Vec<String> {
    log()
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(str::to_string)
        .collect()
}

#[test]
fn webhook_config_points_the_api_server_at_the_backend() {
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "webhook-config",
        "--server",
        "https://palisade-audit.palisade.svc:8444/audit",
        "--ca",
        "ca.crt",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let config: Value = serde_saphyr::from_str(&r.stdout).unwrap();
    assert_eq!(config["kind"], "Config");
    let cluster = &config["clusters"][0]["cluster"];
    assert_eq!(
        cluster["server"],
        "https://palisade-audit.palisade.svc:8444/audit"
    );
    let ca = data_encoding::BASE64
        .decode(
            cluster["certificate-authority-data"]
                .as_str()
                .unwrap()
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(ca, std::fs::read(dir.path().join("ca.crt")).unwrap());
    assert_eq!(config["current-context"], "palisade-audit");
    // Plain http is refused: the API server posts audit events only over TLS.
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "webhook-config",
        "--server",
        "http://palisade-audit:8444/audit",
        "--ca",
        "ca.crt",
    ]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("only over https"), "{}", r.stderr);
}

#[test]
fn ocsf_output_is_one_detection_finding_per_line() {
    let dir = dir_with(&[("audit.log", log_events().join("\n").as_bytes())]);
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "audit.log",
        "--no-config",
        "--format",
        "ocsf",
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let findings: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(findings.len(), 5);
    let secret = &findings[0];
    assert_eq!(secret["class_uid"], 2004);
    assert_eq!(secret["type_uid"], 200401);
    assert_eq!(secret["severity_id"], 4);
    assert_eq!(secret["finding_info"]["analytic"]["uid"], "AUDIT-D18");
    assert_eq!(
        secret["finding_info"]["attacks"][0]["technique"]["uid"],
        "T1552.007"
    );
    assert_eq!(secret["evidences"][0]["src_endpoint"]["ip"], "203.0.113.9");
    assert_eq!(secret["evidences"][0]["api"]["operation"], "get");
    assert_eq!(secret["time"], 1_796_464_801_000i64);
    assert!(!r.stdout.contains("correct-horse"));
}

/// A plain-HTTP receiver on loopback that answers the first `failures` requests with 503 and
/// the rest with 200: the bodies it received.
fn receiver(failures: usize) -> (u16, std::sync::mpsc::Receiver<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { break };
            let mut reader = std::io::BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let status = if i < failures {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let _ = write!(
                reader.get_mut(),
                "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let _ = tx.send(String::from_utf8(body).unwrap());
        }
    });
    (port, rx)
}

#[test]
fn alerts_go_to_the_alert_webhook_with_retries() {
    let dir = dir_with(&[("audit.log", log_events().join("\n").as_bytes())]);
    let (port, bodies) = receiver(1);
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "audit.log",
        "--no-config",
        "--select",
        "secret-read",
        "--alert-webhook",
        &format!("http://127.0.0.1:{port}/alerts"),
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let first = bodies.recv_timeout(Duration::from_secs(5)).unwrap();
    let retried = bodies.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(first, retried, "the refused delivery is retried");
    let alert: Value = serde_json::from_str(&retried).unwrap();
    assert_eq!(alert["rule"], "AUDIT-D18");
    assert_eq!(alert["subject"]["auditID"], "a2");
    assert!(bodies.recv_timeout(Duration::from_millis(300)).is_err());
    assert!(!r.stdout.contains("not delivered"), "{}", r.stdout);

    // A receiver that is not there: the scan completes and says what was not delivered.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "audit.log",
        "--no-config",
        "--select",
        "secret-read",
        "--alert-webhook",
        &format!("http://127.0.0.1:{port}/alerts"),
    ]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("1 alert not delivered to the alert webhook."),
        "{}",
        r.stdout
    );
}

/// The cluster the context events come from: a privileged Deployment, a user who may read
/// every Secret, and a ClusterRole that lets its holder create pods.
const CLUSTER: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example/web:1.4
          securityContext: {privileged: true}
      volumes: [{name: host, hostPath: {path: /}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: secret-reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-secrets}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: secret-reader}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: pod-admin}
rules: [{apiGroups: [""], resources: [pods], verbs: [create, delete]}]
"#;

fn context_events() -> String {
    [
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x1","stage":"ResponseStarted","verb":"create","requestURI":"/api/v1/namespaces/shop/pods/web-5d9c8-x7k2p/exec?command=sh","user":{"username":"bob"},"objectRef":{"resource":"pods","subresource":"exec","namespace":"shop","name":"web-5d9c8-x7k2p","apiVersion":"v1"},"responseStatus":{"code":101},"stageTimestamp":"2026-12-05T10:00:00.000000Z"}"#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x2","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/kube-system/secrets/admin","user":{"username":"alice","groups":["devs"]},"objectRef":{"resource":"secrets","namespace":"kube-system","name":"admin","apiVersion":"v1"},"responseStatus":{"code":200},"stageTimestamp":"2026-12-05T10:00:01.000000Z"}"#,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Request","auditID":"x3","stage":"ResponseComplete","verb":"create","requestURI":"/apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings","user":{"username":"carol"},"objectRef":{"resource":"rolebindings","namespace":"shop","name":"ci","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"},"responseStatus":{"code":201},"requestObject":{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"ci","namespace":"shop"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"pod-admin"},"subjects":[{"kind":"ServiceAccount","name":"ci","namespace":"shop"}]},"stageTimestamp":"2026-12-05T10:00:02.000000Z"}"#,
    ]
    .join("\n")
        + "\n"
}

#[test]
fn context_says_what_the_identity_can_do_and_what_the_object_is() {
    let dir = dir_with(&[
        ("audit.log", context_events().as_bytes()),
        ("cluster/all.yaml", CLUSTER.as_bytes()),
    ]);
    let scan = |extra: &[&str]| -> Vec<Value> {
        let r = run(palisade()
            .current_dir(dir.path())
            .args([
                "audit",
                "scan",
                "audit.log",
                "--no-config",
                "--format",
                "json",
                "--select",
                "exec-into-pod,secret-read,dangerous-binding",
            ])
            .args(extra));
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(!r.stderr.contains("warning"), "{}", r.stderr);
        r.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let bare = scan(&[]);
    let rules = |alerts: &[Value]| -> Vec<String> {
        alerts
            .iter()
            .map(|a| {
                format!(
                    "{}:{}",
                    a["rule"].as_str().unwrap(),
                    a["severity"].as_str().unwrap()
                )
            })
            .collect()
    };
    assert_eq!(rules(&bare), ["AUDIT-D11:low", "AUDIT-D18:high"]);
    assert!(bare.iter().all(|a| a.get("context").is_none()));

    let enriched = scan(&["--context", "cluster"]);
    assert_eq!(
        rules(&enriched),
        ["AUDIT-D11:medium", "AUDIT-D18:critical", "AUDIT-D42:medium"],
        "raised by what the posture says, and the custom role is known"
    );
    let exec = &enriched[0]["context"];
    assert_eq!(exec["object"], "Deployment/shop/web");
    assert_eq!(exec["raisedFrom"], "low");
    let exec_findings: Vec<&str> = exec["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(exec_findings.contains(&"PSS003"), "{exec}");
    assert!(
        exec["raisedBecause"][0]
            .as_str()
            .unwrap()
            .starts_with("Deployment/shop/web has critical findings"),
        "{exec}"
    );
    let secret = &enriched[1]["context"];
    assert_eq!(
        secret["powers"][0],
        "can read Secret values cluster-wide (via ClusterRoleBinding/alice-secrets -> ClusterRole/secret-reader)"
    );
    assert_eq!(secret["raisedFrom"], "high");
    let binding = &enriched[2];
    assert!(
        binding["message"]
            .as_str()
            .unwrap()
            .contains("ClusterRole pod-admin"),
        "{binding}"
    );

    // The text form says the same in a second line.
    let r = run(palisade().current_dir(dir.path()).args([
        "audit",
        "scan",
        "audit.log",
        "--no-config",
        "--select",
        "secret-read",
        "--context",
        "cluster",
    ]));
    assert!(
        r.stdout.contains(
            "    context: raised from high: the identity can read Secret values cluster-wide"
        ),
        "{}",
        r.stdout
    );
}
