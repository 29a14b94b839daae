//! `--format text`: compiler-style diagnostics grouped by file, then a summary line.

use std::collections::HashMap;
use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use palisade_diagnostics::{Finding, RuleMeta, Severity};
use palisade_source::SecretSpans;

use crate::terminal::{printable, shown_line};
use crate::{Report, SortOrder, Source};

fn level(sev: Severity) -> Level<'static> {
    let base = match sev {
        Severity::Critical | Severity::High => Level::ERROR,
        Severity::Medium => Level::WARNING,
        Severity::Low => Level::NOTE,
        Severity::Info => Level::INFO,
    };
    base.with_name(sev.as_str())
}

/// Byte offsets of line starts, so each snippet costs O(line) rather than O(file).
struct LineIndex<'s> {
    source: &'s str,
    secrets: &'s SecretSpans,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    fn new(source: &'s Source) -> Self {
        let text = &*source.text;
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            source: text,
            secrets: &source.secrets,
            starts,
        }
    }

    /// The 1-based line's text, without its line break, and its byte offset.
    fn line(&self, n: u32) -> Option<(&'s str, usize)> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(self.source.len(), |e| e - 1);
        Some((
            self.source[start..end.max(start)].trim_end_matches('\r'),
            start,
        ))
    }
}

/// The offending line as it may be shown (secrets masked, controls escaped) and the byte range
/// to underline within it.
fn snippet_line(index: &LineIndex<'_>, f: &Finding) -> Option<(String, std::ops::Range<usize>)> {
    let (line, offset) = index.line(f.location.line)?;
    let col = usize::try_from(f.location.column).ok()?.saturating_sub(1);
    let start = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
    let end = if f.location.end_line == f.location.line && f.location.end_column > f.location.column
    {
        let end_col = usize::try_from(f.location.end_column)
            .ok()?
            .saturating_sub(1);
        line.char_indices()
            .nth(end_col)
            .map_or(line.len(), |(i, _)| i)
    } else {
        line.trim_end().len().max(start)
    };
    Some(shown_line(
        line,
        offset,
        index.secrets,
        start..end.max(start),
    ))
}

