//! `palisade fix` and `palisade scan --fix / --diff`: apply the mechanical fixes findings carry
//! to plain YAML files (or to standard input, written to standard output), as minimal text
//! edits that keep comments, order and formatting. Unsafe fixes, which may change what a
//! workload does, are applied only with `--unsafe-fixes`; the others are counted.

use std::io::Write;
use std::sync::Arc;

use anyhow::{Context, Result};
use palisade_inputs::read_stdin;
use palisade_report::terminal::printable;
use palisade_scan::fix::{FixPlan, PlanOptions, plan, write_diff};

use crate::cli::ScanArgs;
use crate::scan::{self, Scanned, exit_code};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// One line per finding that could not be fixed, one about rendered inputs and one about
/// unsafe fixes left alone.
fn problems(plan: &FixPlan) -> Vec<String> {
    let mut lines: Vec<String> = plan
        .files
        .iter()
        .flat_map(|f| {
            f.failed.iter().map(move |(message, reason)| {
                format!("{}: not fixed ({message}): {reason}", f.path)
            })
        })
        .collect();
    if plan.rendered > 0 {
        lines.push(format!(
            "{} fixable finding{} in Helm charts or Kustomize builds left as they are: change the values key or file each one names",
            plan.rendered,
            if plan.rendered == 1 { " is" } else { "s are" }
        ));
    }
    if plan.unsafe_skipped > 0 {
        let n = plan.unsafe_skipped;
        lines.push(format!(
            "{n} unsafe fix{} not applied: {} may change what a workload does; preview with `--diff --unsafe-fixes`, apply with `--unsafe-fixes`",
            if n == 1 { " was" } else { "es were" },
            if n == 1 { "it" } else { "they" }
        ));
    }
    lines
}

/// The namespace objects without one are placed in: the release namespace of rendering, else
/// `default`.
fn release_namespace(opts: &palisade_scan::ScanOptions) -> &str {
    opts.render.namespace.as_deref().unwrap_or("default")
}

/// Refuse inputs a fix cannot be written back to; standard input is fixed only by
/// `palisade fix -` on its own (the fixed text goes to standard output).
fn check_paths(args: &ScanArgs, summary_only: bool) -> Result<bool> {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin && !summary_only && !args.diff {
        anyhow::bail!(
            "`scan --fix` rewrites files, and standard input is not one: run `palisade fix -` to write the fixed YAML to standard output, or `palisade scan -` to report"
        );
    }
    if stdin && args.paths.len() > 1 {
        anyhow::bail!(
            "standard input is fixed on its own (the fixed YAML goes to standard output): run `palisade fix -` without other paths"
        );
    }
    // A named pipe or device can be read once, not rewritten (nor read again after the fix).
    if let Some(special) = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .find(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir()))
    {
        anyhow::bail!(
            "fixes rewrite files, and {} is not a regular file: save it to a file, or run `palisade scan` to report",
            special.display()
        );
    }
    Ok(stdin)
}

/// The plural `s` of a count.
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `fix --diff`: print the diff, the notes on standard error, and change nothing.
fn diff_command(scanned: &Scanned, plan: &FixPlan) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    let altered =
        write_diff(plan, &scanned.opts.limits, &mut out).context("cannot write the diff")?;
    let mut err = std::io::stderr().lock();
    for e in scanned.outcome.errors.iter().chain(&plan.errors) {
        writeln!(err, "error: {}", crate::input_error_line(e))?;
    }
    for w in &scanned.outcome.warnings {
        writeln!(err, "warning: {}", crate::input_error_line(w))?;
    }
    for line in &problems(plan) {
        writeln!(err, "note: {}", printable(line))?;
    }
    if altered > 0 {
        writeln!(
            err,
            "note: {altered} hunk{} of the diff show{} secret values as **** (or escaped characters), so `git apply` cannot apply {}; `palisade fix` applies every fix",
            plural(altered),
            if altered == 1 { "s" } else { "" },
            if altered == 1 { "it" } else { "them" }
        )?;
    }
    let files = plan.changed().count();
    writeln!(
        err,
        "{} fix{} in {files} file{} (nothing written)",
        plan.fixed(),
        if plan.fixed() == 1 { "" } else { "es" },
        plural(files)
    )?;
    Ok(
        if !scanned.outcome.errors.is_empty() || !plan.errors.is_empty() {
            EXIT_ERROR
        } else if files > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        },
    )
}

