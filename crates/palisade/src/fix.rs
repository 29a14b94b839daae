//! `palisade fix` and `palisade scan --fix / --diff`: apply the mechanical fixes findings carry
//! to plain YAML files, as minimal text edits that keep comments, order and formatting.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use palisade_diagnostics::Finding;
use palisade_engine::apply_fixes;
use palisade_source::Limits;

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
}

/// Which findings `palisade fix` may act on: unsuppressed, with a fix, in a plain file.
fn fixable(f: &Finding) -> bool {
    !f.suppressed && f.fix.is_some() && f.location.path != "-"
}

/// Work out the fixes of `findings` file by file.
pub fn plan(findings: &[Finding], limits: &Limits) -> Result<FixPlan> {
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
        // A named pipe or device given on the command line was read once, as a stream: it
        // cannot be read again (that would wait for a new writer), nor rewritten.
        let regular = std::fs::metadata(path).is_ok_and(|m| m.is_file());
        let before = if regular {
            std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?
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
    Ok(out)
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

/// Write a unified diff of every change.
pub fn write_diff(plan: &FixPlan, out: &mut dyn Write) -> std::io::Result<()> {
    for file in plan.changed() {
        let diff = similar::TextDiff::from_lines(&file.before, &file.after);
        let header = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", file.path), &format!("b/{}", file.path))
            .to_string();
        out.write_all(header.as_bytes())?;
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
    let plan = plan(&scanned.outcome.findings, &scanned.opts.limits)?;
    let problems = plan.problems();
    if args.diff {
        let mut out = std::io::stdout().lock();
        write_diff(&plan, &mut out).context("cannot write the diff")?;
        let mut err = std::io::stderr().lock();
        for line in &problems {
            writeln!(err, "note: {line}")?;
        }
        let files = plan.changed().count();
        writeln!(
            err,
            "{} fix{} in {files} file{} (nothing written)",
            plan.fixed(),
            if plan.fixed() == 1 { "" } else { "es" },
            if files == 1 { "" } else { "s" }
        )?;
        return Ok(if !scanned.outcome.errors.is_empty() {
            EXIT_ERROR
        } else if files > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_CLEAN
        });
    }
    for file in plan.changed() {
        // Through a symbolic link, the file it points to is fixed and the link kept.
        let path = Path::new(&file.path);
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        write_atomically(&target, &file.after)?;
    }
    let Scanned {
        resolved,
        rules,
        opts,
        paths,
        ..
    } = scanned;
    let mut outcome = scan::scan_governed(&paths, &rules, &opts, &resolved, args)?;
    if let Some(path) = &args.write_baseline {
        scan::write_baseline(&outcome.findings, path)?;
    }
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
            writeln!(out, "{}: {} fixed", file.path, file.fixed)?;
        }
        for line in &problems {
            writeln!(out, "note: {line}")?;
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
            writeln!(out, "error: {}: {}", e.path, e.message)?;
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
