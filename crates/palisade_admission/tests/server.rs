//! The webhook server end to end over TLS with a real client: verdicts, probes, metrics,
//! HTTP errors, the deadline, certificate rotation under traffic and graceful shutdown.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Ca, ca, deployment, hardened, leaf, privileged, review_of};
use palisade_admission::server::install_ring;
use palisade_admission::{Bound, Namespaces, ServerOptions};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client(cas: &[&Ca], pooled: bool) -> reqwest::Client {
    install_ring();
    let mut roots = rustls::RootCertStore::empty();
    for ca in cas {
        roots.add(ca.der.clone().into()).unwrap();
    }
    let tls = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut builder = reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(10));
    if !pooled {
        builder = builder.pool_max_idle_per_host(0);
    }
    builder.build().unwrap()
}

struct Running {
    base: String,
    metrics_base: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    cert: PathBuf,
    key: PathBuf,
    _dir: tempfile::TempDir,
}

impl Running {
    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the server stops")
            .unwrap();
    }
}

async fn start(ca: &Ca, tweak: impl FnOnce(&mut ServerOptions)) -> Running {
    start_with(ca, None, tweak).await
}

/// A server with `config` as its palisade.toml.
async fn start_with(
    ca: &Ca,
    config: Option<&str>,
    tweak: impl FnOnce(&mut ServerOptions),
) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let (cert_pem, key_pem, _) = leaf(ca);
    let cert = dir.path().join("tls.crt");
    let key = dir.path().join("tls.key");
    std::fs::write(&cert, cert_pem).unwrap();
    std::fs::write(&key, key_pem).unwrap();
    let mut opts = ServerOptions::new(cert.clone(), key.clone());
    opts.listen = "127.0.0.1:0".parse().unwrap();
    opts.reload_interval = Duration::from_millis(50);
    tweak(&mut opts);
    let reviewer = Arc::new(common::reviewer(config));
    let namespaces = Arc::new(Namespaces::new(
        reviewer.admission().defaults,
        reviewer.default_version(),
    ));
    let bound = Bound::new(opts, reviewer, namespaces).await.unwrap();
    let port = bound.local_addr().unwrap().port();
    let metrics_base = bound.metrics_addr().map(|a| format!("http://{a}"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        bound
            .run(async move {
                let _ = rx.await;
            })
            .await
            .unwrap();
    });
    Running {
        base: format!("https://localhost:{port}"),
        metrics_base,
        stop: Some(tx),
        task,
        cert,
        key,
        _dir: dir,
    }
}

async fn metrics_of(client: &reqwest::Client, base: &str) -> String {
    let r = client.get(format!("{base}/metrics")).send().await.unwrap();
    r.text().await.unwrap()
}

/// Every line is in the metrics text.
fn assert_lines(metrics: &str, lines: &[&str]) {
    for line in lines {
        assert!(metrics.contains(line), "{line} missing from:\n{metrics}");
    }
}