/// `palisade fix -`: the fixed text on standard output, what was done and what remains on
/// standard error.
fn stdin_command(args: &ScanArgs, scanned: Scanned, plan: &FixPlan) -> Result<u8> {
    let fixed = plan
        .files
        .iter()
        .find(|f| f.path == "-")
        .map(|f| f.after.clone())
        .or_else(|| scanned.opts.stdin_text.as_deref().map(str::to_string))
        .unwrap_or_default();
    {
        let mut out = std::io::stdout().lock();
        out.write_all(fixed.as_bytes())
            .and_then(|()| out.flush())
            .context("cannot write the fixed text")?;
    }
    let rescanned = scan::run_scan_with_stdin(args, Some(Arc::from(fixed)))?;
    let mut err = std::io::stderr().lock();
    for line in &problems(plan) {
        writeln!(err, "note: {}", printable(line))?;
    }
    let remaining = rescanned.outcome.summary.findings;
    writeln!(
        err,
        "fixed {} finding{}; {remaining} finding{} remain{}.",
        plan.fixed(),
        plural(plan.fixed()),
        plural(remaining),
        if remaining == 1 { "s" } else { "" }
    )?;
    for e in &rescanned.outcome.errors {
        writeln!(err, "error: {}", crate::input_error_line(e))?;
    }
    Ok(exit_code(&rescanned.outcome, scanned.resolved.fail_on))
}

/// `palisade fix` (`summary_only`) and `palisade scan --fix / --diff`.
pub fn command(args: &ScanArgs, summary_only: bool) -> Result<u8> {
    let stdin = check_paths(args, summary_only)?;
    let stdin_text: Option<Arc<str>> = if stdin {
        let resolved = crate::config::resolve(args)?;
        let limits = palisade_inputs::ReadLimits {
            max_size: resolved.max_file_size,
            stream_timeout: resolved.input.stdin_timeout,
        };
        match read_stdin(&limits) {
            Ok(text) => Some(Arc::from(text)),
            Err(e) => {
                eprintln!("error: {}", crate::input_error_line(&e.into()));
                return Ok(EXIT_ERROR);
            }
        }
    } else {
        None
    };
    let scanned = scan::run_scan_with_stdin(args, stdin_text.clone())?;
    let mut plan = plan(
        &scanned.outcome.findings,
        &scanned.outcome.non_utf8_names,
        &scanned.opts.limits,
        PlanOptions {
            unsafe_fixes: scanned.resolved.unsafe_fixes,
            stdin: stdin_text.as_deref(),
        },
    );
    if args.diff {
        return diff_command(&scanned, &plan);
    }
    if stdin {
        return stdin_command(args, scanned, &plan);
    }
    let problems = problems(&plan);
    plan.write();
    let Scanned {
        resolved,
        rules,
        opts,
        paths,
        ..
    } = scanned;
    let mut outcome = palisade_scan::scan_governed(&paths, &rules, &opts, &resolved)?;
    if let Some(path) = &args.write_baseline {
        palisade_scan::write_baseline(&outcome, path, &resolved.project, release_namespace(&opts))?;
    }
    outcome.errors.extend(plan.errors.iter().cloned());
    outcome.errors.sort();
    outcome.count();
    let files = plan.changed().count();
    let summary = format!(
        "fixed {} finding{} in {files} file{}",
        plan.fixed(),
        plural(plan.fixed()),
        plural(files)
    );
    if summary_only {
        let mut out = std::io::stdout().lock();
        for file in plan.changed() {
            writeln!(out, "{}: {} fixed", printable(&file.path), file.fixed)?;
        }
        for line in &problems {
            writeln!(out, "note: {}", printable(line))?;
        }
        let remaining = outcome.summary.findings;
        writeln!(
            out,
            "{}{summary}; {remaining} finding{} remain{}.",
            if files > 0 { "\n" } else { "" },
            plural(remaining),
            if remaining == 1 { "s" } else { "" }
        )?;
        for e in &outcome.errors {
            writeln!(out, "error: {}", crate::input_error_line(e))?;
        }
        for w in &outcome.warnings {
            writeln!(out, "warning: {}", crate::input_error_line(w))?;
        }
        return Ok(exit_code(&outcome, resolved.fail_on));
    }
    outcome.notes.insert(0, summary);
    outcome.notes.extend(problems);
    let rescanned = Scanned {
        resolved,
        rules,
        outcome,
        opts,
        paths,
    };
    scan::report(args, &rescanned)
}
