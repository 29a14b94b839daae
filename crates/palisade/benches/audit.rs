//! Audit detections end to end, on a generated log with a realistic mix: 90% reads by
//! controllers and nodes (Metadata level, no bodies), Secret reads by kubelets and people,
//! exec sessions (both stages), RBAC changes and pod creates with their request bodies, a
//! tenth of them privileged.
//! - `palisade audit scan` over the log with every detection: events/s per core (events over
//!   the CPU time the process used), wall time and peak RSS, at two log sizes to show that
//!   memory does not grow with the log;
//! - `palisade audit serve` on loopback over TLS, driven by concurrent clients posting
//!   EventList batches of 400 (the API server's default batch size) as fast as they go:
//!   events/s, batch latency p50/p99/p99.9, 429s, and the server's peak RSS.
//!
//! Run with `cargo bench -p palisade --bench audit`. `PALISADE_BENCH_AUDIT_MB` sets the
//! large log's size (default 1024), `PALISADE_BENCH_SECONDS` the webhook phase (default 10).
//! Target on two cores: at least 200,000 events/s per core with all detections.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod common;

const BATCH: usize = 400;
const CONNECTIONS: usize = 8;

/// A small deterministic generator (xorshift), so that every run reads the same log.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const CONTROLLERS: [&str; 6] = [
    "system:kube-controller-manager",
    "system:kube-scheduler",
    "system:serviceaccount:kube-system:replicaset-controller",
    "system:serviceaccount:kube-system:endpointslice-controller",
    "system:serviceaccount:kube-system:generic-garbage-collector",
    "system:apiserver",
];

const RESOURCES: [(&str, &str, &str); 6] = [
    ("", "v1", "pods"),
    ("", "v1", "configmaps"),
    ("", "v1", "endpoints"),
    ("coordination.k8s.io", "v1", "leases"),
    ("apps", "v1", "replicasets"),
    ("discovery.k8s.io", "v1", "endpointslices"),
];

