//! Admission at the gate. Four realistic AdmissionReviews (a compliant Deployment, a
//! violating Deployment, a Pod, a cluster-scoped ClusterRoleBinding) against the full
//! built-in catalog:
//! - in process: review JSON in, response JSON out, no HTTP; p50/p99/p99.9 per review;
//! - over TLS: the real `palisade admission serve` on loopback, driven with keep-alive
//!   connections from concurrent clients at a fixed rate (a request made late by the answer
//!   before it counts from its scheduled time, so a stalled server cannot hide its queue),
//!   then as fast as the clients go; throughput, errors, p50/p99/p99.9 and the server's
//!   peak RSS.
//!
//! Run with `cargo bench -p palisade --bench admission`. Targets on two cores: in-process p99
//! under 200 µs; at 2,000 requests/s p99 under 5 ms with no error; RSS under 100 MiB.
//! `PALISADE_BENCH_SECONDS` sets the length of the fixed-rate phase (default 10),
//! `PALISADE_BENCH_LOG` the server's log filter (default `info`).
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use palisade_admission::{Namespaces, Reviewer};
use serde_json::{Value, json};

const RATE: u64 = 2_000;
const CONNECTIONS: u64 = 32;

fn review(object: Value, kind: (&str, &str, &str), resource: &str) -> Vec<u8> {
    let mut request = json!({
        "uid": "6d8e2f0a-2222-4000-8000-000000000001",
        "kind": {"group": kind.0, "version": kind.1, "kind": kind.2},
        "resource": {"group": kind.0, "version": kind.1, "resource": resource},
        "name": object["metadata"]["name"],
        "operation": "CREATE",
        "userInfo": {"username": "system:serviceaccount:ci:deployer",
                     "groups": ["system:serviceaccounts", "system:authenticated"]},
        "object": object,
        "dryRun": false,
    });
    if let Some(ns) = object["metadata"]["namespace"].as_str() {
        request["namespace"] = json!(ns);
    }
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request})
        .to_string()
        .into_bytes()
}

fn container(security: Value) -> Value {
    json!({
        "name": "web",
        "image": "registry.example.com/shop/web:2.4.1@sha256:4bcd9f0e3a1c5b7d9e2f4a6c8e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b",
        "imagePullPolicy": "Always",
        "args": ["--listen=:8080", "--log-format=json"],
        "ports": [{"name": "http", "containerPort": 8080}],
        "env": [{"name": "DB_HOST", "value": "db.shop.svc"},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}, "periodSeconds": 10},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "securityContext": security,
    })
}

fn deployment(security: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "shop-web"},
            "annotations": {"deployment.kubernetes.io/revision": "7"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "shop-web"}},
                "spec": {
                    "serviceAccountName": "web",
                    "automountServiceAccountToken": false,
                    "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001,
                        "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [container(security)],
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
                }
            }
        }
    })
}

fn reviews() -> Vec<(&'static str, Vec<u8>)> {
    let hardened = json!({"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
        "runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}});
    let violating =
        json!({"privileged": true, "capabilities": {"add": ["SYS_ADMIN", "NET_ADMIN"]}});
    let mut pod_spec = deployment(hardened.clone())["spec"]["template"]["spec"].clone();
    pod_spec["hostNetwork"] = json!(true);
    let pod = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web-7d4b9c-x2x9q", "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "web"}},
        "spec": pod_spec});
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "ci-deployer"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
        "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]});
    vec![
        (
            "compliant Deployment",
            review(
                deployment(hardened),
                ("apps", "v1", "Deployment"),
                "deployments",
            ),
        ),
        (
            "violating Deployment",
            review(
                deployment(violating),
                ("apps", "v1", "Deployment"),
                "deployments",
            ),
        ),
        ("Pod (hostNetwork)", review(pod, ("", "v1", "Pod"), "pods")),
        (
            "ClusterRoleBinding",
            review(
                binding,
                ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"),
                "clusterrolebindings",
            ),
        ),
    ]
}

/// The value at quantile `q` of sorted durations.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn in_process(reviews: &[(&str, Vec<u8>)], iterations: usize) {
    let resolved = palisade_config::resolve(&palisade_config::Overrides {
        no_config: true,
        ..Default::default()
    })
    .unwrap();
    let reviewer = Reviewer::new(&resolved).unwrap();
    let namespaces = Namespaces::new(
        resolved.admission.defaults,
        resolved.settings.selection.pss_version,
    );
    let rules = palisade_rules::registry().len();
    println!("in process (review JSON in, response JSON out; {rules} built-in rules, one thread):");
    let mut all = Vec::new();
    for (name, body) in reviews {
        for _ in 0..iterations / 20 {
            let r = reviewer.review_bytes(body, &namespaces).unwrap();
            std::hint::black_box(serde_json::to_vec(&r.response).unwrap());
        }
        let mut times = Vec::with_capacity(iterations);
        for _ in 0..iterations {
            let start = Instant::now();
            let r = reviewer.review_bytes(body, &namespaces).unwrap();
            std::hint::black_box(serde_json::to_vec(&r.response).unwrap());
            times.push(start.elapsed());
        }
        times.sort();
        println!(
            "  {name:<22} {:>5} B  p50 {:>9}  p99 {:>9}  p99.9 {:>9}",
            body.len(),
            micros(quantile(&times, 0.5)),
            micros(quantile(&times, 0.99)),
            micros(quantile(&times, 0.999)),
        );
        all.extend(times);
    }
    all.sort();
    println!(
        "  {:<22}         p50 {:>9}  p99 {:>9}  p99.9 {:>9}",
        "all",
        micros(quantile(&all, 0.5)),
        micros(quantile(&all, 0.99)),
        micros(quantile(&all, 0.999)),
    );
}

