//! `--format text`: compiler-style diagnostics grouped by file, then a summary line.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use palisade_diagnostics::{ArcStr, Finding, RuleRef, Severity, Span};
use palisade_source::SecretSpans;

use crate::terminal::{printable, shown_line};
use crate::{Report, SortOrder, Source, group_without_file, subject_label};

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
    /// The whole text is ASCII: a column (in characters) is a byte offset.
    ascii: bool,
    /// Byte offsets of every [`CHECKPOINT`]th character of the last long line looked up, so
    /// that the many findings of one long line (minified JSON) each find their column in
    /// constant time rather than by walking the line.
    checkpoints: std::cell::RefCell<(u32, Vec<usize>)>,
}

/// Characters between two checkpoints of a long line.
const CHECKPOINT: usize = 64;

/// Lines longer than this (in bytes) are shown as a window around the span: minified JSON puts
/// a whole file on one line, and shaping the whole line for every one of its findings would
/// cost the square of its length.
const LONG_LINE: usize = 1024;

/// Bytes of a long line kept on each side of the span (the renderer trims further to fit).
const CONTEXT: usize = 160;

impl<'s> LineIndex<'s> {
    fn new(source: &'s Source) -> Self {
        let text = &*source.text;
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            source: text,
            secrets: &source.secrets,
            starts,
            ascii: text.is_ascii(),
            checkpoints: std::cell::RefCell::new((0, Vec::new())),
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

    /// The byte offset in `line` (line number `n`) of the 0-based character `col`, or the
    /// line's end.
    fn byte_of(&self, n: u32, line: &str, col: usize) -> usize {
        if self.ascii {
            return col.min(line.len());
        }
        if line.len() <= LONG_LINE {
            return line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
        }
        let mut cache = self.checkpoints.borrow_mut();
        if cache.0 != n || cache.1.is_empty() {
            cache.0 = n;
            cache.1 = line
                .char_indices()
                .step_by(CHECKPOINT)
                .map(|(i, _)| i)
                .collect();
        }
        let Some(&from) = cache.1.get(col / CHECKPOINT) else {
            return line.len();
        };
        line[from..]
            .char_indices()
            .nth(col % CHECKPOINT)
            .map_or(line.len(), |(i, _)| from + i)
    }
}

/// The offending line as it may be shown (secrets masked, controls escaped), the byte range
/// to underline within it, and whether the line was cut to a window around the span.
fn snippet_line(index: &LineIndex<'_>, l: &Span) -> Option<(String, std::ops::Range<usize>, bool)> {
    let (line, offset) = index.line(l.line)?;
    let col = usize::try_from(l.column).ok()?.saturating_sub(1);
    let start = index.byte_of(l.line, line, col);
    let end = if l.end_line == l.line && l.end_column > l.column {
        let end_col = usize::try_from(l.end_column).ok()?.saturating_sub(1);
        index.byte_of(l.line, line, end_col)
    } else {
        line.trim_end().len().max(start)
    };
    let end = end.max(start);
    if line.len() <= LONG_LINE {
        return Some((shown_line(line, offset, index.secrets, start..end), false))
            .map(|((text, span), cut)| (text, span, cut));
    }
    let floor = |mut i: usize| {
        while !line.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(start.saturating_sub(CONTEXT));
    let to = floor((end.min(start + CONTEXT) + CONTEXT).min(line.len()));
    let (text, span) = shown_line(
        &line[from..to],
        offset + from,
        index.secrets,
        start - from..end.min(to) - from,
    );
    let (before, after) = (
        if from > 0 { "..." } else { "" },
        if to < line.len() { "..." } else { "" },
    );
    let span = span.start + before.len()..span.end + before.len();
    Some((format!("{before}{text}{after}"), span, true))
}

/// The offending source lines of findings as other renderers (HTML) may show them: secret
/// values masked, nothing of a Secret or of a line a rule marked as secret. Findings should
/// come in path order: the index of the last file is kept.
pub(crate) struct Snippets<'r> {
    sources: &'r crate::Sources,
    index: Option<(palisade_diagnostics::ArcStr, LineIndex<'r>)>,
}

impl<'r> Snippets<'r> {
    pub(crate) fn new(sources: &'r crate::Sources) -> Self {
        Snippets {
            sources,
            index: None,
        }
    }

    /// The line of `f`, with its line number.
    pub(crate) fn line(&mut self, f: &Finding) -> Option<(u32, String)> {
        if f.subject.kind() == "Secret" || f.redact_source {
            return None;
        }
        let span = f.location.span.as_ref()?;
        if self.index.as_ref().map(|(p, _)| p) != Some(&span.path) {
            let source = self.sources.get(span.path.as_str())?;
            self.index = Some((span.path.clone(), LineIndex::new(source)));
        }
        let (_, index) = self.index.as_ref()?;
        snippet_line(index, span).map(|(text, _, _)| (span.line, text))
    }
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
    let title = lvl
        .clone()
        .primary_title(f.rule.title.as_str())
        .id(f.rule.id.as_str());
    let place = f.location.span.as_ref();
    // A finding with no file is placed at its subject.
    let path = match place {
        Some(span) => printable(&span.path),
        None => Cow::Owned(printable(&f.subject.display_name()).into_owned()),
    };
    let message = printable(&f.message);
    // Never show the text of a Secret, or a line a rule marked as a secret value.
    let index = index.filter(|_| f.subject.kind() != "Secret" && !f.redact_source);
    let shown = index.zip(place).and_then(|(i, span)| snippet_line(i, span));
    let mut group = match (&shown, place) {
        (Some((line, span, _)), Some(place)) => title.element(
            Snippet::source(line.as_str())
                .line_start(place.line as usize)
                .path(&*path)
                .annotation(AnnotationKind::Primary.span(span.clone()).label(&*message)),
        ),
        (_, Some(place)) => title
            .element(
                Origin::path(&*path)
                    .line(place.line as usize)
                    .char_column(place.column as usize),
            )
            .element(Level::NOTE.message(wrap(message.to_string()))),
        (_, None) => title
            .element(Origin::path(&*path))
            .element(Level::NOTE.message(wrap(message.to_string()))),
    };
    let mut about = format!(
        "{}: {}",
        subject_label(&f.subject),
        printable(&f.subject.display_name())
    );
    if let Some(c) = &f.container {
        about.push_str(&format!(", container: {}", printable(c)));
    }
    if place.is_none() && !f.location.pointer.is_empty() {
        about.push_str(&format!(", field: {}", printable(&f.location.pointer)));
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
    // `palisade fix` edits files: a finding rendered from a template or read from a cluster
    // has no file it could edit.
    if let Some(fix) = f
        .fix
        .as_ref()
        .filter(|_| f.origin.is_none() && place.is_some())
    {
        group = group.element(Level::HELP.message(wrap(format!(
            "fix: {} (`palisade fix{}`)",
            printable(&fix.title),
            if fix.is_safe() { "" } else { " --unsafe-fixes" }
        ))));
    }
    let groups: [Group<'_>; 1] = [group];
    let mut rendered = renderer.render(&groups);
    if let (Some((line, span, true)), Some(place)) = (&shown, place) {
        // The window's column, as the renderer counted it, becomes the line's.
        let counted = line[..span.start].chars().count() + 1;
        let l = place.line;
        rendered = rendered.replacen(
            &format!("{path}:{l}:{counted}"),
            &format!("{path}:{l}:{}", place.column),
            1,
        );
    }
    writeln!(out, "{rendered}\n")
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
        SortOrder::Path => match f.location.path() {
            Some(path) => printable(path).into_owned(),
            None => printable(&group_without_file(&f.subject)).into_owned(),
        },
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
            if indexed.as_ref() != f.location.path() {
                indexed = f.location.path().cloned();
                index = indexed
                    .as_ref()
                    .and_then(|p| report.sources.get(p.as_str()))
                    .map(LineIndex::new);
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
    let mut by_rule: HashMap<ArcStr, (RuleRef, Severity, usize)> = HashMap::new();
    for f in report.visible() {
        let row = by_rule
            .entry(f.rule.id.clone())
            .or_insert((f.rule.clone(), f.severity, 0));
        row.1 = row.1.max(f.severity);
        row.2 += 1;
    }
    if by_rule.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<(RuleRef, Severity, usize)> = by_rule.into_values().collect();
    rows.sort_by(|(a, s, n), (b, t, m)| (t, m, &a.id).cmp(&(s, n, &b.id)));
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
    let read = match (s.clusters, s.files) {
        (0, files) => plural(files, "file", "files"),
        (clusters, 0) => plural(clusters, "cluster", "clusters"),
        (clusters, files) => format!(
            "{} and {}",
            plural(clusters, "cluster", "clusters"),
            plural(files, "file", "files")
        ),
    };
    let mut line = format!(
        "Scanned {read} ({}): ",
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use palisade_diagnostics::{Location, ObjectRef, Span};

    use super::*;

    fn finding_at(line: u32, column: u32, end_column: u32) -> Finding {
        Finding::new(
            &crate::tests::PRIVILEGED,
            ObjectRef::default(),
            Location {
                span: Some(place(line, column, end_column)),
                pointer: "/spec".into(),
                missing: false,
            },
            "m",
        )
    }

    fn place(line: u32, column: u32, end_column: u32) -> Span {
        Span {
            path: "a.json".into(),
            line,
            column,
            end_line: line,
            end_column,
            document: 0,
        }
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_span() {
        // One 20,000-character line (minified JSON), a secret just before the span.
        let mut text = "x".repeat(9_990);
        let secret = text.len();
        text.push_str("hunter2\"");
        let span_at = text.len();
        text.push_str("\"privileged\":true");
        text.push_str(&"y".repeat(20_000 - text.len()));
        let source = Source {
            text: Arc::from(text.as_str()),
            secrets: SecretSpans::new(std::iter::once(secret..secret + 7)),
        };
        let index = LineIndex::new(&source);
        let column = u32::try_from(span_at).unwrap() + 1;
        let (shown, span, cut) = snippet_line(&index, &place(1, column, column + 17)).unwrap();
        assert!(cut);
        assert!(shown.len() < 2 * CONTEXT + 40, "{}", shown.len());
        assert!(
            shown.starts_with("...x") && shown.ends_with("y..."),
            "{shown}"
        );
        assert_eq!(&shown[span], "\"privileged\":true");
        assert!(!shown.contains("hunter2"), "{shown}");

        // Rendered, the position is the line's, not the window's.
        let f = finding_at(1, column, column + 17);
        let mut out = Vec::new();
        render_finding(&f, Some(&index), &Renderer::plain(), None, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains(&format!("--> a.json:1:{column}\n")), "{out}");
        assert!(out.lines().all(|l| l.len() < 400), "{out}");
    }

    #[test]
    fn columns_of_long_lines_count_characters() {
        // Not ASCII: columns are characters, found through checkpoints on long lines.
        let line: String = "é".repeat(3_000) + "abc";
        let source = Source {
            text: Arc::from(format!("first\n{line}\n").as_str()),
            secrets: SecretSpans::default(),
        };
        let index = LineIndex::new(&source);
        let (text, _) = index.line(2).unwrap();
        for col in [0, 1, 63, 64, 65, 2_999, 3_000, 3_002, 3_003, 10_000] {
            let expected = text.char_indices().nth(col).map_or(text.len(), |(i, _)| i);
            assert_eq!(index.byte_of(2, text, col), expected, "column {col}");
        }
        let (first, _) = index.line(1).unwrap();
        assert_eq!(index.byte_of(1, first, 2), 2);
    }

    #[test]
    fn a_finding_without_a_snippet_names_its_column() {
        let f = finding_at(6, 3, 9);
        let mut out = Vec::new();
        render_finding(&f, None, &Renderer::plain(), None, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("--> a.json:6:3\n"), "{out}");
    }

    #[test]
    fn a_finding_without_a_file_is_placed_at_its_subject_and_field() {
        let mut f = finding_at(1, 1, 1);
        f.location = Location::unplaced("/spec/hostPID");
        f.subject = std::sync::Arc::new(palisade_diagnostics::Subject::Object(ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: Some("shop".into()),
            name: Some("web".into()),
            uid: Some("0b6e".into()),
            cluster: None,
        }));
        let mut out = Vec::new();
        render_finding(&f, None, &Renderer::plain(), None, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("--> Pod/shop/web\n"), "{out}");
        assert!(
            out.contains("object: Pod/shop/web, field: /spec/hostPID"),
            "{out}"
        );
    }
}
