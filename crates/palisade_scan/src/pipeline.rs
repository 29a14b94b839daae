//! The scan itself: discover -> read -> load -> run rules, file by file in parallel, then the
//! cross-object rules over the inventory, into one sorted [`ScanOutcome`].

use std::path::PathBuf;
use std::sync::Arc;

use palisade_diagnostics::{Finding, FindingList, FindingRef, InputError};
use palisade_engine::RuleSet;
use palisade_inputs::render::{RenderMap, RenderOptions, Renderings, remap_findings, render_all};
use palisade_inputs::{Candidate, discover, read_candidate, read_regular, read_stdin};
use palisade_model::inventory::{Fact, Inventory};
use palisade_model::secrets::{credential_ranges, document_secrets, text_secrets};
use palisade_report::Source;
use palisade_source::{Limits, SecretSpans, fold_documents};
use rayon::prelude::*;

use crate::options::ScanOptions;
use crate::outcome::{ScanOutcome, mask_messages};

/// The scan's one list of findings, which every thread adds to as it goes. Findings can be
/// most of a scan's memory: collected per file or per thread and joined at the end, they would
/// be held twice at the peak; added here a batch at a time, they are held once, compactly.
#[derive(Default)]
pub(crate) struct Sink {
    findings: std::sync::Mutex<FindingList>,
}

/// Findings a thread gathers before adding them to the [`Sink`].
const SINK_BATCH: usize = 1024;

/// Move `more` to the end of `list`, growing it by a quarter at a time rather than doubling
/// it: facts can be much of a scan's memory, and a doubled list holds up to twice them.
fn append_growing<T>(list: &mut Vec<T>, more: &mut Vec<T>) {
    if more.len() > list.capacity() - list.len() {
        list.reserve_exact(more.len().max(list.len() / 4));
    }
    list.append(more);
}

impl Sink {
    pub(crate) fn add(&self, batch: &mut Vec<Finding>) {
        // A poisoned lock means another thread panicked: the scan is lost either way.
        self.findings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .append(batch);
    }

    /// Take back the findings of a file that turned out not to be scanned (a Helm template).
    fn forget(&self, path: &str) {
        self.findings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|f| f.path() != Some(path));
    }

    fn into_findings(self) -> FindingList {
        self.findings
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Default)]
pub(crate) struct FileResult {
    /// Whether the file has a finding that is not suppressed (the findings are in the sink).
    pub(crate) unsuppressed: bool,
    pub(crate) evaluated: Vec<palisade_diagnostics::ArcStr>,
    pub(crate) facts: Vec<Fact>,
    pub(crate) rbac_parts: Vec<palisade_model::authz::RbacPart>,
    pub(crate) netpol_parts: Vec<palisade_model::netpol::NetpolPart>,
    pub(crate) errors: Vec<InputError>,
    pub(crate) objects: usize,
    pub(crate) skipped_documents: usize,
    pub(crate) template: bool,
    pub(crate) read: bool,
    pub(crate) source: Option<(String, Source)>,
    /// The display path, when the file's real name is not valid UTF-8.
    pub(crate) non_utf8_name: Option<String>,
    /// The display path and cluster, when the objects came from a cluster (a snapshot).
    pub(crate) snapshot: Option<(String, palisade_inputs::snapshot::ClusterInfo)>,
    /// Notes about what was read (resources a snapshot could not list).
    pub(crate) notes: Vec<String>,
}

/// What the documents of one file contributed so far, and whether one failed to load.
pub(crate) struct Documents<'s> {
    pub(crate) result: FileResult,
    failed: bool,
    /// Byte ranges of secret values, when the file's text may be shown (text output).
    secrets: Vec<std::ops::Range<usize>>,
    /// Shares the strings, objects and fixes of these documents' findings.
    pub(crate) strings: palisade_diagnostics::Interner,
    /// Findings not yet added to the sink.
    pub(crate) pending: Vec<Finding>,
    sink: &'s Sink,
}

impl<'s> Documents<'s> {
    pub(crate) fn new(sink: &'s Sink) -> Self {
        Documents {
            result: FileResult::default(),
            failed: false,
            secrets: Vec::new(),
            strings: palisade_diagnostics::Interner::default(),
            pending: Vec::new(),
            sink,
        }
    }

