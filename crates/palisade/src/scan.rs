//! The scan pipeline: discover -> read -> load -> run rules -> sort -> render -> exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use palisade_diagnostics::{Finding, FindingList, FindingRef, InputError, ProjectPaths, Summary};
use palisade_engine::RuleSet;
use palisade_inputs::render::{
    RenderMap, RenderOptions, Renderings, merge_overlays, remap_findings, render_all,
};
use palisade_inputs::{
    Candidate, DiscoverOptions, ReadLimits, discover, read_candidate, read_regular, read_stdin,
};
use palisade_model::inventory::{Fact, Inventory};
use palisade_model::secrets::{
    credential_ranges, document_secrets, mask_credentials, text_secrets,
};
use palisade_report::terminal::printable;
use palisade_report::{Format, Report, Source, Sources};
use palisade_source::{Limits, SecretSpans, fold_documents};
use rayon::prelude::*;

use crate::cli::{ColorChoice, ScanArgs};
use crate::config::{self, FailOn, RenderErrors};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// What to read and how.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Walk options.
    pub discover: DiscoverOptions,
    /// Largest file to read.
    pub max_file_size: u64,
    /// Longest to wait for standard input (or a named pipe) to end.
    pub stdin_timeout: std::time::Duration,
    /// Keep the text of files with findings (for snippets).
    pub keep_sources: bool,
    /// Loader limits.
    pub limits: Limits,
    /// How to render Helm charts and kustomizations.
    pub render: RenderOptions,
    /// Whether charts and kustomizations that do not render are input errors or warnings.
    pub render_errors: RenderErrors,
    /// Standard input, when it was read before the scan: `palisade fix -` needs its text
    /// again to fix it, and a stream can be read only once.
    pub stdin_text: Option<Arc<str>>,
}

impl ScanOptions {
    /// The bounds on reading one input.
    pub fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            max_size: self.max_file_size,
            stream_timeout: self.stdin_timeout,
        }
    }
}

/// Everything a scan produced.
#[derive(Debug, Default)]
pub struct ScanOutcome {
    /// Findings in output order, suppressed ones included (flagged).
    pub findings: FindingList,
    /// Input errors, sorted.
    pub errors: Vec<InputError>,
    /// Inputs not fully scanned that do not fail the run, sorted.
    pub warnings: Vec<InputError>,
    /// Notes about skipped input.
    pub notes: Vec<String>,
    /// Counts.
    pub summary: Summary,
    /// Text of files with findings, when kept.
    pub sources: Sources,
    /// Ids of the rules that found something to evaluate (for the compliance summary).
    pub evaluated: std::collections::BTreeSet<&'static str>,
    /// Display paths of files whose name is not valid UTF-8 (shown lossily): `fix` does not
    /// rewrite them, since the display may name another file.
    pub non_utf8_names: std::collections::BTreeSet<String>,
    /// Copies of findings folded into another: the same line of a base file built through
    /// several overlays. Not listed or counted, but a baseline written from the scan holds
    /// them, so that it serves a scan of each overlay on its own too.
    pub folded: Vec<Finding>,
}

/// The scan's one list of findings, which every thread adds to as it goes. Findings can be
/// most of a scan's memory: collected per file or per thread and joined at the end, they would
/// be held twice at the peak; added here a batch at a time, they are held once, compactly.
#[derive(Default)]
struct Sink {
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
    fn add(&self, batch: &mut Vec<Finding>) {
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
            .retain(|f| f.path != path);
    }

    fn into_findings(self) -> FindingList {
        self.findings
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[derive(Default)]
struct FileResult {
    /// Whether the file has a finding that is not suppressed (the findings are in the sink).
    unsuppressed: bool,
    evaluated: Vec<&'static str>,
    facts: Vec<Fact>,
    errors: Vec<InputError>,
    objects: usize,
    skipped_documents: usize,
    template: bool,
    read: bool,
    source: Option<(String, Source)>,
    /// The display path, when the file's real name is not valid UTF-8.
    non_utf8_name: Option<String>,
}

/// What the documents of one file contributed so far, and whether one failed to load.
struct Documents<'s> {
    result: FileResult,
    failed: bool,
    /// Byte ranges of secret values, when the file's text may be shown (text output).
    secrets: Vec<std::ops::Range<usize>>,
    /// Shares the strings, objects and fixes of these documents' findings.
    strings: palisade_diagnostics::Interner,
    /// Findings not yet added to the sink.
    pending: Vec<Finding>,
    sink: &'s Sink,
}

impl<'s> Documents<'s> {
    fn new(sink: &'s Sink) -> Self {
        Documents {
            result: FileResult::default(),
            failed: false,
            secrets: Vec::new(),
            strings: palisade_diagnostics::Interner::default(),
            pending: Vec::new(),
            sink,
        }
    }

