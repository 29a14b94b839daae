//! Live clusters end to end: a generated cluster of 30,000 workloads (each a Deployment, its
//! ReplicaSet and two Pods, a Service and a ServiceAccount; RBAC and NetworkPolicies besides:
//! about 190,000 objects) served by the fake API server over HTTPS, scanned by the release
//! `palisade cluster scan` through a kubeconfig as a user runs it; then the same cluster
//! written as a snapshot and scanned offline.
//!
//! Prints: objects, the JSON decoding floor (parsing every object's JSON once, on one core),
//! wall time and peak RSS of the live scan, of writing the snapshot and of scanning it, and
//! RSS at a quarter and a half of the size (memory must grow at most linearly).
//!
//! Run with `cargo bench -p palisade --bench cluster`. Targets on two cores: live scan under
//! 10 s and 1 GiB; snapshot scan under 3 s. `PALISADE_BENCH_WORKLOADS` sets the size. Without
//! `--bench` (as `cargo test --benches` runs it) a small cluster checks that every phase works.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use palisade_cluster::testing::{Auth, TestServer, generated_cluster, write_kubeconfig};

/// Wall time and peak RSS of one run of the binary.
struct Measured {
    wall: Duration,
    rss_mib: f64,
    code: i32,
}

/// Run palisade with `args`, sampling its peak RSS (`VmHWM`) until it exits.
fn measure(dir: &Path, args: &[&str]) -> Measured {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .current_dir(dir)
        .args(args)
        .env("HOME", dir)
        .env_remove("KUBECONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("palisade starts");
    let mut rss = 0.0f64;
    let status = loop {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
        if let Some(kib) = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        {
            rss = rss.max(kib / 1024.0);
        }
        if let Some(s) = child.try_wait().expect("the child is waited for") {
            break s;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Measured {
        wall: started.elapsed(),
        rss_mib: rss,
        code: status.code().unwrap_or(-1),
    }
}

/// Parse every object's JSON once on one core: the floor of any scan of them.
fn decode_floor(workloads: usize) -> (usize, Duration) {
    let texts: Vec<String> = generated_cluster_texts(workloads);
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = Instant::now();
    let mut fields = 0usize;
    for text in &texts {
        let v: serde_json::Value = serde_json::from_str(text).expect("generated JSON");
        fields += v.as_object().map_or(0, |o| o.len());
    }
    assert!(fields > 0);
    (bytes, t.elapsed())
}

fn generated_cluster_texts(workloads: usize) -> Vec<String> {
    // The objects as the server sends them, one string each.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let server = TestServer::start(generated_cluster(workloads), Auth::Token).await;
        let kubeconfig = write_kubeconfig(
            &dir.path().join("kubeconfig"),
            &[("bench", &server, Auth::Token)],
        );
        let target = palisade_cluster::Target {
            kubeconfig: Some(kubeconfig),
            context: None,
        };
        let connection = palisade_cluster::connect(&target, Duration::from_secs(60))
            .await
            .expect("the fake cluster answers");
        palisade_cluster::collect(
            &connection,
            &palisade_cluster::CollectOptions::default(),
            &|_| {},
        )
        .await
        .expect("the fake cluster lists")
        .objects
    })
}

fn scenario(workloads: usize, full: bool) {
    let cluster = generated_cluster(workloads);
    let objects = cluster.len();
    let temp = tempfile::tempdir().expect("a temporary directory");
    // `PALISADE_BENCH_DIR` keeps the snapshot and reports, to look at or to time again.
    let kept = std::env::var_os("PALISADE_BENCH_DIR").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime.block_on(TestServer::start(cluster, Auth::Token));
    write_kubeconfig(&dir.join("kubeconfig"), &[("bench", &server, Auth::Token)]);
    println!("cluster of {workloads} workloads: {objects} objects");
    let live = measure(
        dir,
        &[
            "cluster",
            "scan",
            "--kubeconfig",
            "kubeconfig",
            "--no-config",
            "--format",
            "json",
            "-o",
            "live.json",
        ],
    );
    assert!(
        live.code == 0 || live.code == 1,
        "the live scan failed ({})",
        live.code
    );
    println!(
        "  live scan:      {:>7.2} s  {:>7.1} MiB peak RSS  ({:.0} objects/s)",
        live.wall.as_secs_f64(),
        live.rss_mib,
        objects as f64 / live.wall.as_secs_f64()
    );
    let snap = measure(
        dir,
        &[
            "cluster",
            "snapshot",
            "--kubeconfig",
            "kubeconfig",
            "-o",
            "bench.snapshot",
        ],
    );
    assert_eq!(snap.code, 0, "the snapshot failed");
    let size = std::fs::metadata(dir.join("bench.snapshot")).map_or(0, |m| m.len());
    println!(
        "  snapshot write: {:>7.2} s  {:>7.1} MiB peak RSS  ({:.1} MiB compressed)",
        snap.wall.as_secs_f64(),
        snap.rss_mib,
        size as f64 / 1048576.0
    );
    let offline = measure(
        dir,
        &[
            "scan",
            "bench.snapshot",
            "--no-config",
            "--format",
            "json",
            "-o",
            "offline.json",
        ],
    );
    assert!(
        offline.code == 0 || offline.code == 1,
        "the snapshot scan failed"
    );
    println!(
        "  snapshot scan:  {:>7.2} s  {:>7.1} MiB peak RSS  ({:.0} objects/s)",
        offline.wall.as_secs_f64(),
        offline.rss_mib,
        objects as f64 / offline.wall.as_secs_f64()
    );
    if full {
        let (bytes, floor) = decode_floor(workloads);
        println!(
            "  JSON decoding floor: {:.2} s on one core ({:.0} MiB, {:.0} MB/s)",
            floor.as_secs_f64(),
            bytes as f64 / 1048576.0,
            bytes as f64 / 1e6 / floor.as_secs_f64()
        );
    }
    drop(server);
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    if !full {
        scenario(200, false);
        return;
    }
    let workloads: usize = std::env::var("PALISADE_BENCH_WORKLOADS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(30_000);
    for size in [workloads / 4, workloads / 2] {
        scenario(size, false);
    }
    scenario(workloads, true);
}
