//! Peak memory of whole scans of generated worst cases, in every report format: a guard
//! against a scan or a report that holds a multiple of its input (a document built whole in
//! memory, findings copied or doubled). `bench/hostile.sh` measures larger cases.
//!
//! Alone in its test binary on purpose: the kernel reports the peak memory of the largest
//! child a process waited for, so no other test may start children from this process.

use std::path::Path;
use std::process::Command;

use nix::sys::resource::{UsageWho, getrusage};

/// The largest peak resident memory of the children waited for so far, in bytes.
fn children_peak() -> u64 {
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    // Linux reports kibibytes.
    u64::try_from(usage.max_rss()).unwrap_or(0) * 1024
}

fn scan(path: &Path, format: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "scan",
            "--fail-on",
            "never",
            "--no-render",
            "--format",
            format,
            "-o",
        ])
        .arg(out)
        .arg(path)
        .status()
        .expect("run palisade");
    assert!(status.success(), "{format}: {status}");
}

const MIB: u64 = 1024 * 1024;

/// What a scan may use beyond 4 times its input: the findings held in memory before the rest
/// go to a file, sort and merge buffers, each thread's working set and the allocator's slack.
const WORKING_MEMORY: u64 = 16 * MIB;

#[test]
fn peak_memory_follows_the_input_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    // The process on a trivial input: the constant part of the bound.
    let trivial = dir.path().join("trivial.yaml");
    std::fs::write(&trivial, "a: 1\n").unwrap();
    scan(&trivial, "json", &out);
    let constant = children_peak();

    // 50,000 documents with one finding each, and 2,000 Deployments with 14 findings each.
    let pods = dir.path().join("pods.yaml");
    std::fs::write(&pods, "{apiVersion: v1, kind: Pod}\n---\n".repeat(50_000)).unwrap();
    let deployments = dir.path().join("deployments.yaml");
    let deployment = |i: usize| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: ns{}}}\nspec:\n  selector: {{matchLabels: {{app: d{i}}}}}\n  template:\n    metadata: {{labels: {{app: d{i}}}}}\n    spec:\n      hostNetwork: true\n      containers:\n      - name: c\n        image: nginx\n        securityContext: {{privileged: true}}\n---\n",
            i % 50
        )
    };
    std::fs::write(&deployments, (0..2_000).map(deployment).collect::<String>()).unwrap();
    // 300 Pods of 90 one-line containers: 270,000 findings in 0.6 MB, a finding every two
    // bytes, most of which wait in a temporary file.
    let dense = dir.path().join("dense.yaml");
    let containers: String = (0..90)
        .map(|i| format!("{{name: c{i}, image: x}},"))
        .collect();
    let pod = |j: usize| {
        format!(
            "{{apiVersion: v1, kind: Pod, metadata: {{name: p{j}}}, spec: {{containers: [{containers}]}}}}\n---\n"
        )
    };
    std::fs::write(&dense, (0..300).map(pod).collect::<String>()).unwrap();

    let every = ["json", "sarif", "junit", "text", "compact"];
    // The dense input as JSON (SARIF and compact write findings the same way) and JUnit (which
    // groups them by file); text, which takes a minute on it in a debug build, is measured on
    // the other two.
    for (input, formats) in [
        (&pods, &every[..]),
        (&deployments, &every[..]),
        (&dense, &["json", "junit"][..]),
    ] {
        let size = std::fs::metadata(input).unwrap().len();
        for &format in formats {
            scan(input, format, &out);
            let written = std::fs::metadata(&out).unwrap().len();
            let peak = children_peak();
            // The bound of docs/security.md: 4 times the input and a fixed working memory
            // (findings past 65,536 wait in a temporary file; reports are written as they
            // are built). Records in memory alone would be 13 MB for the dense input, and
            // its SARIF report is 400 times its size.
            assert!(
                peak < constant + 4 * size + WORKING_MEMORY,
                "{} as {format}: peak {} MiB for {} KiB of input and {} KiB of report (constant {} MiB)",
                input.display(),
                peak / MIB,
                size / 1024,
                written / 1024,
                constant / MIB
            );
        }
    }
}