    fn add(&mut self, report: palisade_engine::DocumentReport) {
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
        r.errors.extend(report.errors);
    }

    fn merge(mut self, mut other: Documents<'s>) -> Documents<'s> {
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
        r.errors.extend(o.errors);
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
    let mut result = match read_candidate(c, &opts.read_limits()) {
        Ok(text) => scan_text(&c.display, &text, c.explicit, rules, opts, sink),
        Err(e) => FileResult {
            errors: vec![e.0],
            ..FileResult::default()
        },
    };
    if c.path.to_str().is_none() {
        result.non_utf8_name = Some(c.display.clone());
    }
    result
}

impl ScanOutcome {
    /// Sort findings into output order and count them (again, after waivers or a baseline).
    pub fn count(&mut self) {
        palisade_report::sort_findings(&mut self.findings, palisade_report::SortOrder::Path);
        let summary = &mut self.summary;
        summary.findings = 0;
        summary.suppressed = 0;
        summary.by_severity.clear();
        // A superseded finding is folded into the stricter one: counted as neither.
        for f in self.findings.refs().filter(|f| !f.superseded) {
            if f.suppressed {
                summary.suppressed += 1;
            } else {
                summary.findings += 1;
                *summary.by_severity.entry(f.severity.as_str()).or_default() += 1;
            }
        }
        summary.errors = self.errors.len();
        summary.warnings = self.warnings.len();
    }
}

/// Today's date (`YYYY-MM-DD`, UTC) for waiver expiry; `PALISADE_TODAY` overrides it so that
/// runs can be reproduced.
pub fn today() -> Result<String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match std::env::var("PALISADE_TODAY") {
        Ok(date) => {
            time::Date::parse(&date, format)
                .with_context(|| format!("PALISADE_TODAY must be YYYY-MM-DD, not `{date}`"))?;
            Ok(date)
        }
        Err(_) => {
            let d = time::OffsetDateTime::now_utc().date();
            Ok(format!(
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            ))
        }
    }
}

/// The baseline format written today: paths and fingerprints relative to the project.
pub const BASELINE_VERSION: u32 = 2;

/// Suppress findings whose fingerprint is in the baseline file. Version 2 baselines hold
/// fingerprints of paths relative to the project (see [`ProjectPaths`]), so they match from
/// any working directory; version 1 ones, of paths as written on the command line, are still
/// read (then a note says how to upgrade, returned here).
pub fn apply_baseline(
    findings: &mut FindingList,
    path: &std::path::Path,
    project: &ProjectPaths,
) -> Result<Option<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    let baseline: Baseline = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a Palisade baseline", path.display()))?;
    if baseline.version > BASELINE_VERSION {
        anyhow::bail!(
            "{} is a version {} baseline; this Palisade reads versions up to {BASELINE_VERSION}",
            path.display(),
            baseline.version
        );
    }
    let known: std::collections::HashSet<&str> = baseline
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let legacy = baseline.version < 2;
    let reason = palisade_diagnostics::ArcStr::from(format!("baseline {}", path.display()));
    findings.update(
        |f| !f.suppressed,
        |f| {
            let fingerprint = if legacy {
                f.fingerprint()
            } else {
                f.fingerprint_at(&project.key(&f.location.path))
            };
            if known.contains(fingerprint.as_str()) {
                f.suppressed = true;
                f.suppression_reason = Some(reason.clone());
            }
        },
    );
    Ok(legacy.then(|| {
        format!(
            "baseline {} records paths as written on the command line, so it matches only from the directory it was written in; write it again with --write-baseline to match from any directory",
            path.display()
        )
    }))
}

/// A baseline: the fingerprints of the findings accepted at one point in time.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// Format version ([`BASELINE_VERSION`]).
    pub version: u32,
    /// One entry per accepted finding.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding; `rule` and `path` are there for readers, matching uses the fingerprint.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    /// Rule id.
    pub rule: String,
    /// The file, relative to the project (the directory of palisade.toml, or the scan root).
    pub path: String,
    /// [`Finding::fingerprint_at`] the project-relative path.
    pub fingerprint: String,
}

