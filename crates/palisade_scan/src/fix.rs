//! Fix planning: the mechanical fixes findings carry, applied to plain YAML files (or to
//! standard input's text) as minimal text edits that keep comments, order and formatting;
//! a unified diff of them with secrets masked; and writing them back atomically. Unsafe
//! fixes, which may change what a workload does, are applied only when asked.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use palisade_diagnostics::{ArcStr, Finding, FindingList, InputError};
use palisade_engine::apply_fixes;
use palisade_model::secrets::text_secrets;
use palisade_report::terminal::{printable, safe_line};
use palisade_source::{Limits, SecretSpans};

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
    /// Findings whose fix is unsafe, left alone without `--unsafe-fixes`.
    pub unsafe_skipped: usize,
}

/// What a fix plan starts from besides the findings.
#[derive(Debug, Clone, Copy)]
pub struct PlanOptions<'a> {
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// The text of standard input, when it is to be fixed (path `-`).
    pub stdin: Option<&'a str>,
}

/// Which findings `palisade fix` may act on: unsuppressed, with a fix, in a plain file (or in
/// standard input, when its text is at hand).
fn fixable(f: &Finding, stdin: bool) -> bool {
    !f.suppressed && f.fix.is_some() && f.location.path().is_some_and(|p| stdin || p != "-")
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
    findings: &FindingList,
    non_utf8: &std::collections::BTreeSet<String>,
    limits: &Limits,
    options: PlanOptions<'_>,
) -> FixPlan {
    let mut by_file: BTreeMap<ArcStr, Vec<Finding>> = BTreeMap::new();
    let mut out = FixPlan::default();
    let stdin = options.stdin.is_some();
    for f in findings.iter().filter(|f| fixable(f, stdin)) {
        if f.origin.is_some() {
            out.rendered += 1;
        } else if !options.unsafe_fixes && !f.fix.as_ref().is_some_and(|x| x.is_safe()) {
            out.unsafe_skipped += 1;
        } else if let Some(path) = f.location.path().cloned() {
            by_file.entry(path).or_default().push(f);
        }
    }
    if let Some(e) = findings.storage_error() {
        out.errors.push(not_rewritten(
            "<findings>",
            format!("some fixes may be missing: {e}"),
        ));
    }
    for (path, findings) in &by_file {
        let path = path.as_str();
        let findings: Vec<&Finding> = findings.iter().collect();
        if non_utf8.contains(path) {
            out.errors.push(not_rewritten(
                path,
                "not fixed: the file name is not valid UTF-8 (rename the file to fix it)".into(),
            ));
            continue;
        }
        // A named pipe or device given on the command line was read once, as a stream: it
        // cannot be read again (that would wait for a new writer), nor rewritten. Standard
        // input was read before the scan, to be fixed to standard output.
        let stdin_text = options.stdin.filter(|_| path == "-");
        let regular = stdin_text.is_some() || std::fs::metadata(path).is_ok_and(|m| m.is_file());
        let before = if let Some(text) = stdin_text {
            text.to_string()
        } else if regular {
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
                    .map(|f| (f.message.to_string(), reason.clone()))
                    .collect(),
            });
            continue;
        }
        let outcome = apply_fixes(&before, &findings, limits);
        let failed = outcome
            .failed
            .iter()
            .map(|(i, reason)| (findings[*i].message.to_string(), reason.clone()))
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
    /// The files the fixes change.
    pub fn changed(&self) -> impl Iterator<Item = &FileFix> {
        self.files.iter().filter(|f| f.before != f.after)
    }

    /// Findings the changes fix.
    pub fn fixed(&self) -> usize {
        self.changed().map(|f| f.fixed).sum()
    }

    /// Write every changed file (through a symbolic link, the file it points to, keeping the
    /// link); a file that cannot be written is dropped from the plan and becomes an error.
    pub fn write(&mut self) {
        let mut unwritten = Vec::new();
        for file in self.changed() {
            let path = Path::new(&file.path);
            let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            if let Err(e) = write_atomically(&target, &file.after) {
                unwritten.push(not_rewritten(&file.path, format!("not fixed: {e}")));
            }
        }
        self.files
            .retain(|f| !unwritten.iter().any(|e| e.path == f.path));
        self.errors.extend(unwritten);
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

/// `path` made absolute against `cwd`, with `.` and `..` resolved by name (no link is
/// followed: the diff names the path as the user wrote it).
fn lexical_absolute(cwd: &Path, path: &Path) -> std::path::PathBuf {
    let mut out = if path.is_absolute() {
        std::path::PathBuf::new()
    } else {
        cwd.to_path_buf()
    };
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The name of a file in a diff header: relative to the working directory when it is below
/// it, without `./` (which `git apply` refuses), and quoted as Git quotes names (`"a/x\ty"`)
/// when it holds a quote, a backslash or a character a terminal must not receive.
fn diff_name(side: &str, path: &str) -> String {
    let mut name = path;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    // An absolute path, or one that climbs out with `..` (`../deploy` run from `deploy/`),
    // is named from the working directory when it lies below it: Git refuses `..` in a patch.
    let climbs = Path::new(name)
        .components()
        .any(|c| matches!(c, std::path::Component::ParentDir));
    let relative = (Path::new(name).is_absolute() || climbs)
        .then(|| {
            let cwd = std::env::current_dir().ok()?;
            let canonical = std::fs::canonicalize(&cwd).unwrap_or_else(|_| cwd.clone());
            let path = lexical_absolute(&cwd, Path::new(name));
            let rest = path
                .strip_prefix(&cwd)
                .or_else(|_| path.strip_prefix(&canonical))
                .ok()?;
            rest.to_str().map(str::to_string)
        })
        .flatten();
    let name = format!("{side}/{}", relative.as_deref().unwrap_or(name));
    let plain = |c: char| {
        let mut buf = [0; 4];
        let s: &str = c.encode_utf8(&mut buf);
        !matches!(c, '"' | '\\') && printable(s) == s
    };
    if name.chars().all(plain) {
        return name;
    }
    let mut quoted = String::from("\"");
    for c in name.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if plain(c) => quoted.push(c),
            c => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    quoted.push_str(&format!("\\{b:03o}"));
                }
            }
        }
    }
    quoted.push('"');
    quoted
}