    pub(crate) fn add(&mut self, report: palisade_engine::DocumentReport) {
        let r = &mut self.result;
        r.objects += report.objects;
        r.skipped_documents += usize::from(report.skipped);
        r.unsuppressed |= report.findings.iter().any(|f| !f.suppressed);
        let mut findings = report.findings;
        if self.pending.len() + findings.len() >= SINK_BATCH {
            // A large document's findings go to the sink as they are, not copied first.
            self.sink.add(&mut self.pending);
            self.sink.add(&mut findings);
        } else {
            self.pending.append(&mut findings);
        }
        for id in report.evaluated {
            if !r.evaluated.contains(&id) {
                r.evaluated.push(id);
            }
        }
        append_growing(&mut r.facts, &mut { report.facts });
        r.rbac_parts.append(&mut { report.rbac_parts });
        r.netpol_parts.append(&mut { report.netpol_parts });
        r.errors.extend(report.errors);
    }

    pub(crate) fn merge(mut self, mut other: Documents<'s>) -> Documents<'s> {
        self.sink.add(&mut other.pending);
        let (r, mut o) = (&mut self.result, other.result);
        r.objects += o.objects;
        r.skipped_documents += o.skipped_documents;
        r.unsuppressed |= o.unsuppressed;
        for id in o.evaluated {
            if !r.evaluated.contains(&id) {
                r.evaluated.push(id);
            }
        }
        append_growing(&mut r.facts, &mut o.facts);
        r.rbac_parts.append(&mut o.rbac_parts);
        r.netpol_parts.append(&mut o.netpol_parts);
        r.errors.extend(o.errors);
        r.notes.extend(o.notes);
        self.failed |= other.failed;
        self.secrets.extend(other.secrets);
        self
    }
}

/// A source as text output may show it: the text, and the secret values of every document in
/// it (read again, for files the scan did not keep).
pub fn source_of(text: Arc<str>, limits: &Limits) -> Source {
    let secrets = text_secrets(&text, limits);
    Source { text, secrets }
}

/// Scan text that was read from `display`. Each document is scanned as it is loaded and
/// folded into the file's result right away, so memory holds findings and facts, never the
/// trees or per-document results of the whole file (findings are sorted later).
fn scan_text(
    display: &str,
    text: &str,
    explicit: bool,
    rules: &RuleSet,
    opts: &ScanOptions,
    sink: &Sink,
) -> FileResult {
    let mut documents = fold_documents(
        text,
        &opts.limits,
        || Documents::new(sink),
        |acc: &mut Documents, doc| match doc {
            Ok(doc) => {
                let (sink, mut unsuppressed) = (acc.sink, false);
                let report =
                    rules.scan_document_into(&doc, display, &mut acc.strings, &mut |batch| {
                        unsuppressed |= batch.iter().any(|f| !f.suppressed);
                        sink.add(batch);
                    });
                acc.result.unsuppressed |= unsuppressed;
                acc.add(report);
                // Every document, not only those with findings of their own: cross-object
                // findings can land in any document of a file that is shown.
                if opts.keep_sources {
                    acc.secrets.extend(document_secrets(&doc));
                }
            }
            Err(e) => {
                acc.failed = true;
                acc.result.errors.push(InputError {
                    path: display.to_string(),
                    line: Some(e.line),
                    column: Some(e.column),
                    message: e.message,
                });
            }
        },
        Documents::merge,
    );
    sink.add(&mut documents.pending);
    if documents.failed && text.contains("{{") {
        sink.forget(display);
        let mut result = FileResult {
            read: true,
            ..FileResult::default()
        };
        if explicit {
            result.errors.push(InputError {
                path: display.to_string(),
                line: None,
                column: None,
                message: "looks like a Helm template, not YAML; render it with `helm template` and scan the output".into(),
            });
        } else {
            result.template = true;
        }
        return result;
    }
    let Documents {
        mut result,
        mut secrets,
        ..
    } = documents;
    result.read = true;
    // Folding grew these; a file's results live until the scan ends.
    result.facts.shrink_to_fit();
    if opts.keep_sources && result.unsuppressed {
        // Credentials in well-known formats anywhere, comments included.
        secrets.extend(credential_ranges(text));
        let source = Source {
            text: Arc::from(text),
            secrets: SecretSpans::new(secrets),
        };
        result.source = Some((display.to_string(), source));
    }
    result
}

fn scan_candidate(c: &Candidate, rules: &RuleSet, opts: &ScanOptions, sink: &Sink) -> FileResult {
    if c.path.is_file() && palisade_inputs::snapshot::is_gzip(&c.path) {
        return crate::objects::scan_snapshot(&c.path, &c.display, rules, opts, sink);
    }
    let mut result = match read_candidate(c, &opts.read_limits()) {
        Ok(text) => scan_text(&c.display, &text, c.explicit, rules, opts, sink),
        Err(e) => FileResult {
            errors: vec![e.into()],
            ..FileResult::default()
        },
    };
    if c.path.to_str().is_none() {
        result.non_utf8_name = Some(c.display.clone());
    }
    result
}

/// A "runs in the default namespace" finding on a chart rendered without `--namespace`: Helm
/// fills in `default` for `.Release.Namespace`, but the real namespace is chosen at install
/// time, so the finding would be about Palisade's rendering, not the chart.
fn install_time_namespace(f: &FindingRef) -> bool {
    f.rule.id == palisade_rules::pod::default_namespace::RULE.meta.id
        && f.origin.as_ref().is_some_and(|o| o.renderer == "helm")
}

/// What a set of paths holds: files to read, rendered charts and kustomizations, and whether
/// standard input (`-`) was named.
pub struct Inputs {
    /// The walk (files not already read through a kustomization).
    pub discovery: palisade_inputs::Discovery,
    /// Rendered charts and kustomizations.
    pub renderings: Renderings,
    /// `-` was among the paths.
    pub stdin: bool,
}

/// Walk the paths and render what needs rendering; every front door that reads manifests
/// starts here.
pub fn inputs(paths: &[PathBuf], opts: &ScanOptions) -> Inputs {
    let (stdin, files): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == "-");
    let files: Vec<PathBuf> = files.into_iter().cloned().collect();
    let mut discovery = discover(&files, &opts.discover);
    // The renderers may follow links only where the walk does.
    let render = RenderOptions {
        links: discovery.links.clone(),
        ..opts.render.clone()
    };
    let progress = opts.progress.step(
        "rendering charts and kustomizations",
        discovery.charts.len() + discovery.kustomizations.len(),
    );
    let renderings = render_all(
        &discovery.charts,
        &discovery.kustomizations,
        &render,
        &|| progress.iter().for_each(|p| p.tick()),
    );
    drop(progress);
    if !renderings.consumed.is_empty() {
        discovery.files.retain(|c| {
            let path = std::fs::canonicalize(&c.path).unwrap_or_else(|_| c.path.clone());
            c.explicit || !renderings.consumed.contains(&path)
        });
    }
    discovery.files.extend(renderings.plain.iter().cloned());
    Inputs {
        discovery,
        renderings,
        stdin: !stdin.is_empty(),
    }
}

