//! Scanning objects that arrive as JSON, one per line: a live cluster's lists and the lines of
//! a cluster snapshot go through this one path, so a snapshot scanned offline gives the
//! findings of the live scan it was written by.
//!
//! Objects are read a chunk at a time, in parallel within a chunk, and each is dropped once
//! scanned. Objects come owners first; an object whose controller (by uid) came before it
//! folds into it and is not scanned: a Deployment's ReplicaSets and Pods repeat its pod
//! template, and would repeat every finding about it.

use std::collections::HashSet;

use palisade_diagnostics::{Finding, InputError, Interner, ObjectRef, Subject};
use palisade_engine::RuleSet;
use palisade_inputs::snapshot::{ClusterInfo, SnapshotReader};
use palisade_source::Document;
use rayon::prelude::*;

use crate::options::ScanOptions;
use crate::outcome::ScanOutcome;
use crate::pipeline::{Documents, FileResult, Sink, conclude};

/// Objects a chunk holds: enough to keep both cores busy, few enough to hold.
pub(crate) const CHUNK: usize = 2048;

/// The uids of objects that carry a pod template, which the objects they control fold into.
#[derive(Default)]
struct Owners(HashSet<String>);

impl Owners {
    /// Whether `object` folds into an owner already seen; remembers it as an owner when it
    /// carries a pod template.
    fn folds(&mut self, object: &Document<'_>) -> bool {
        let Some(root) = object.root() else {
            return false;
        };
        let metadata = root.get("metadata");
        let controller = metadata
            .and_then(|m| m.get("ownerReferences"))
            .into_iter()
            .flat_map(|refs| refs.items())
            .find(|r| r.get("controller").and_then(|c| c.as_bool()) == Some(true))
            .and_then(|r| r.get("uid"))
            .and_then(|uid| uid.as_str());
        let folded = controller.is_some_and(|uid| self.0.contains(uid));
        let templated = root.path(&["spec", "template", "spec"]).is_some()
            || root
                .path(&["spec", "jobTemplate", "spec", "template", "spec"])
                .is_some();
        if templated && let Some(uid) = metadata.and_then(|m| m.get("uid")).and_then(|u| u.as_str())
        {
            self.0.insert(uid.to_string());
        }
        folded
    }
}

/// What one source of object lines (a snapshot, a live cluster) produced.
pub(crate) struct Lines {
    pub result: FileResult,
    /// Objects folded into their owners.
    pub folded: usize,
}

/// Scan object lines, a chunk at a time from `next_chunk` until it returns an empty chunk.
/// Each object is its own document, numbered by its line.
pub(crate) fn scan_lines<S: AsRef<str> + Send + Sync>(
    display: &str,
    mut next_chunk: impl FnMut() -> Vec<(u32, Result<S, String>)>,
    rules: &RuleSet,
    opts: &ScanOptions,
    sink: &Sink,
) -> Lines {
    let mut owners = Owners::default();
    let mut all = Documents::new(sink);
    let mut folded = 0;
    loop {
        let chunk = next_chunk();
        if chunk.is_empty() {
            break;
        }
        // Each object becomes a document straight from its text, which the document borrows.
        let parsed: Vec<(u32, Result<Document<'_>, String>)> = chunk
            .par_iter()
            .map(|(line, text)| {
                let doc = match text {
                    Ok(t) => Document::from_json_str(t.as_ref(), opts.limits.max_depth)
                        .map_err(|e| e.message),
                    Err(e) => Err(e.clone()),
                };
                (*line, doc)
            })
            .collect();
        let mut kept = Vec::with_capacity(parsed.len());
        for (line, doc) in parsed {
            match doc {
                Ok(doc) if owners.folds(&doc) => folded += 1,
                Ok(doc) => kept.push((line, doc)),
                Err(message) => all.result.errors.push(InputError {
                    path: display.to_string(),
                    line: Some(line),
                    column: None,
                    message,
                }),
            }
        }
        // Each document is dropped by the thread that scanned it.
        let documents = kept
            .into_par_iter()
            .fold(
                || Documents::new(sink),
                |mut acc, (line, mut doc)| {
                    doc.index = line;
                    let report =
                        rules.scan_document_into(&doc, display, &mut acc.strings, &mut |batch| {
                            sink.add(batch)
                        });
                    acc.add(report);
                    acc
                },
            )
            .reduce(|| Documents::new(sink), Documents::merge);
        all = all.merge(documents);
    }
    sink.add(&mut all.pending);
    let mut result = all.result;
    result.read = true;
    result.facts.shrink_to_fit();
    Lines { result, folded }
}

/// Scan the lines of a snapshot file (a [`crate::Inputs`] candidate that is gzip).
pub(crate) fn scan_snapshot(
    path: &std::path::Path,
    display: &str,
    rules: &RuleSet,
    opts: &ScanOptions,
    sink: &Sink,
) -> FileResult {
    let mut reader = match SnapshotReader::open(path, display, opts.max_file_size) {
        Ok(reader) => reader,
        Err(e) => {
            return FileResult {
                errors: vec![e.into_input_error()],
                ..FileResult::default()
            };
        }
    };
    let header = reader.header().clone();
    // Decompressing and splitting lines is one thread's work: it reads the next chunk while
    // the others scan this one.
    let lines = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        scope.spawn(move || {
            loop {
                let chunk = reader.chunk(CHUNK);
                let end = chunk.is_empty();
                if tx.send(chunk).is_err() || end {
                    break;
                }
            }
        });
        scan_lines(display, || rx.recv().unwrap_or_default(), rules, opts, sink)
    });
    let mut result = lines.result;
    result.snapshot = Some((display.to_string(), header.cluster.clone()));
    result.notes.extend(snapshot_notes(
        &header.cluster.name,
        &header.resources,
        lines.folded,
    ));
    result
        .errors
        .extend(resource_errors(display, &header.resources));
    result
}

