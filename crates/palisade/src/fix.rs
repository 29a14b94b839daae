//! `palisade fix` and `palisade scan --fix / --diff`: apply the mechanical fixes findings carry
//! to plain YAML files, as minimal text edits that keep comments, order and formatting.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use palisade_diagnostics::{Finding, InputError};
use palisade_engine::apply_fixes;
use palisade_model::secrets::text_secrets;
use palisade_report::terminal::{printable, safe_line};
use palisade_source::{Limits, SecretSpans};

use crate::cli::ScanArgs;
use crate::scan::{self, Scanned, exit_code};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// The fixes for one file.
#[derive(Debug)]
pub struct FileFix {
    /// The file, as findings name it.
    pub path: String,
    /// Its text now.
    pub before: String,
    /// Its text with the fixes.
    pub after: String,
    /// Findings fixed.
    pub fixed: usize,
    /// Findings that could not be fixed: (message, reason).
    pub failed: Vec<(String, String)>,
}

/// Every fix a scan found, per file.
#[derive(Debug, Default)]
pub struct FixPlan {
    /// Files with at least one fix or failure, by path.
    pub files: Vec<FileFix>,
    /// Fixable findings in rendered objects (Helm, Kustomize): their sources are not rewritten.
    pub rendered: usize,
    /// Files with fixes that cannot be rewritten (unreadable, or named with bytes that are not
    /// UTF-8): the other files are fixed all the same.
    pub errors: Vec<InputError>,
}

/// Which findings `palisade fix` may act on: unsuppressed, with a fix, in a plain file.
fn fixable(f: &Finding) -> bool {
    !f.suppressed && f.fix.is_some() && f.location.path != "-"
}

/// A file that cannot be rewritten: reported as an input error, the other files go on.
fn not_rewritten(path: &str, message: String) -> InputError {
    InputError {
        path: path.to_string(),
        line: None,
        column: None,
        message,
    }
}

/// Work out the fixes of `findings` file by file. `non_utf8` holds the display paths of files
/// whose real name is not UTF-8: findings name files by a lossy display, which may be the name
/// of another file, so such files are never rewritten.
pub fn plan(
    findings: &[Finding],
    non_utf8: &std::collections::BTreeSet<String>,
    limits: &Limits,
) -> FixPlan {
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut out = FixPlan::default();
    for f in findings.iter().filter(|f| fixable(f)) {
        if f.origin.is_some() {
            out.rendered += 1;
        } else {
            by_file.entry(&f.location.path).or_default().push(f);
        }
    }
    for (path, findings) in by_file {
        if non_utf8.contains(path) {
            out.errors.push(not_rewritten(
                path,
                "not fixed: the file name is not valid UTF-8 (rename the file to fix it)".into(),
            ));
            continue;
        }
        // A named pipe or device given on the command line was read once, as a stream: it
        // cannot be read again (that would wait for a new writer), nor rewritten.
        let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
        let before = if regular {
            match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) => {
                    out.errors
                        .push(not_rewritten(path, format!("not fixed: cannot read: {e}")));
                    continue;
                }
            }
        } else {
            String::new()
        };
        if !regular || before.trim_start().starts_with(['{', '[']) {
            // Edits are written in YAML syntax, which would turn the file into YAML.
            let reason = if regular {
                "JSON files are not rewritten"
            } else {
                "only regular files are rewritten"
            }
            .to_string();
            out.files.push(FileFix {
                path: path.to_string(),
                after: before.clone(),
                before,
                fixed: 0,
                failed: findings
                    .iter()
                    .map(|f| (f.message.clone(), reason.clone()))
                    .collect(),
            });
            continue;
        }
        let outcome = apply_fixes(&before, &findings, limits);
        let failed = outcome
            .failed
            .iter()
            .map(|(i, reason)| (findings[*i].message.clone(), reason.clone()))
            .collect();
        out.files.push(FileFix {
            path: path.to_string(),
            before,
            after: outcome.text,
            fixed: outcome.fixed,
            failed,
        });
    }
    out
}

impl FixPlan {
    fn changed(&self) -> impl Iterator<Item = &FileFix> {
        self.files.iter().filter(|f| f.before != f.after)
    }

    fn fixed(&self) -> usize {
        self.changed().map(|f| f.fixed).sum()
    }

    /// One line per finding that could not be fixed, and one about rendered inputs.
    fn problems(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .files
            .iter()
            .flat_map(|f| {
                f.failed.iter().map(move |(message, reason)| {
                    format!("{}: not fixed ({message}): {reason}", f.path)
                })
            })
            .collect();
        if self.rendered > 0 {
            lines.push(format!(
                "{} fixable finding{} in Helm charts or Kustomize builds left as they are: change the values key or file each one names",
                self.rendered,
                if self.rendered == 1 { " is" } else { "s are" }
            ));
        }
        lines
    }
}

/// Byte offsets of the lines of a text, for finding a diff line's secrets.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// One side of a diff: its text's line offsets and secret values.
struct Side {
    starts: Vec<usize>,
    secrets: SecretSpans,
}

