//! The whole-process parse floor for `bench/whole-process.sh`: walks a directory as
//! `palisade scan DIR --exclude /helm --no-render` reads it (YAML and JSON files, the top-level
//! `helm/` left out), reads every file and runs the span-giving event parser over it on all
//! cores, building nothing. A full scan as a process is compared against this process.
//!
//! Usage: `cargo run --release --example parse_floor -- DIR`.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A benchmark reports what it measured.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use palisade_source::{Limits, count_events};
use rayon::prelude::*;

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            if !(dir == root && p.file_name().is_some_and(|n| n == "helm")) {
                collect(root, &p, out);
            }
        } else if kind.is_file()
            && p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
        {
            out.push(p);
        }
    }
}

fn main() -> std::process::ExitCode {
    let Some(root) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: parse_floor DIR");
        return std::process::ExitCode::from(2);
    };
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let limits = Limits::default();
    let (bytes, events) = files
        .par_iter()
        .map(|p| match std::fs::read_to_string(p) {
            Ok(text) => (text.len(), count_events(&text, &limits).unwrap_or(0)),
            Err(_) => (0, 0),
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    println!("{} files, {bytes} bytes, {events} events", files.len());
    std::process::ExitCode::SUCCESS
}
