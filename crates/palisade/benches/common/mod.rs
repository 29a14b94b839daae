//! Timing helpers shared by the benchmarks.
// Each benchmark uses some of these helpers.
#![allow(dead_code, unused_imports)]

use std::time::{Duration, Instant};

/// Repetitions: `PALISADE_BENCH_RUNS`, else `default`.
pub fn runs(default: usize) -> usize {
    std::env::var("PALISADE_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(default)
}

/// The best time of `runs` calls of `f`, and the last value it returned.
pub fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut value = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        value = Some(v);
    }
    (best, value.expect("at least one run"))
}

// The end-to-end tests' helpers (the test CA and serving certificate), one copy for both.
#[path = "../../tests/common/mod.rs"]
mod tests_common;

pub use tests_common::certificates;

/// The peak resident memory of process `pid` (`VmHWM`), in MiB; 0 when it cannot be read.
pub fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}