struct Load {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
}

/// Drive the server from `CONNECTIONS` keep-alive clients: at `rate` requests/s in total
/// (latency from the scheduled time), or as fast as they go when `rate` is `None`.
/// One client per connection, kept across phases so that handshakes happen in the warm-up.
fn clients(ca: &[u8]) -> Vec<reqwest::Client> {
    (0..CONNECTIONS)
        .map(|_| {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.to_vec().into()).unwrap();
            let tls = rustls::ClientConfig::builder()
                .with_root_certificates(roots)
                .with_no_client_auth();
            reqwest::Client::builder()
                .use_preconfigured_tls(tls)
                .http1_only()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap()
        })
        .collect()
}

async fn drive(
    url: &str,
    clients: &[reqwest::Client],
    bodies: Arc<Vec<Vec<u8>>>,
    rate: Option<u64>,
    duration: Duration,
) -> Load {
    let errors = Arc::new(AtomicUsize::new(0));
    let start = tokio::time::Instant::now() + Duration::from_millis(100);
    let mut tasks = Vec::new();
    for (c, client) in (0..CONNECTIONS).zip(clients.iter().cloned()) {
        let (url, bodies, errors) = (url.to_string(), bodies.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut k: u64 = 0;
            loop {
                let due = match rate {
                    Some(rate) => {
                        start + Duration::from_nanos((k * CONNECTIONS + c) * 1_000_000_000 / rate)
                    }
                    None => tokio::time::Instant::now().max(start),
                };
                if due >= start + duration {
                    break;
                }
                // Latency counts from the scheduled time when the previous answer made this
                // request late (the server's queue), else from when the client woke: the
                // client's timer rounds sleeps up to a millisecond, which is not the server's.
                let from = if tokio::time::Instant::now() < due {
                    tokio::time::sleep_until(due).await;
                    tokio::time::Instant::now()
                } else {
                    due
                };
                let body = bodies[((k + c) % bodies.len() as u64) as usize].clone();
                let r = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let ok = match r {
                    Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                    _ => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(from.elapsed());
                k += 1;
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    latencies.sort();
    Load {
        latencies,
        errors: errors.load(Ordering::Relaxed),
        elapsed: duration,
    }
}

/// How long each phase over TLS runs.
struct Phases {
    warm_up: Duration,
    fixed: Duration,
    max: Duration,
    rate: u64,
}

fn over_tls(reviews: &[(&str, Vec<u8>)], phases: Phases) {
    palisade_admission::server::install_ring();
    let dir = tempfile::tempdir().unwrap();
    let ca = common::certificates(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
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
        .env(
            "PALISADE_LOG",
            std::env::var("PALISADE_BENCH_LOG").unwrap_or_else(|_| "info".into()),
        )
        .stderr(Stdio::piped())
        .spawn()
        .expect("the palisade binary");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let port = loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "the server exited"
        );
        if let Some(rest) = line.split("listen=").nth(1) {
            let addr = rest.split_whitespace().next().unwrap();
            break addr.rsplit(':').next().unwrap().parse::<u16>().unwrap();
        }
    };
    // The server logs each denial; keep reading so that it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    let url = format!("https://localhost:{port}/validate");
    let bodies = Arc::new(reviews.iter().map(|(_, b)| b.clone()).collect::<Vec<_>>());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let report = |title: &str, load: &Load| {
        let n = load.latencies.len();
        println!(
            "  {title}: {n} requests, {:.0} req/s, {} errors, p50 {}, p99 {}, p99.9 {}",
            n as f64 / load.elapsed.as_secs_f64(),
            load.errors,
            millis(quantile(&load.latencies, 0.5)),
            millis(quantile(&load.latencies, 0.99)),
            millis(quantile(&load.latencies, 0.999)),
        );
    };
    println!(
        "over TLS (palisade admission serve on loopback, {CONNECTIONS} keep-alive connections, clients on the same cores):"
    );
    runtime.block_on(async {
        // Open the connections and warm the server.
        let clients = clients(&ca);
        drive(&url, &clients, bodies.clone(), Some(500), phases.warm_up).await;
        let fixed = drive(
            &url,
            &clients,
            bodies.clone(),
            Some(phases.rate),
            phases.fixed,
        )
        .await;
        let title = format!("{} req/s for {} s", phases.rate, phases.fixed.as_secs_f64());
        report(&title, &fixed);
        let max = drive(&url, &clients, bodies.clone(), None, phases.max).await;
        report(
            &format!("as fast as possible for {} s", phases.max.as_secs_f64()),
            &max,
        );
    });
    println!(
        "  server peak RSS: {:.1} MiB",
        common::peak_rss_mib(child.id())
    );
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn main() {
    let reviews = reviews();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too (unoptimised), so
    // it only checks that every phase works then.
    if std::env::args().any(|a| a == "--bench") {
        let seconds: u64 = std::env::var("PALISADE_BENCH_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(10);
        in_process(&reviews, 20_000);
        over_tls(
            &reviews,
            Phases {
                warm_up: Duration::from_secs(2),
                fixed: Duration::from_secs(seconds),
                max: Duration::from_secs(5),
                rate: RATE,
            },
        );
    } else {
        in_process(&reviews, 100);
        over_tls(
            &reviews,
            Phases {
                warm_up: Duration::from_millis(200),
                fixed: Duration::from_millis(500),
                max: Duration::from_millis(500),
                rate: 100,
            },
        );
    }
}