fn render_finding(
    f: &Finding,
    index: Option<&LineIndex<'_>>,
    renderer: &Renderer,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Notes and help are printed after `   = help: ` (11 columns): wrap what follows it.
    let wrap = |text: String| -> String {
        match width {
            Some(w) if w > 30 => textwrap::fill(&text, w - 11),
            _ => text,
        }
    };
    let lvl = level(f.severity);
    let title = lvl.clone().primary_title(f.rule.title).id(f.rule.id);
    let path = printable(&f.location.path);
    let message = printable(&f.message);
    // Never show the text of a Secret, or a line a rule marked as a secret value.
    let index = index.filter(|_| f.object.kind != "Secret" && !f.redact_source);
    let shown = index.and_then(|i| snippet_line(i, f));
    let mut group = match &shown {
        Some((line, span)) => title.element(
            Snippet::source(line.as_str())
                .line_start(f.location.line as usize)
                .path(&*path)
                .annotation(AnnotationKind::Primary.span(span.clone()).label(&*message)),
        ),
        None => title
            .element(
                Origin::path(&*path)
                    .line(f.location.line as usize)
                    .char_column(f.location.column.saturating_sub(1) as usize),
            )
            .element(Level::NOTE.message(wrap(message.to_string()))),
    };
    let mut about = format!("object: {}", printable(&f.object.display_name()));
    if let Some(c) = &f.container {
        about.push_str(&format!(", container: {}", printable(c)));
    }
    group = group.element(Level::NOTE.message(wrap(about)));
    if let Some(origin) = &f.origin {
        group = group.element(Level::NOTE.message(wrap(origin_note(origin))));
    }
    if f.suppressed {
        let reason = printable(f.suppression_reason.as_deref().unwrap_or(""));
        group = group.element(
            Level::NOTE
                .with_name("suppressed")
                .message(wrap(reason.into_owned())),
        );
    }
    group = group.element(Level::HELP.message(wrap(f.rule.remediation.to_string())));
    if let Some(fix) = f.fix.as_ref().filter(|_| f.origin.is_none()) {
        group = group.element(Level::HELP.message(wrap(format!(
            "fix: {} (`palisade fix{}`)",
            printable(&fix.title),
            if fix.is_safe() { "" } else { " --unsafe-fixes" }
        ))));
    }
    let groups: [Group<'_>; 1] = [group];
    writeln!(out, "{}\n", renderer.render(&groups))
}

/// Where a rendered object came from, and for Helm the values a user would change.
fn origin_note(origin: &palisade_diagnostics::Origin) -> String {
    let mut note = format!(
        "rendered by {} from {}",
        origin.renderer,
        printable(&origin.source)
    );
    if !origin.exact {
        note.push_str(" (the line is the nearest one written in the file)");
    }
    if !origin.values.is_empty() {
        let keys: Vec<String> = origin
            .values
            .iter()
            .map(|v| format!("`{}`", printable(v)))
            .collect();
        note.push_str(&format!("; set by values key {}", keys.join(", ")));
    }
    if !origin.also_in.is_empty() {
        let overlays: Vec<String> = origin
            .also_in
            .iter()
            .map(|o| printable(o).into_owned())
            .collect();
        note.push_str(&format!("; also in overlays: {}", overlays.join(", ")));
    }
    note
}

/// The heading a finding is listed under: its file, severity or rule, as the findings are
/// sorted.
fn group_of(f: &Finding, sort: SortOrder) -> String {
    match sort {
        SortOrder::Path => printable(&f.location.path).into_owned(),
        SortOrder::Severity => f.severity.as_str().to_string(),
        SortOrder::Rule => format!("{} {}", f.rule.id, f.rule.name),
    }
}

pub(crate) fn render(report: &Report<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let layout = report.layout;
    if !layout.quiet {
        let mut renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        if let Some(width) = layout.width {
            renderer = renderer.term_width(width);
        }
        let mut counts: HashMap<String, usize> = HashMap::new();
        for f in report.visible() {
            *counts.entry(group_of(&f, layout.sort)).or_default() += 1;
        }
        let mut current: Option<String> = None;
        let mut index: Option<LineIndex<'_>> = None;
        let mut indexed: Option<palisade_diagnostics::ArcStr> = None;
        for f in report.visible() {
            let group = group_of(&f, layout.sort);
            if current.as_deref() != Some(group.as_str()) {
                let count = counts[&group];
                let header = format!(
                    "── {group} ({count} finding{})",
                    if count == 1 { "" } else { "s" }
                );
                if color {
                    writeln!(out, "\x1b[1m{header}\x1b[0m\n")?;
                } else {
                    writeln!(out, "{header}\n")?;
                }
                current = Some(group);
            }
            if indexed.as_ref() != Some(&f.location.path) {
                indexed = Some(f.location.path.clone());
                index = report.sources.get(&*f.location.path).map(LineIndex::new);
            }
            render_finding(&f, index.as_ref(), &renderer, layout.width, out)?;
        }
        rule_table(report, out)?;
    }
    errors_and_notes(report, color, out)?;
    if report.show_compliance && !layout.quiet {
        let c = crate::compliance::compliance(report.findings, report.rules, report.evaluated);
        writeln!(out, "{}", crate::compliance::text(&c))?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// Input errors (always: they explain an exit code of 2), then warnings and notes (not when
/// quiet), each on one line.
pub(crate) fn errors_and_notes(
    report: &Report<'_>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    problems_and_notes(report, color, false, out)
}

/// As [`errors_and_notes`]; `compact` puts the place first (`path:line:col: error message`),
/// the shape of compact output's finding lines, so one problem matcher reads both.
pub(crate) fn problems_and_notes(
    report: &Report<'_>,
    color: bool,
    compact: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Warnings (rendering that failed without failing the run) are left out of quiet runs.
    let warnings: &[palisade_diagnostics::InputError] = if report.layout.quiet {
        &[]
    } else {
        report.warnings
    };
    let labelled = [
        (report.errors, "error", "\x1b[1;31merror\x1b[0m"),
        (warnings, "warning", "\x1b[1;33mwarning\x1b[0m"),
    ];
    for (problems, plain, styled) in labelled {
        let label = if color { styled } else { plain };
        for e in problems {
            let path = printable(&e.path);
            let place = match (e.line, e.column) {
                (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
                (Some(l), None) => format!("{path}:{l}"),
                _ => path.into_owned(),
            };
            if compact {
                writeln!(out, "{place}: {label} {}", printable(&e.message))?;
            } else {
                writeln!(out, "{label}: {place}: {}", printable(&e.message))?;
            }
        }
    }
    let notes: &[String] = if report.layout.quiet {
        &[]
    } else {
        report.notes
    };
    for n in notes {
        writeln!(out, "note: {}", printable(n))?;
    }
    if !report.errors.is_empty() || !warnings.is_empty() || !notes.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// Findings per rule, most severe rule first, after the findings: what to fix first, at a
/// glance.
fn rule_table(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    // Per rule: the most severe of its findings (configuration can change severities) and
    // how many there are.
    let mut by_rule: HashMap<&str, (&RuleMeta, Severity, usize)> = HashMap::new();
    for f in report.visible() {
        let row = by_rule.entry(f.rule.id).or_insert((f.rule, f.severity, 0));
        row.1 = row.1.max(f.severity);
        row.2 += 1;
    }
    if by_rule.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<(&RuleMeta, Severity, usize)> = by_rule.into_values().collect();
    rows.sort_by(|(a, s, n), (b, t, m)| (t, m, a.id).cmp(&(s, n, b.id)));
    let id_width = rows
        .iter()
        .map(|(r, ..)| r.id.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let count_width = rows
        .iter()
        .map(|(.., n)| n.to_string().len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(out, "Findings by rule")?;
    writeln!(
        out,
        "  {:<id_width$}  {:<8}  {:>count_width$}  TITLE",
        "RULE", "SEVERITY", "COUNT"
    )?;
    for (rule, severity, n) in rows {
        writeln!(
            out,
            "  {:<id_width$}  {:<8}  {:>count_width$}  {}",
            rule.id,
            severity.as_str(),
            n,
            rule.title
        )?;
    }
    writeln!(out)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `Scanned 3 files (12 objects): 5 findings (1 critical, 4 high), 2 suppressed, 1 input error.`
pub(crate) fn summary_line(report: &Report<'_>) -> String {
    let s = report.summary;
    let mut line = format!(
        "Scanned {} ({}): ",
        plural(s.files, "file", "files"),
        plural(s.objects, "object", "objects")
    );
    if s.findings == 0 {
        line.push_str("no findings");
    } else {
        let by: Vec<String> = Severity::ALL
            .iter()
            .rev()
            .filter_map(|sev| {
                s.by_severity
                    .get(sev.as_str())
                    .map(|n| format!("{n} {}", sev.as_str()))
            })
            .collect();
        line.push_str(&format!(
            "{} ({})",
            plural(s.findings, "finding", "findings"),
            by.join(", ")
        ));
    }
    if s.suppressed > 0 {
        line.push_str(&format!(", {} suppressed", s.suppressed));
    }
    if s.errors > 0 {
        line.push_str(&format!(
            ", {}",
            plural(s.errors, "input error", "input errors")
        ));
    }
    if s.warnings > 0 {
        line.push_str(&format!(", {}", plural(s.warnings, "warning", "warnings")));
    }
    line.push('.');
    line
}