/// Write a unified diff of every change, with `--- a/PATH` / `+++ b/PATH` headers that
/// `git apply` (and `patch -p1`) take. Lines show secret values as `****` and control
/// characters escaped, as text output does, so the diff can be read in a CI log safely; a hunk
/// with such a line no longer matches the file, and is counted in the returned number (the
/// command says so: `palisade fix` applies those).
pub fn write_diff(plan: &FixPlan, limits: &Limits, out: &mut dyn Write) -> std::io::Result<usize> {
    let mut altered = 0;
    for file in plan.changed() {
        let (old, new) = (
            Side::new(&file.before, limits),
            Side::new(&file.after, limits),
        );
        let diff = similar::TextDiff::from_lines(&file.before, &file.after);
        writeln!(
            out,
            "--- {}\n+++ {}",
            diff_name("a", &file.path),
            diff_name("b", &file.path)
        )?;
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            writeln!(out, "{}", hunk.header())?;
            let mut hidden = false;
            for change in hunk.iter_changes() {
                let value = change.value();
                let line = value.strip_suffix('\n').unwrap_or(value);
                let line = line.strip_suffix('\r').unwrap_or(line);
                let shown = match change.tag() {
                    similar::ChangeTag::Insert => new.show(change.new_index(), line),
                    _ => old.show(change.old_index(), line),
                };
                hidden |= shown != line;
                writeln!(out, "{}{shown}", change.tag())?;
                if change.missing_newline() {
                    writeln!(out, "\\ No newline at end of file")?;
                }
            }
            altered += usize::from(hidden);
        }
    }
    Ok(altered)
}

/// Replace a file's contents without ever leaving it half written.
fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.palisade-fix"));
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}