/// Notes about a cluster's collection: resources not read (and so rules not evaluated on
/// them) and objects folded into their owners.
fn snapshot_notes(
    cluster: &str,
    resources: &[palisade_inputs::snapshot::ResourceStatus],
    folded: usize,
) -> Vec<String> {
    use palisade_inputs::snapshot::ResourceState;
    let mut notes = Vec::new();
    let forbidden: Vec<String> = resources
        .iter()
        .filter(|r| r.state == ResourceState::Forbidden)
        .map(|r| r.name())
        .collect();
    if !forbidden.is_empty() {
        notes.push(format!(
            "cluster {cluster}: not evaluated, forbidden (403): {}",
            forbidden.join(", ")
        ));
    }
    if folded > 0 {
        notes.push(format!(
            "cluster {cluster}: {folded} object{} folded into {} owner (ReplicaSets and Pods are reported on the workload that controls them)",
            if folded == 1 { "" } else { "s" },
            if folded == 1 { "its" } else { "their" }
        ));
    }
    notes
}

/// A resource that could not be listed (after retries) leaves the scan incomplete: an input
/// error of the source that was read (a forbidden one is a choice of permissions, a note).
fn resource_errors(
    display: &str,
    resources: &[palisade_inputs::snapshot::ResourceStatus],
) -> Vec<InputError> {
    resources
        .iter()
        .filter(|r| r.state == palisade_inputs::snapshot::ResourceState::Failed)
        .map(|r| InputError {
            path: display.to_string(),
            line: None,
            column: None,
            message: format!(
                "{} could not be listed, so it was not scanned: {}",
                r.name(),
                r.message.as_deref().unwrap_or("no reason given")
            ),
        })
        .collect()
}

/// Findings about the objects of a cluster (read from `display`) have no place in a file:
/// they carry the cluster and the offending field instead.
pub(crate) fn place_in_cluster(outcome: &mut ScanOutcome, display: &str, cluster: &ClusterInfo) {
    let name = palisade_diagnostics::ArcStr::from(cluster.name.as_str());
    let mut strings = Interner::default();
    outcome.findings.update(
        |f| f.path() == Some(display),
        |f| in_cluster(f, &name, &mut strings),
    );
}

/// [`place_in_cluster`] for the findings of an analysis (`rbac risks`) over what
/// [`crate::collect`] read: those in a snapshot it read belong to the snapshot's cluster.
pub fn place_in_clusters(findings: &mut [Finding], clusters: &[(String, ClusterInfo)]) {
    let mut strings = Interner::default();
    for (display, cluster) in clusters {
        let name = palisade_diagnostics::ArcStr::from(cluster.name.as_str());
        for f in findings
            .iter_mut()
            .filter(|f| f.location.path().map(|p| p.as_str()) == Some(display.as_str()))
        {
            in_cluster(f, &name, &mut strings);
        }
    }
}

fn in_cluster(f: &mut Finding, cluster: &palisade_diagnostics::ArcStr, strings: &mut Interner) {
    f.location.span = None;
    if let Subject::Object(o) = &*f.subject {
        let object = ObjectRef {
            cluster: Some(cluster.clone()),
            ..o.clone()
        };
        f.subject = strings.subject(object);
    }
}

/// Objects collected from a live cluster, compact JSON text in collection order (owners
/// first), with the resources asked for.
pub struct ClusterObjects<'a> {
    /// The cluster.
    pub cluster: &'a ClusterInfo,
    /// Every resource asked for, and what came of it.
    pub resources: &'a [palisade_inputs::snapshot::ResourceStatus],
    /// The objects.
    pub objects: &'a [String],
}

/// Scan the objects of a live cluster, as [`crate::scan_paths`] scans a snapshot of them:
/// object `i` is numbered as its line in a snapshot would be (`i + 2`).
pub fn scan_objects(
    cluster: ClusterObjects<'_>,
    rules: &RuleSet,
    opts: &ScanOptions,
) -> ScanOutcome {
    let display = format!("cluster {}", cluster.cluster.name);
    let sink = Sink::default();
    let mut chunks = cluster.objects.chunks(CHUNK).enumerate();
    let lines = scan_lines(
        &display,
        || match chunks.next() {
            Some((n, chunk)) => chunk
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let line = (n * CHUNK + i + 2).try_into().unwrap_or(u32::MAX);
                    (line, Ok::<&str, String>(s.as_str()))
                })
                .collect(),
            None => Vec::new(),
        },
        rules,
        opts,
        &sink,
    );
    let mut result = lines.result;
    result.notes.extend(snapshot_notes(
        &cluster.cluster.name,
        cluster.resources,
        lines.folded,
    ));
    result
        .errors
        .extend(resource_errors(&display, cluster.resources));
    result.snapshot = Some((display, cluster.cluster.clone()));
    conclude(
        ScanOutcome::default(),
        vec![result],
        sink,
        Default::default(),
        0,
        rules,
        opts,
    )
}
