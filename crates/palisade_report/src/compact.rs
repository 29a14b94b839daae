//! `--format compact`: one line per finding, `path:line:column: severity RULE message`, the
//! shape editors, `grep` and problem matchers read. Input errors and warnings follow as
//! `path:line:column: error message` (`warning message`), then notes and the summary line.

use std::io::{self, Write};

use palisade_diagnostics::{Finding, Severity};

use crate::Report;
use crate::terminal::printable;

/// The ANSI colour of a severity, matching text output's levels.
pub(crate) fn severity_colour(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "\x1b[1;31m",
        Severity::Medium => "\x1b[1;33m",
        Severity::Low => "\x1b[1;36m",
        Severity::Info => "\x1b[1;34m",
    }
}

fn finding_line(f: &Finding, color: bool) -> String {
    let l = &f.location;
    let severity = if color {
        format!(
            "{}{}\x1b[0m",
            severity_colour(f.severity),
            f.severity.as_str()
        )
    } else {
        f.severity.as_str().to_string()
    };
    // A finding with no file is placed at its subject and field.
    let place = match &l.span {
        Some(span) => format!("{}:{}:{}", printable(&span.path), span.line, span.column),
        None if l.pointer.is_empty() => printable(&f.subject.display_name()).into_owned(),
        None => format!(
            "{} {}",
            printable(&f.subject.display_name()),
            printable(&l.pointer)
        ),
    };
    let mut line = format!(
        "{place}: {severity} {} {}",
        f.rule.id,
        printable(&f.message)
    );
    if f.suppressed {
        line.push_str(" (suppressed");
        if let Some(reason) = f.suppression_reason.as_deref().filter(|r| !r.is_empty()) {
            line.push_str(": ");
            line.push_str(&printable(reason));
        }
        line.push(')');
    }
    line
}

pub(crate) fn render(report: &Report<'_>, color: bool, out: &mut dyn Write) -> io::Result<()> {
    if !report.layout.quiet {
        for f in report.visible() {
            writeln!(out, "{}", finding_line(&f, color))?;
        }
    }
    crate::text::problems_and_notes(report, color, true, out)?;
    writeln!(out, "{}", crate::text::summary_line(report))
}