async fn post(client: &reqwest::Client, base: &str, body: String) -> reqwest::Response {
    client
        .post(format!("{base}/validate"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_reviews_over_tls_with_probes_and_metrics() {
    let ca = ca();
    let server = start(&ca, |_| {}).await;
    let client = client(&[&ca], true);
    let ok = post(
        &client,
        &server.base,
        review_of("CREATE", &deployment(hardened())).to_string(),
    )
    .await;
    assert_eq!(ok.status(), 200);
    let ok: Value = ok.json().await.unwrap();
    assert_eq!(ok["response"]["allowed"], true);
    let denied = post(
        &client,
        &server.base,
        review_of("CREATE", &deployment(privileged())).to_string(),
    )
    .await;
    assert_eq!(denied.status(), 200);
    let denied: Value = denied.json().await.unwrap();
    assert_eq!(denied["response"]["allowed"], false);
    assert_eq!(denied["kind"], "AdmissionReview");
    assert_eq!(denied["apiVersion"], "admission.k8s.io/v1");

    for (path, status) in [("/healthz", 200), ("/readyz", 200)] {
        let r = client
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path}");
    }
    let metrics = metrics_of(&client, &server.base).await;
    assert_lines(
        &metrics,
        &[
            "palisade_admission_requests_total{decision=\"denied\",kind=\"Deployment\",namespace=\"shop\",operation=\"CREATE\",dry_run=\"false\"} 1",
            "palisade_admission_requests_total{decision=\"allowed\",kind=\"Deployment\",namespace=\"shop\",operation=\"CREATE\",dry_run=\"false\"} 1",
            "palisade_admission_rule_hits_total{rule=\"PSS003\",mode=\"enforce\"} 1",
            "palisade_admission_request_duration_seconds_count{decision=\"denied\"} 1",
        ],
    );
    // The request's content never reaches the metrics.
    assert!(!metrics.contains("nginx") && !metrics.contains("registry.example.com"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespace_levels_exemptions_and_dry_runs_over_tls() {
    let ca = ca();
    let labels = tempfile::tempdir().unwrap();
    let file = labels.path().join("namespaces.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: List\nitems:\n- kind: Namespace\n  metadata:\n    name: warned\n    labels: {palisade.dev/enforce: privileged, palisade.dev/warn: pss-restricted}\n- kind: Namespace\n  metadata:\n    name: audited\n    labels: {palisade.dev/enforce: privileged, palisade.dev/audit: pss-baseline}\n",
    )
    .unwrap();
    let server = start_with(
        &ca,
        Some("[admission]\nexempt-usernames = [\"ci-bot\"]\n"),
        |o| o.namespace_labels = Some(file.clone()),
    )
    .await;
    let client = client(&[&ca], true);
    let send = |object: Value, tweak: fn(&mut Value)| {
        let mut review = review_of("CREATE", &object);
        tweak(&mut review);
        let (client, base) = (client.clone(), server.base.clone());
        async move {
            let r = post(&client, &base, review.to_string()).await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()["response"].clone()
        }
    };
    let in_ns = |ns: &str| {
        let mut d = deployment(privileged());
        d["metadata"]["namespace"] = Value::from(ns);
        d
    };
    let warned = send(in_ns("warned"), |_| {}).await;
    assert_eq!(warned["allowed"], true);
    assert!(
        warned["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("PSS003"),
        "{warned}"
    );
    let audited = send(in_ns("audited"), |_| {}).await;
    assert_eq!(audited["allowed"], true);
    assert!(
        audited["auditAnnotations"]["audit-violations"]
            .as_str()
            .unwrap()
            .contains("PSS003"),
        "{audited}"
    );
    let dry = send(in_ns("shop"), |r| {
        r["request"]["dryRun"] = Value::Bool(true)
    })
    .await;
    assert_eq!(dry["allowed"], false);
    let exempt = send(in_ns("shop"), |r| {
        r["request"]["userInfo"]["username"] = Value::from("ci-bot")
    })
    .await;
    assert_eq!(exempt["allowed"], true);
    assert_eq!(exempt["auditAnnotations"]["exempt"], "user ci-bot");
    let metrics = metrics_of(&client, &server.base).await;
    assert_lines(
        &metrics,
        &[
            "palisade_admission_requests_total{decision=\"flagged\",kind=\"Deployment\",namespace=\"warned\",operation=\"CREATE\",dry_run=\"false\"} 1",
            "palisade_admission_requests_total{decision=\"denied\",kind=\"Deployment\",namespace=\"shop\",operation=\"CREATE\",dry_run=\"true\"} 1",
            "palisade_admission_rule_hits_total{rule=\"PSS003\",mode=\"warn\"} 1",
            "palisade_admission_rule_hits_total{rule=\"PSS003\",mode=\"audit\"} 1",
        ],
    );
    // The labels file is read again when it changes.
    std::fs::write(
        &file,
        "kind: Namespace\nmetadata:\n  name: warned\n  labels: {palisade.dev/enforce: pss-baseline}\n",
    )
    .unwrap();
    let mut denied = false;
    for _ in 0..100 {
        if send(in_ns("warned"), |_| {}).await["allowed"] == false {
            denied = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(denied, "the new labels were never applied");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_have_their_own_plain_port() {
    let ca = ca();
    let server = start(&ca, |o| {
        o.metrics_listen = Some("127.0.0.1:0".parse().unwrap())
    })
    .await;
    let tls = client(&[&ca], true);
    let r = post(
        &tls,
        &server.base,
        review_of("CREATE", &deployment(hardened())).to_string(),
    )
    .await;
    assert_eq!(r.status(), 200);
    let plain = reqwest::Client::new();
    let base = server.metrics_base.clone().unwrap();
    let text = plain
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("# TYPE palisade_admission_requests counter"),
        "{text}"
    );
    assert!(
        text.contains("palisade_admission_requests_total{decision=\"allowed\""),
        "{text}"
    );
    assert_eq!(
        plain
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Not on the webhook's port then.
    let r = tls
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_http_errors() {
    let ca = ca();
    let server = start(&ca, |o| o.max_body = 64 * 1024).await;
    let client = client(&[&ca], true);

    let r = post(&client, &server.base, "{\"apiVersion\": ".to_string()).await;
    assert_eq!(r.status(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .starts_with("not an AdmissionReview")
    );

    let r = client
        .post(format!("{}/validate", server.base))
        .header("content-type", "text/plain")
        .body(review_of("CREATE", &deployment(hardened())).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);

    // Too large, declared: answered from the headers...
    let mut tls = raw_tls(&ca, &server.base).await;
    tls.write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        .await
        .unwrap();
    let text = read_answer(&mut tls).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("over 65536 bytes"), "{text}");
    // ...and sent in chunks without a length: cut off at the limit.
    let mut tls = raw_tls(&ca, &server.base).await;
    let mut request = b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..70 {
        request.extend_from_slice(b"400\r\n");
        request.extend_from_slice(&[b' '; 1024]);
        request.extend_from_slice(b"\r\n");
    }
    // The server may stop reading once it has answered.
    let _ = tls.write_all(&request).await;
    let _ = tls.flush().await;
    let text = read_answer(&mut tls).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");

    let r = client
        .get(format!("{}/validate", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 405);

    let metrics = metrics_of(&client, &server.base).await;
    assert_lines(
        &metrics,
        &[
            "palisade_admission_errors_total{reason=\"bad_request\"} 1",
            "palisade_admission_errors_total{reason=\"media_type\"} 1",
            "palisade_admission_errors_total{reason=\"too_large\"} 2",
        ],
    );
    server.stop().await;
}

/// A raw TLS connection to the server.
async fn raw_tls(ca: &Ca, base: &str) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    install_ring();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.der.clone().into()).unwrap();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    connector
        .connect("localhost".try_into().unwrap(), tcp)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_meets_the_deadline() {
    let ca = ca();
    let server = start(&ca, |o| o.timeout = Duration::from_millis(300)).await;
    let mut tls = raw_tls(&ca, &server.base).await;
    tls.write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"apiVersion\": ")
        .await
        .unwrap();
    tls.flush().await.unwrap();
    let started = std::time::Instant::now();
    let mut answer = vec![0u8; 512];
    let n = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut answer))
        .await
        .expect("the server answers a stalled body")
        .unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(3));

    // Headers that never end are cut off too.
    let mut tls = raw_tls(&ca, &server.base).await;
    tls.write_all(b"POST /validate HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    tls.flush().await.unwrap();
    let mut buf = vec![0u8; 512];
    let closed = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf)).await;
    assert!(
        closed.is_ok(),
        "the connection is closed or answered after the deadline"
    );
    server.stop().await;
}

/// What the server sends back before closing or within a second.
async fn read_answer(tls: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>) -> String {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), tls.read(&mut buf))
        .await
        .expect("an answer")
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Write a file in place, as a configuration tool would (not atomically).
fn rewrite(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_certificate_is_served_without_a_failed_request() {
    let old_ca = ca();
    let new_ca = ca();
    let server = start(&old_ca, |_| {}).await;
    let both = Arc::new((
        client(&[&old_ca, &new_ca], true),
        client(&[&old_ca, &new_ca], false),
    ));
    let failures = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let body = review_of("CREATE", &deployment(privileged())).to_string();
    let mut traffic = Vec::new();
    for i in 0..4 {
        let (both, failures, done, stop, body, base) = (
            both.clone(),
            failures.clone(),
            done.clone(),
            stop.clone(),
            body.clone(),
            server.base.clone(),
        );
        traffic.push(tokio::spawn(async move {
            // Half the clients keep their connection, half connect (and handshake) each time.
            let client = if i % 2 == 0 { &both.0 } else { &both.1 };
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .post(format!("{base}/validate"))
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 200 => {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (cert, key, new_der) = leaf(&new_ca);
    // The certificate first, the key later: the mismatched pair in between is refused and
    // the old one kept.
    rewrite(&server.cert, &cert);
    tokio::time::sleep(Duration::from_millis(120)).await;
    rewrite(&server.key, &key);
    // A client that trusts only the new CA gets through once the reload happened.
    let fresh = client(&[&new_ca], false);
    let mut served_new = false;
    for _ in 0..100 {
        if let Ok(r) = fresh.get(format!("{}/healthz", server.base)).send().await
            && r.status() == 200
        {
            served_new = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for t in traffic {
        t.await.unwrap();
    }
    assert!(served_new, "the new certificate was never served");
    assert!(!new_der.is_empty());
    assert_eq!(failures.load(Ordering::Relaxed), 0);
    assert!(
        done.load(Ordering::Relaxed) > 50,
        "{} requests",
        done.load(Ordering::Relaxed)
    );
    let metrics = metrics_of(&both.0, &server.base).await;
    assert!(
        metrics.contains("palisade_admission_certificate_reloads_total{result=\"success\"} 1"),
        "{metrics}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_request_in_flight() {
    let ca = ca();
    let server = start(&ca, |o| o.timeout = Duration::from_secs(5)).await;
    // A request whose body arrives slowly is in flight when the shutdown starts.
    let mut tls = raw_tls(&ca, &server.base).await;
    let body = review_of("CREATE", &deployment(privileged())).to_string();
    let (head, tail) = body.split_at(body.len() / 2);
    tls.write_all(
        format!(
            "POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{head}",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    tls.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let Running {
        stop, task, base, ..
    } = server;
    stop.unwrap().send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // New connections are refused while the old one finishes.
    let refused = client(&[&ca], false)
        .get(format!("{base}/healthz"))
        .send()
        .await;
    assert!(
        refused.is_err(),
        "accepted a connection after shutdown began"
    );
    tls.write_all(tail.as_bytes()).await.unwrap();
    tls.flush().await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), tls.read_to_end(&mut answer))
        .await
        .expect("the request in flight is answered")
        .ok();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"allowed\":false"), "{text}");
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the server stops")
        .unwrap();
}