/// One event of the mix, as one JSON line.
fn event(rng: &mut Rng, i: u64, out: &mut String) {
    use std::fmt::Write as _;
    let second = i / 2_000;
    let ts = format!(
        "2026-12-05T{:02}:{:02}:{:02}.{:06}Z",
        (second / 3600) % 24,
        (second / 60) % 60,
        second % 60,
        i % 1_000_000
    );
    let ns = ["shop", "billing", "web", "data", "ci"][rng.below(5) as usize];
    let roll = rng.below(100);
    out.clear();
    let common = |out: &mut String,
                  stage: &str,
                  verb: &str,
                  uri: &str,
                  user: &str,
                  groups: &str| {
        let _ = write!(
            out,
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{:016x}-{i}","stage":"{stage}","requestURI":"{uri}","verb":"{verb}","user":{{"username":"{user}","groups":[{groups}]}},"sourceIPs":["10.0.{}.{}"],"userAgent":"kube-controller-manager/v1.35.0 (linux/amd64) kubernetes/abcdef0/system:serviceaccount:kube-system:replicaset-controller","#,
            i.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            (i >> 8) % 256,
            i % 256
        );
    };
    if roll < 90 {
        let user = CONTROLLERS[rng.below(CONTROLLERS.len() as u64) as usize];
        let (group, version, resource) = RESOURCES[rng.below(RESOURCES.len() as u64) as usize];
        let verb = ["get", "list", "watch", "get", "list"][rng.below(5) as usize];
        let prefix = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let name = format!("{resource}-{}", rng.below(500));
        let uri = format!("{prefix}/namespaces/{ns}/{resource}/{name}");
        common(
            out,
            "ResponseComplete",
            verb,
            &uri,
            user,
            r#""system:authenticated""#,
        );
        let _ = write!(
            out,
            r#""objectRef":{{"resource":"{resource}","namespace":"{ns}","name":"{name}","apiGroup":"{group}","apiVersion":"{version}"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":"RBAC: allowed by ClusterRoleBinding \"system:controller:replicaset-controller\""}}}}"#
        );
    } else if roll < 94 {
        let user = if rng.below(10) == 0 {
            "alice".to_string()
        } else {
            format!("system:node:ip-10-0-{}-{}", rng.below(4), rng.below(250))
        };
        let name = format!("db-{}", rng.below(50));
        common(
            out,
            "ResponseComplete",
            "get",
            &format!("/api/v1/namespaces/{ns}/secrets/{name}"),
            &user,
            r#""system:nodes""#,
        );
        let _ = write!(
            out,
            r#""objectRef":{{"resource":"secrets","namespace":"{ns}","name":"{name}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":200}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#
        );
    } else if roll < 96 {
        let stage = if rng.below(2) == 0 {
            "ResponseStarted"
        } else {
            "ResponseComplete"
        };
        let pod = format!("web-5d9c8-{}", rng.below(1000));
        common(
            out,
            stage,
            "create",
            &format!(
                "/api/v1/namespaces/{ns}/pods/{pod}/exec?command=sh&container=web&stdin=true&tty=true"
            ),
            "bob",
            r#""devs","system:authenticated""#,
        );
        let _ = write!(
            out,
            r#""objectRef":{{"resource":"pods","subresource":"exec","namespace":"{ns}","name":"{pod}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":101}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#
        );
    } else if roll < 98 {
        let role = ["view", "edit", "admin", "pod-reader"][rng.below(4) as usize];
        let name = format!("grant-{}", rng.below(1000));
        common(
            out,
            "ResponseComplete",
            "create",
            &format!("/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings"),
            "carol",
            r#""ops","system:authenticated""#,
        );
        let _ = write!(
            out,
            r#""objectRef":{{"resource":"rolebindings","namespace":"{ns}","name":"{name}","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":201}},"requestObject":{{"kind":"RoleBinding","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{{"name":"{name}","namespace":"{ns}"}},"roleRef":{{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{role}"}},"subjects":[{{"kind":"ServiceAccount","name":"ci","namespace":"{ns}"}}]}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#
        );
    } else {
        let privileged = rng.below(10) == 0;
        let name = format!("job-{}", rng.below(100_000));
        common(
            out,
            "ResponseComplete",
            "create",
            &format!("/api/v1/namespaces/{ns}/pods"),
            "system:serviceaccount:ci:deployer",
            r#""system:serviceaccounts","system:authenticated""#,
        );
        let _ = write!(
            out,
            r#""objectRef":{{"resource":"pods","namespace":"{ns}","name":"{name}","apiVersion":"v1"}},"responseStatus":{{"metadata":{{}},"code":201}},"requestObject":{{"kind":"Pod","apiVersion":"v1","metadata":{{"name":"{name}","namespace":"{ns}","labels":{{"app":"job"}}}},"spec":{{"serviceAccountName":"ci","containers":[{{"name":"main","image":"registry.example/tools/runner:2.1","args":["--once"],"resources":{{"limits":{{"cpu":"1","memory":"512Mi"}}}},"securityContext":{{"privileged":{privileged},"allowPrivilegeEscalation":{privileged}}}}}],"volumes":[{{"name":"work","emptyDir":{{}}}}]}}}},"requestReceivedTimestamp":"{ts}","stageTimestamp":"{ts}","annotations":{{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":""}}}}"#
        );
    }
}

/// Write a log of about `bytes` to `path`: its events.
fn generate(path: &Path, bytes: u64) -> u64 {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).unwrap());
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut line = String::new();
    let (mut written, mut events) = (0u64, 0u64);
    while written < bytes {
        event(&mut rng, events, &mut line);
        out.write_all(line.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
        written += line.len() as u64 + 1;
        events += 1;
    }
    out.flush().unwrap();
    events
}

/// CPU time and peak RSS of the children waited for so far.
fn children_usage() -> (Duration, f64) {
    let usage =
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    let tv =
        |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    (
        tv(usage.user_time()) + tv(usage.system_time()),
        usage.max_rss() as f64 / 1024.0,
    )
}