impl Side {
    fn new(text: &str, limits: &Limits) -> Self {
        Side {
            starts: line_starts(text),
            secrets: text_secrets(text, limits),
        }
    }

    /// Line `index` (0-based) as it may be shown: secrets masked, controls escaped.
    fn show(&self, index: Option<usize>, line: &str) -> String {
        let offset = index.and_then(|i| self.starts.get(i)).copied();
        match offset {
            Some(offset) => safe_line(line, offset, &self.secrets),
            // Not located (cannot happen): hide the whole line rather than risk a secret.
            None => palisade_source::MASK.to_string(),
        }
    }
}

/// Write a unified diff of every change, for review: the lines of both sides show secret
/// values as `****` and control characters escaped, as text output does, so the diff can
/// be read in a CI log safely (and is not meant for `patch`).
pub fn write_diff(plan: &FixPlan, limits: &Limits, out: &mut dyn Write) -> std::io::Result<()> {
    for file in plan.changed() {
        let (old, new) = (
            Side::new(&file.before, limits),
            Side::new(&file.after, limits),
        );
        let diff = similar::TextDiff::from_lines(&file.before, &file.after);
        let path = printable(&file.path);
        writeln!(out, "--- a/{path}\n+++ b/{path}")?;
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            writeln!(out, "{}", hunk.header())?;
            for change in hunk.iter_changes() {
                let value = change.value();
                let line = value.strip_suffix('\n').unwrap_or(value);
                let line = line.strip_suffix('\r').unwrap_or(line);
                let shown = match change.tag() {
                    similar::ChangeTag::Insert => new.show(change.new_index(), line),
                    _ => old.show(change.old_index(), line),
                };
                writeln!(out, "{}{shown}", change.tag())?;
                if change.missing_newline() {
                    writeln!(out, "\\ No newline at end of file")?;
                }
            }
        }
    }
    Ok(())
}

/// Replace a file's contents without ever leaving it half written.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.palisade-fix"));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))
}

/// `palisade fix` (`summary_only`) and `palisade scan --fix / --diff`.
pub fn command(args: &ScanArgs, summary_only: bool) -> Result<u8> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        anyhow::bail!(
            "fixes rewrite files, and standard input is not one: save it to a file, or run `palisade scan -` to report"
        );
    }
    // A named pipe or device can be read once, not rewritten (nor read again after the fix).
    if let Some(special) = args
        .paths
        .iter()
        .find(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_file() && !m.is_dir()))
    {
        anyhow::bail!(
            "fixes rewrite files, and {} is not a regular file: save it to a file, or run `palisade scan` to report",
            special.display()
        );
    }
    let scanned = scan::run_scan(args)?;
    let mut plan = plan(
        &scanned.outcome.findings,
        &scanned.outcome.non_utf8_names,
        &scanned.opts.limits,
    );
    let problems = plan.problems();
    if args.diff {
        let mut out = std::io::stdout().lock();
        write_diff(&plan, &scanned.opts.limits, &mut out).context("cannot write the diff")?;
        let mut err = std::io::stderr().lock();
        for e in scanned.outcome.errors.iter().chain(&plan.errors) {
            writeln!(err, "error: {}", crate::input_error_line(e))?;
        }
        for line in &problems {
            writeln!(err, "note: {}", printable(line))?;
        }
        let files = plan.changed().count();
        writeln!(
            err,
            "{} fix{} in {files} file{} (nothing written)",
            plan.fixed(),
            if plan.fixed() == 1 { "" } else { "es" },
            if files == 1 { "" } else { "s" }
        )?;
        return Ok(
            if !scanned.outcome.errors.is_empty() || !plan.errors.is_empty() {
                EXIT_ERROR
            } else if files > 0 {
                EXIT_FINDINGS
            } else {
                EXIT_CLEAN
            },
        );
    }
    let mut unwritten = Vec::new();
    for file in plan.changed() {
        // Through a symbolic link, the file it points to is fixed and the link kept.
        let path = Path::new(&file.path);
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Err(e) = write_atomically(&target, &file.after) {
            unwritten.push(not_rewritten(&file.path, format!("not fixed: {e:#}")));
        }
    }
    plan.files
        .retain(|f| !unwritten.iter().any(|e| e.path == f.path));
    plan.errors.extend(unwritten);
    let Scanned {
        resolved,
        rules,
        opts,
        paths,
        ..
    } = scanned;
    let mut outcome = scan::scan_governed(&paths, &rules, &opts, &resolved, args)?;
    if let Some(path) = &args.write_baseline {
        scan::write_baseline(&outcome.findings, path, &resolved.project)?;
    }
    outcome.errors.extend(plan.errors.iter().cloned());
    outcome.errors.sort();
    outcome.count();
    let files = plan.changed().count();
    let summary = format!(
        "fixed {} finding{} in {files} file{}",
        plan.fixed(),
        if plan.fixed() == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
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
            if remaining == 1 { "" } else { "s" },
            if remaining == 1 { "s" } else { "" }
        )?;
        for e in &outcome.errors {
            writeln!(out, "error: {}", crate::input_error_line(e))?;
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
