//! `palisade scan`: flags to settings, the scan pipeline (`palisade_scan`), the reports and
//! the exit code.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use palisade_config::{FailOn, Output, Resolved};
use palisade_engine::RuleSet;
use palisade_inputs::render::RenderOptions;
use palisade_report::Report;
use palisade_report::terminal::printable;
use palisade_scan::{ScanOptions, ScanOutcome, ScanRequest, scan_governed, write_baseline};

use crate::cli::{ColorChoice, ScanArgs};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// The exit code for an outcome.
pub fn exit_code(outcome: &ScanOutcome, fail_on: FailOn) -> u8 {
    if !outcome.errors.is_empty() {
        EXIT_ERROR
    } else if outcome.fails(fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

/// A finished scan and what it was run with.
pub struct Scanned {
    /// The configuration in effect.
    pub resolved: Resolved,
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
        .filter_map(|spec| Output::parse(spec).ok()?.path);
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
    let resolved = crate::config::resolve(args)?;
    let paths = args.roots();
    let policies = palisade_scan::load_policies(&resolved);
    // Policies that read other objects index standard input too: read it once, here.
    let stdin_text = match stdin_text {
        None if policies.needs_data() && paths.iter().any(|p| p.as_os_str() == "-") => {
            let limits = palisade_inputs::ReadLimits {
                max_size: resolved.max_file_size,
                stream_timeout: resolved.input.stdin_timeout,
            };
            let text = palisade_inputs::read_stdin(&limits)
                .map_err(|e| anyhow::anyhow!("{}", crate::input_error_line(&e.into())))?;
            Some(Arc::from(text))
        }
        given => given,
    };
    let policies = palisade_scan::bind_policies(
        &policies,
        &paths,
        !args.no_render,
        &resolved,
        stdin_text.as_deref(),
    );
    let mut rules = palisade_scan::rule_set(&resolved, &policies)?;
    if rules.keeps_views() {
        rules = rules.keep_views(args.namespace.as_deref());
    }
    let request = ScanRequest {
        respect_ignore_files: !args.no_ignore,
        render: !args.no_render,
        skip: own_outputs(args),
        rendering: RenderOptions {
            helm: args.helm.clone(),
            kubectl: args.kubectl.clone(),
            values: args.values.clone(),
            set: args.set.clone(),
            set_string: args.set_string.clone(),
            namespace: args.namespace.clone(),
            ..RenderOptions::default()
        },
        stdin_text,
    };
    let opts = ScanOptions::new(&resolved, request, crate::progress::Progress::for_stderr());
    let mut outcome = scan_governed(&paths, &rules, &opts, &resolved)?;
    outcome
        .errors
        .extend(palisade_scan::policy_errors(&policies));
    Ok(Scanned {
        resolved,
        rules,
        outcome,
        opts,
        paths,
    })
}

/// `palisade scan`.
pub fn command(args: &ScanArgs) -> Result<u8> {
    if args.fix || args.diff {
        return crate::fix::command(args, false);
    }
    let scanned = run_scan(args)?;
    warn_about_inputs(args, &scanned.outcome)?;
    if let Some(path) = &args.write_baseline {
        let namespace = scanned
            .opts
            .render
            .namespace
            .as_deref()
            .unwrap_or("default");
        write_baseline(&scanned.outcome, path, &scanned.resolved.project, namespace)?;
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
    let metas: Vec<_> = rules.enabled().iter().map(|r| r.meta.clone()).collect();
    let stdout_terminal = std::io::stdout().is_terminal();
    let shown = Shown {
        suppressed: args.show_suppressed,
        compliance: args.compliance || rules.settings().selection.profile.is_framework(),
        quiet: args.quiet,
    };
    let mut report = report_of(outcome, &metas, resolved, shown);
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

/// What a report shows beside the findings.
#[derive(Debug, Clone, Copy)]
pub struct Shown {
    /// Suppressed findings too (`--show-suppressed`).
    pub suppressed: bool,
    /// The compliance summary in text output.
    pub compliance: bool,
    /// Only the summary line in text output (`--quiet`).
    pub quiet: bool,
}

/// The report of `outcome`, with the rules that ran and the configuration's order, project and
/// threshold: every command that reports a scan builds its report here.
pub fn report_of<'a>(
    outcome: &'a ScanOutcome,
    rules: &'a [palisade_diagnostics::RuleRef],
    resolved: &'a Resolved,
    shown: Shown,
) -> Report<'a> {
    Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &outcome.findings,
        errors: &outcome.errors,
        warnings: &outcome.warnings,
        notes: &outcome.notes,
        summary: &outcome.summary,
        rules,
        sources: &outcome.sources,
        show_suppressed: shown.suppressed,
        evaluated: &outcome.evaluated,
        show_compliance: shown.compliance,
        layout: palisade_report::Layout {
            quiet: shown.quiet,
            sort: resolved.sort,
            width: None,
        },
        project: Some(&resolved.project),
        fail_on: resolved.fail_on.threshold(),
        views: outcome.views.as_ref(),
    }
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

fn write_report(output: &Output, report: &Report<'_>, color: bool) -> Result<()> {
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