fn scan(path: &Path, events: u64) -> (f64, f64) {
    let (cpu_before, _) = children_usage();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "audit",
            "scan",
            "--no-config",
            "--format",
            "json",
            "--fail-on",
            "never",
        ])
        .arg(path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("the palisade binary");
    let wall = started.elapsed();
    let (cpu_after, rss) = children_usage();
    let cpu = cpu_after - cpu_before;
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{summary}");
    assert!(
        summary.contains(&format!("Read {events} events")),
        "every event read: {summary}"
    );
    let size = std::fs::metadata(path).unwrap().len() as f64 / (1 << 20) as f64;
    let per_core = events as f64 / cpu.as_secs_f64();
    println!(
        "  {size:.0} MiB, {events} events: {:.2} s wall, {:.2} s CPU, {:.0} events/s per core, {:.0} MiB/s, peak RSS {rss:.1} MiB",
        wall.as_secs_f64(),
        cpu.as_secs_f64(),
        per_core,
        size / wall.as_secs_f64(),
    );
    println!("    {}", summary.trim());
    (per_core, rss)
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn webhook(log: &Path, duration: Duration) {
    let dir = tempfile::tempdir().unwrap();
    let ca = common::certificates(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .current_dir(dir.path())
        .args([
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
            "--fail-on",
            "never",
        ])
        .env("PALISADE_LOG", "info")
        .stdout(Stdio::null())
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
    // Batches of the log's first events, as the API server would post them.
    let lines: Vec<String> = BufReader::new(std::fs::File::open(log).unwrap())
        .lines()
        .take(BATCH * 64)
        .map(Result::unwrap)
        .collect();
    let batches: Arc<Vec<Vec<u8>>> = Arc::new(
        lines
            .chunks(BATCH)
            .map(|chunk| {
                format!(
                    r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{}]}}"#,
                    chunk.join(",")
                )
                .into_bytes()
            })
            .collect(),
    );
    palisade_admission::server::install_ring();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = format!("https://localhost:{port}/audit");
    let throttled = Arc::new(AtomicUsize::new(0));
    let (latencies, elapsed) = runtime.block_on(async {
        let mut tasks = Vec::new();
        let started = tokio::time::Instant::now();
        for c in 0..CONNECTIONS {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(ca.clone().into()).unwrap();
            let tls = rustls::ClientConfig::builder()
                .with_root_certificates(roots)
                .with_no_client_auth();
            let client = reqwest::Client::builder()
                .use_preconfigured_tls(tls)
                .http1_only()
                .build()
                .unwrap();
            let (url, batches, throttled) = (url.clone(), batches.clone(), throttled.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut k = c;
                while started.elapsed() < duration {
                    let body = batches[k % batches.len()].clone();
                    k += CONNECTIONS;
                    let sent = tokio::time::Instant::now();
                    let status = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await
                        .map(|r| r.status().as_u16())
                        .unwrap_or(0);
                    match status {
                        200 => latencies.push(sent.elapsed()),
                        429 => {
                            throttled.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                        other => panic!("the backend answered {other}"),
                    }
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        (all, started.elapsed())
    });
    let mut latencies = latencies;
    latencies.sort();
    let events = latencies.len() * BATCH;
    let rss = common::peak_rss_mib(child.id());
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stderr, &mut rest);
    let _ = child.wait();
    let judged = rest
        .lines()
        .find(|l| l.starts_with("Read "))
        .unwrap_or("")
        .to_string();
    println!(
        "  {CONNECTIONS} clients, batches of {BATCH}: {} batches accepted in {:.1} s, {:.0} events/s, {} answered 429, batch latency p50 {:.2} ms, p99 {:.2} ms, p99.9 {:.2} ms; peak RSS {rss:.1} MiB",
        latencies.len(),
        elapsed.as_secs_f64(),
        events as f64 / elapsed.as_secs_f64(),
        throttled.load(Ordering::Relaxed),
        quantile(&latencies, 0.5).as_secs_f64() * 1e3,
        quantile(&latencies, 0.99).as_secs_f64() * 1e3,
        quantile(&latencies, 0.999).as_secs_f64() * 1e3,
    );
    println!("    server: {judged}");
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too (unoptimised), so
    // it only checks that every phase works then, on a small log.
    let bench = std::env::args().any(|a| a == "--bench");
    let large_mb: u64 = if bench {
        std::env::var("PALISADE_BENCH_AUDIT_MB")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1024)
    } else {
        2
    };
    let seconds: u64 = std::env::var("PALISADE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("audit-bench");
    std::fs::create_dir_all(&dir).unwrap();
    println!("palisade audit scan, every detection, JSON alerts:");
    let small = dir.join("audit-small.log");
    let small_events = generate(&small, (large_mb / 8).max(1) << 20);
    let (_, small_rss) = scan(&small, small_events);
    let large = dir.join("audit-large.log");
    let large_events = generate(&large, large_mb << 20);
    let (per_core, large_rss) = scan(&large, large_events);
    println!(
        "  peak RSS {small_rss:.1} MiB at 1/8 of the log, {large_rss:.1} MiB at the whole: {}",
        if large_rss < small_rss * 1.5 + 8.0 {
            "flat"
        } else {
            "GROWS with the log"
        }
    );
    if bench {
        println!(
            "  target ≥ 200,000 events/s per core: {}",
            if per_core >= 200_000.0 {
                "met"
            } else {
                "NOT met"
            }
        );
    }
    println!("palisade audit serve over TLS on loopback:");
    webhook(
        &small,
        if bench {
            Duration::from_secs(seconds)
        } else {
            Duration::from_millis(500)
        },
    );
    let _ = std::fs::remove_file(&large);
    let _ = std::fs::remove_file(&small);
}