/// Scan the given paths (`-` is standard input) with the given rules.
pub fn scan_paths(paths: &[PathBuf], rules: &RuleSet, opts: &ScanOptions) -> ScanOutcome {
    let Inputs {
        discovery,
        renderings,
        stdin,
    } = inputs(paths, opts);
    let units: Vec<_> = renderings
        .rendered
        .iter()
        .flat_map(|r| r.units.iter())
        .collect();
    let sink = Sink::default();
    let mut results: Vec<FileResult> = discovery
        .files
        .par_iter()
        .map(|c| scan_candidate(c, rules, opts, &sink))
        .chain(units.par_iter().map(|u| {
            let mut result = scan_text(&u.display, &u.text, true, rules, opts, &sink);
            // The position is in the rendered text, not in the file the path names.
            for e in &mut result.errors {
                let at = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
                e.message = format!("in the rendered output{at}: {}", e.message);
                (e.line, e.column) = (None, None);
            }
            result.source = None;
            result
        }))
        .collect();
    if stdin {
        let text = match &opts.stdin_text {
            Some(text) => Ok(text.to_string()),
            None => read_stdin(&opts.read_limits()),
        };
        results.push(match text {
            Ok(text) => scan_text("-", &text, true, rules, opts, &sink),
            Err(e) => FileResult {
                errors: vec![e.into()],
                ..FileResult::default()
            },
        });
    }
    let mut outcome = ScanOutcome {
        errors: discovery.errors,
        notes: discovery.notes,
        ..ScanOutcome::default()
    };
    match opts.render_errors {
        palisade_config::RenderErrors::Error => outcome.errors.extend(renderings.errors),
        palisade_config::RenderErrors::Warn => outcome.warnings.extend(renderings.errors),
    }
    outcome.notes.extend(renderings.notes);
    let mut maps: std::collections::HashMap<String, RenderMap> = Default::default();
    for r in &renderings.rendered {
        maps.extend(r.maps());
        if opts.keep_sources {
            for (path, text) in &r.sources {
                let source = source_of(Arc::clone(text), &opts.limits);
                outcome.sources.insert(path.clone(), source);
            }
        }
    }
    conclude(
        outcome,
        results,
        sink,
        maps,
        discovery.templates.len(),
        rules,
        opts,
    )
}

