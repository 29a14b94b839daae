//! Pure renderers over findings: `text` (compiler-style diagnostics), `json` (the stable
//! contract in `docs/json-output.md`), `sarif` (SARIF 2.1.0 for code-scanning dashboards) and
//! `junit` (for CI test reports).
//!
//! Renderers see findings, input errors, counts, rule metadata and, for `text`, the source
//! text of files with findings. They never run rules and never read files. Secrets: no
//! renderer prints object content except the offending line in `text`, never for a `Secret`
//! object, and with the secret values the scan marked in it shown as `****`. Untrusted text
//! reaches a terminal only through [`terminal::printable`].
#![deny(missing_docs)]

pub mod compliance;
mod json;
mod junit;
mod sarif;
pub mod terminal;
mod text;

use std::collections::HashMap;
use std::io::{self, Write};
use std::str::FromStr;
use std::sync::Arc;

use palisade_diagnostics::{Finding, InputError, RuleMeta, Severity, Summary};
use palisade_source::SecretSpans;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable diagnostics with source snippets.
    Text,
    /// The JSON contract.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
}

impl Format {
    /// The accepted names.
    pub const NAMES: &'static [&'static str] = &["text", "json", "sarif", "junit"];
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            _ => Err(format!(
                "unknown format `{s}` (expected one of: {})",
                Format::NAMES.join(", ")
            )),
        }
    }
}

/// The text of one input file, and the ranges of it that hold secret values (which snippets
/// show as `****`).
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The whole text.
    pub text: Arc<str>,
    /// What of it must never be shown.
    pub secrets: SecretSpans,
}

/// Source text by display path, for snippets.
pub type Sources = HashMap<String, Source>;

/// Everything a renderer needs. Findings must already be sorted.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Palisade's version.
    pub tool_version: &'a str,
    /// Every finding, suppressed ones included (flagged).
    pub findings: &'a [Finding],
    /// Input errors.
    pub errors: &'a [InputError],
    /// Notes about skipped input (templates).
    pub notes: &'a [String],
    /// Counts.
    pub summary: &'a Summary,
    /// The rules that ran (SARIF lists them as the tool's rules).
    pub rules: &'a [&'static RuleMeta],
    /// Source text of files with findings (text format only).
    pub sources: &'a Sources,
    /// Include suppressed findings in the output.
    pub show_suppressed: bool,
    /// Print the compliance summary in text output (JSON always has it).
    pub show_compliance: bool,
    /// Ids of the rules that found objects they apply to: controls of other rules are "not
    /// evaluated" rather than passed.
    pub evaluated: &'a std::collections::BTreeSet<&'static str>,
    /// Unsuppressed findings at least this severe fail the run (`--fail-on`); `None` when none
    /// do. JUnit reports only those as failures.
    pub fail_on: Option<Severity>,
}

impl Report<'_> {
    /// The findings to print.
    pub fn visible(&self) -> impl Iterator<Item = &Finding> {
        let show = self.show_suppressed;
        self.findings.iter().filter(move |f| show || !f.suppressed)
    }
}

/// Render a report. `color` only affects `text`.
pub fn render(
    format: Format,
    report: &Report<'_>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, color, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Junit => junit::render(report, out),
    }
}

#[cfg(test)]
mod tests;
