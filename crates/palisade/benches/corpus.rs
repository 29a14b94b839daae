//! Corpus benchmark: scans every YAML/JSON file under `../shared/corpus/` outside `helm/` and
//! prints files, objects, MB, MB/s and objects/s for a full scan (every built-in rule) and for
//! parse-only (parser events, no tree, no rules) on the same files, in memory, on all cores.
//!
//! Run with `cargo bench -p palisade --bench corpus`. `PALISADE_CORPUS` overrides the corpus
//! directory; `PALISADE_BENCH_RUNS` the repetitions (best run reported).
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.

mod common;

use common::best;

use std::path::{Path, PathBuf};

use palisade_engine::{RuleSet, Settings};
use palisade_model::authz::RbacPart;
use palisade_model::inventory::{Fact, Inventory};
use palisade_source::{Limits, count_events, parse_stream};
use rayon::prelude::*;

fn corpus_dir() -> PathBuf {
    std::env::var_os("PALISADE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"))
}

fn collect(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "helm") && p.parent() == Some(&corpus_dir()) {
                continue;
            }
            collect(&p, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            out.push((p, text));
        }
    }
}

fn scan_all(files: &[(PathBuf, String)], rules: &RuleSet, limits: &Limits) -> (usize, usize) {
    type Gathered = (usize, usize, Vec<Fact>, Vec<RbacPart>);
    let per_file: Vec<Gathered> = files
        .par_iter()
        .map(|(path, text)| {
            let display = path.to_string_lossy();
            let mut objects = 0;
            let mut findings = 0;
            let mut facts = Vec::new();
            let mut parts = Vec::new();
            let mut strings = palisade_diagnostics::Interner::default();
            for doc in parse_stream(text, limits).into_iter().flatten() {
                let r = rules.scan_document(&doc, &display, &mut strings);
                objects += r.objects;
                findings += r.findings.len();
                facts.extend(r.facts);
                parts.extend(r.rbac_parts);
            }
            (objects, findings, facts, parts)
        })
        .collect();
    let mut inventory = Inventory::default();
    let (mut objects, mut findings) = (0, 0);
    for (o, f, facts, parts) in per_file {
        objects += o;
        findings += f;
        inventory.facts.extend(facts);
        inventory.rbac_parts.extend(parts);
    }
    inventory.prepare("default");
    (
        objects,
        findings + rules.scan_inventory(&inventory).findings.len(),
    )
}

fn parse_only(files: &[(PathBuf, String)], limits: &Limits) -> usize {
    files
        .par_iter()
        .map(|(_, text)| count_events(text, limits).unwrap_or(0))
        .sum()
}

fn report(label: &str, files: &[(PathBuf, String)], runs: usize) {
    let limits = Limits::default();
    let rules =
        RuleSet::new(palisade_rules::registry(), Settings::default()).expect("default rules");
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mb = bytes as f64 / 1e6;
    let (parse_t, events) = best(runs, || parse_only(files, &limits));
    let mut counts = (0, 0);
    let (scan_t, _) = best(runs, || {
        counts = scan_all(files, &rules, &limits);
        counts.0
    });
    let (objects, findings) = counts;
    println!("== {label}");
    println!(
        "files {}  objects {}  findings {}  size {:.2} MB  threads {}",
        files.len(),
        objects,
        findings,
        mb,
        rayon::current_num_threads()
    );
    println!(
        "parse-only  {:>8.1} ms  {:>7.1} MB/s  ({} events)",
        parse_t.as_secs_f64() * 1e3,
        mb / parse_t.as_secs_f64(),
        events
    );
    println!(
        "full scan   {:>8.1} ms  {:>7.1} MB/s  {:>9.0} objects/s  ({} rules)",
        scan_t.as_secs_f64() * 1e3,
        mb / scan_t.as_secs_f64(),
        objects as f64 / scan_t.as_secs_f64(),
        rules.enabled().len()
    );
    println!(
        "scan / parse-only = {:.2}x",
        scan_t.as_secs_f64() / parse_t.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too, so keep it quick then.
    let quick = !std::env::args().any(|a| a == "--bench");
    let runs = common::runs(if quick { 1 } else { 5 });
    let dir = corpus_dir();
    let mut files = Vec::new();
    collect(&dir, &mut files);
    if files.is_empty() {
        eprintln!(
            "no corpus files under {} (set PALISADE_CORPUS)",
            dir.display()
        );
        std::process::exit(2);
    }
    report("corpus (all YAML/JSON outside helm/)", &files, runs);
    let argo: Vec<_> = files
        .iter()
        .filter(|(p, _)| {
            p.ends_with("argo-cd/manifests/install.yaml") || p.ends_with("argo-cd/install.yaml")
        })
        .cloned()
        .collect();
    if !argo.is_empty() {
        report("argo-cd install.yaml", &argo, runs);
    }
}