/// Join the files' results into the outcome: findings, counts, the cross-object rules over
/// every file's facts, findings mapped back to templates, and notes.
pub(crate) fn conclude(
    mut outcome: ScanOutcome,
    results: Vec<FileResult>,
    sink: Sink,
    maps: std::collections::HashMap<String, RenderMap>,
    mut templates: usize,
    rules: &RuleSet,
    opts: &ScanOptions,
) -> ScanOutcome {
    let mut inventory = Inventory::default();
    let mut netpol_parts = Vec::new();
    let mut clusters = Vec::new();
    outcome.findings = sink.into_findings();
    outcome.findings.shrink_to_fit();
    // Facts keep their file order, which inventory rules read. A file that holds them all
    // (one large manifest) hands its vector over rather than having it copied.
    let facts: usize = results.iter().map(|r| r.facts.len()).sum();
    for r in results {
        if inventory.facts.is_empty() && r.facts.len() == facts {
            inventory.facts = r.facts;
        } else {
            inventory.facts.reserve_exact(facts - inventory.facts.len());
            inventory.facts.extend(r.facts);
        }
        inventory.rbac_parts.extend(r.rbac_parts);
        netpol_parts.extend(r.netpol_parts);
        outcome.summary.files += usize::from(r.read && !r.template);
        outcome.summary.objects += r.objects;
        outcome.summary.skipped_documents += r.skipped_documents;
        templates += usize::from(r.template);
        outcome.evaluated.extend(r.evaluated);
        outcome.errors.extend(r.errors);
        outcome.non_utf8_names.extend(r.non_utf8_name);
        if let Some((path, text)) = r.source {
            outcome.sources.insert(path, text);
        }
        outcome.notes.extend(r.notes);
        clusters.extend(r.snapshot);
    }
    inventory.prepare(opts.render.namespace.as_deref().unwrap_or("default"));
    let cross = rules.scan_inventory(&inventory);
    if rules.keeps_views() {
        let network = palisade_model::netpol::Model::of_parts(netpol_parts);
        outcome.views = Some(crate::views::views_of(inventory.rbac(), &network));
    }
    outcome.evaluated.extend(cross.evaluated);
    outcome.findings.append_list(&cross.findings);
    remap_findings(&mut outcome.findings, &maps);
    for (display, cluster) in &clusters {
        crate::objects::place_in_cluster(&mut outcome, display, cluster);
    }
    if opts.render.namespace.is_none() {
        outcome.findings.retain(|f| !install_time_namespace(f));
    }
    if opts.keep_sources {
        // Cross-object findings can land in files that had no finding of their own.
        for f in outcome.findings.refs() {
            let Some(path) = f.path() else {
                continue;
            };
            if !outcome.sources.contains_key(path)
                && path != "-"
                && let Ok(text) = read_regular(std::path::Path::new(path), opts.max_file_size)
            {
                let source = source_of(Arc::from(text), &opts.limits);
                outcome.sources.insert(path.to_string(), source);
            }
        }
    }
    mask_messages(&mut outcome.errors, &mut outcome.notes);
    mask_messages(&mut outcome.warnings, &mut []);
    outcome.errors.sort();
    outcome.warnings.sort();
    outcome.summary.skipped_templates = templates;
    if templates > 0 {
        outcome.notes.push(format!(
            "skipped {templates} Helm template file{} (render the chart with `helm template` and scan the output)",
            if templates == 1 { "" } else { "s" }
        ));
    }
    if outcome.summary.skipped_documents > 0 {
        let n = outcome.summary.skipped_documents;
        outcome.notes.push(format!(
            "skipped {n} document{} without apiVersion and kind",
            if n == 1 { "" } else { "s" }
        ));
    }
    outcome.count();
    outcome
}
