//! Timing helpers shared by the benchmarks.

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