/// Write the unsuppressed findings as a baseline, with paths relative to the project so that
/// it matches from any working directory.
pub fn write_baseline(
    outcome: &ScanOutcome,
    path: &std::path::Path,
    project: &ProjectPaths,
) -> Result<()> {
    let baseline = Baseline {
        version: BASELINE_VERSION,
        findings: outcome
            .findings
            .iter()
            .chain(outcome.folded.iter().cloned())
            .filter(|f| !f.suppressed)
            .map(|f| {
                let key = project.key(&f.location.path);
                BaselineEntry {
                    rule: f.rule.id.to_string(),
                    fingerprint: f.fingerprint_at(&key),
                    path: key.into_owned(),
                }
            })
            .collect(),
    };
    let text = serde_json::to_string_pretty(&baseline)? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write baseline {}", path.display()))
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
    let progress = crate::progress::Progress::stderr(
        "rendering charts and kustomizations",
        discovery.charts.len() + discovery.kustomizations.len(),
    );
    let renderings = render_all(
        &discovery.charts,
        &discovery.kustomizations,
        &render,
        &|| progress.tick(),
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
                errors: vec![e.0],
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
        RenderErrors::Error => outcome.errors.extend(renderings.errors),
        RenderErrors::Warn => outcome.warnings.extend(renderings.errors),
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
    let mut templates = discovery.templates.len();
    let mut inventory = Inventory::default();
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
    }
    inventory.prepare(opts.render.namespace.as_deref().unwrap_or("default"));
    let cross = rules.scan_inventory(&inventory);
    outcome.evaluated.extend(cross.evaluated);
    outcome.findings.append_list(&cross.findings);
    remap_findings(&mut outcome.findings, &maps);
    if opts.render.namespace.is_none() {
        outcome.findings.retain(|f| !install_time_namespace(f));
    }
    if opts.keep_sources {
        // Cross-object findings can land in files that had no finding of their own.
        for f in outcome.findings.refs() {
            let path = f.path;
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

/// Hide credentials in well-known formats in error messages and notes, whatever produced them
/// (a chart's `fail` message quoting a DSN, a tool echoing its input): they are printed in
/// every format.
pub fn mask_messages(errors: &mut [InputError], notes: &mut [String]) {
    let messages = errors
        .iter_mut()
        .map(|e| &mut e.message)
        .chain(notes.iter_mut());
    for message in messages {
        if let std::borrow::Cow::Owned(masked) = mask_credentials(message) {
            *message = masked;
        }
    }
}

/// The exit code for an outcome.
pub fn exit_code(outcome: &ScanOutcome, fail_on: FailOn) -> u8 {
    if !outcome.errors.is_empty() {
        return EXIT_ERROR;
    }
    let failing = match fail_on {
        FailOn::Never => false,
        FailOn::AtLeast(min) => outcome
            .findings
            .refs()
            .any(|f| !f.suppressed && f.severity >= min),
    };
    if failing { EXIT_FINDINGS } else { EXIT_CLEAN }
}

/// A finished scan and what it was run with.
pub struct Scanned {
    /// The configuration in effect.
    pub resolved: config::Resolved,
    /// The rules that ran.
    pub rules: RuleSet,
    /// What was found, with waivers and the baseline applied.
    pub outcome: ScanOutcome,
    /// How inputs were read (for re-scanning after fixes).
    pub opts: ScanOptions,
    /// The paths scanned.
    pub paths: Vec<PathBuf>,
}

/// Palisade's own outputs (`-o FILE`, `--output-format FORMAT:FILE`, the baseline read and the
/// one written): a report written inside the scanned tree (a `.json` one is a manifest by its
/// name) is not scanned back.
fn own_outputs(args: &ScanArgs) -> Vec<PathBuf> {
    let reports = args
        .output_format
        .iter()
        .filter_map(|spec| config::Output::parse(spec).ok()?.path);
    [&args.output, &args.baseline, &args.write_baseline]
        .into_iter()
        .flatten()
        .cloned()
        .chain(reports)
        .filter(|p| p.as_os_str() != "-")
        .map(|p| palisade_inputs::real_path(&p))
        .collect()
}

/// Resolve the configuration and scan, applying waivers and the baseline.
pub fn run_scan(args: &ScanArgs) -> Result<Scanned> {
    run_scan_with_stdin(args, None)
}

/// [`run_scan`], with standard input already read when `stdin_text` is given.
pub fn run_scan_with_stdin(args: &ScanArgs, stdin_text: Option<Arc<str>>) -> Result<Scanned> {
    let resolved = config::resolve(args)?;
    let rules = RuleSet::new(palisade_rules::registry(), resolved.settings.clone())?;
    let paths = args.roots();
    let opts = ScanOptions {
        discover: DiscoverOptions {
            excludes: resolved.excludes.clone(),
            respect_ignore_files: !args.no_ignore,
            render: !args.no_render,
            follow_symlinks: resolved.input.follow_symlinks,
            force_exclude: resolved.force_exclude,
            project: resolved.project.clone(),
            skip: own_outputs(args),
        },
        max_file_size: resolved.max_file_size,
        stdin_timeout: resolved.input.stdin_timeout,
        keep_sources: resolved.outputs.iter().any(|o| o.format == Format::Text),
        limits: Limits::default(),
        render: RenderOptions {
            helm: args.helm.clone(),
            kubectl: args.kubectl.clone(),
            values: args.values.clone(),
            set: args.set.clone(),
            set_string: args.set_string.clone(),
            namespace: args.namespace.clone(),
            max_output: resolved.max_file_size.max(64 << 20),
            timeout: resolved.input.render_timeout,
            allow_remote: resolved.input.allow_remote_bases,
            ..RenderOptions::default()
        },
        render_errors: resolved.render_errors,
        stdin_text,
    };
    let outcome = scan_governed(&paths, &rules, &opts, &resolved, args)?;
    Ok(Scanned {
        resolved,
        rules,
        outcome,
        opts,
        paths,
    })
}

/// Scan, then apply waivers (reporting expired and unused ones) and the baseline.
pub fn scan_governed(
    paths: &[PathBuf],
    rules: &RuleSet,
    opts: &ScanOptions,
    resolved: &config::Resolved,
    args: &ScanArgs,
) -> Result<ScanOutcome> {
    let mut outcome = scan_paths(paths, rules, opts);
    outcome.notes.extend(resolved.notes.iter().cloned());
    let problems = palisade_engine::apply_waivers(
        &mut outcome.findings,
        &resolved.waivers,
        &today()?,
        &resolved.project,
        &|sel| rules.enabled().iter().any(|r| sel.matches(r)),
    );
    let mut waiver_findings =
        palisade_rules::pal::waiver_findings(&problems, &resolved.waivers, rules.enabled());
    outcome.findings.append(&mut waiver_findings);
    if let Some(baseline) = &args.baseline {
        let note = apply_baseline(&mut outcome.findings, baseline, &resolved.project)?;
        outcome.notes.extend(note);
    }
    // Every finding below the reporting threshold goes, Palisade's own (PAL) included: rules
    // drop theirs as they run, the limit, parse and waiver findings are made outside rules.
    if let Some(min) = resolved.settings.min_severity {
        outcome.findings.retain(|f| f.severity >= min);
    }
    // Folded last: waivers (a namespace, an object name) and baselines (a fingerprint with the
    // object) match each overlay's own copy, so what they suppress does not depend on whether
    // the overlay was scanned alone or with its base; copies fold only when equally suppressed.
    outcome.folded = merge_overlays(&mut outcome.findings);
    outcome.count();
    if resolved.sort != palisade_report::SortOrder::Path {
        palisade_report::sort_findings(&mut outcome.findings, resolved.sort);
    }
    Ok(outcome)
}

/// `palisade scan`.
pub fn command(args: &ScanArgs) -> Result<u8> {
    if args.fix || args.diff {
        return crate::fix::command(args, false);
    }
    let scanned = run_scan(args)?;
    warn_about_inputs(args, &scanned.outcome)?;
    if let Some(path) = &args.write_baseline {
        write_baseline(&scanned.outcome, path, &scanned.resolved.project)?;
    }
    let code = report(args, &scanned);
    // The process ends next: the operating system takes the memory back at once, where
    // dropping hundreds of thousands of findings, facts and source texts one by one would
    // take milliseconds of a scan that takes a few hundred.
    std::mem::forget(scanned);
    code
}

/// Say on standard error what the user may not expect of the inputs: a piped standard input
/// that is not read because no `-` names it, and a scan that found nothing to read.
///
/// ripgrep reads a piped standard input when no path is given; Palisade does not, because CI
/// runners (GitLab's among them) attach a pipe that nobody writes to, and a security scan that
/// then read an empty input instead of the repository would pass without looking at anything.
fn warn_about_inputs(args: &ScanArgs, outcome: &ScanOutcome) -> std::io::Result<()> {
    let mut err = std::io::stderr().lock();
    if args.paths.is_empty() && palisade_inputs::stdin_is_piped() {
        writeln!(
            err,
            "note: scanning the current directory; standard input is read only when named as `-` (e.g. `helm template . | palisade scan -`)"
        )?;
    }
    // A chart or overlay that did not render is already reported (a warning): it was found.
    if outcome.summary.files == 0 && outcome.errors.is_empty() && outcome.warnings.is_empty() {
        let paths: Vec<String> = args
            .roots()
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        writeln!(
            err,
            "warning: nothing to scan: no .yaml, .yml or .json file in {} (after excludes and ignore files)",
            printable(&paths.join(", "))
        )?;
    }
    Ok(())
}

/// Render the reports of a scan and return its exit code.
pub fn report(args: &ScanArgs, scanned: &Scanned) -> Result<u8> {
    let (resolved, rules, outcome) = (&scanned.resolved, &scanned.rules, &scanned.outcome);
    let metas: Vec<_> = rules.enabled().iter().map(|r| &r.meta).collect();
    let stdout_terminal = std::io::stdout().is_terminal();
    let mut report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &outcome.findings,
        errors: &outcome.errors,
        warnings: &outcome.warnings,
        notes: &outcome.notes,
        summary: &outcome.summary,
        rules: &metas,
        sources: &outcome.sources,
        show_suppressed: args.show_suppressed,
        evaluated: &outcome.evaluated,
        show_compliance: args.compliance || rules.settings().selection.profile.is_framework(),
        layout: palisade_report::Layout {
            quiet: args.quiet,
            sort: resolved.sort,
            width: None,
        },
        project: Some(&resolved.project),
        fail_on: resolved.fail_on.threshold(),
    };
    for output in &resolved.outputs {
        let to_terminal = output.path.is_none() && stdout_terminal;
        let color = match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        report.layout.width = if output.path.is_none() {
            terminal_width(stdout_terminal)
        } else {
            None
        };
        write_report(output, &report, color)?;
    }
    // With every report in a file, the run still says what it found.
    if resolved.outputs.iter().all(|o| o.path.is_some()) {
        eprintln!("{}", palisade_report::summary_line(&report));
    }
    Ok(exit_code(outcome, resolved.fail_on))
}

/// The width to wrap text on standard output to: an exported `COLUMNS` (a deliberate choice,
/// honoured in pipes too), else the terminal's; text piped elsewhere is not wrapped.
fn terminal_width(terminal: bool) -> Option<usize> {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .or_else(|| {
            terminal
                .then(terminal_size::terminal_size)
                .flatten()
                .map(|(w, _)| usize::from(w.0))
        })
}

fn write_report(output: &config::Output, report: &Report<'_>, color: bool) -> Result<()> {
    match &output.path {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            palisade_report::render(output.format, report, color, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write {}", path.display()))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match palisade_report::render(output.format, report, color, &mut out)
                .and_then(|()| out.flush())
            {
                // A closed pipe (`palisade scan | head`) is not an error worth reporting.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write the report"),
            }
        }
    }
}
