//! Pure renderers over findings: `text` (compiler-style diagnostics), `compact` (one line per
//! finding, for editors and grep), `json` (the stable contract in `docs/json-output.md`), `sarif`
//! (SARIF 2.1.0 for code-scanning dashboards) and `junit` (for CI test reports).
//!
//! Renderers see findings, input errors, counts, rule metadata and, for `text`, the source
//! text of files with findings. They never run rules and never read files. Secrets: no
//! renderer prints object content except the offending line in `text`, never for a `Secret`
//! object, and with the secret values the scan marked in it shown as `****`. Untrusted text
//! reaches a terminal only through [`terminal::printable`].
#![deny(missing_docs)]

pub mod audit;
mod compact;
pub mod compliance;
pub mod fleet;
mod html;
mod json;
mod junit;
pub mod kube_bench;
pub mod metrics;
pub mod netpol;
pub mod policyreport;
pub mod rbac;
mod sarif;
pub mod terminal;
mod text;
pub mod views;

use std::collections::HashMap;
use std::io::{self, Write};
use std::str::FromStr;
use std::sync::Arc;

use palisade_diagnostics::{
    ArcStr, Finding, FindingList, FindingRef, InputError, RuleRef, Severity, Summary,
};
use palisade_source::SecretSpans;

/// Findings a machine-readable format builds and serializes at a time: enough to keep every
/// core busy, few enough that a report with millions of findings is written as it is built,
/// never held in memory as one document.
const BATCH: usize = 1024;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Human-readable diagnostics with source snippets.
    Text,
    /// One line per finding: `path:line:column: severity RULE message`.
    Compact,
    /// The JSON contract.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// JUnit XML.
    Junit,
    /// `wgpolicyk8s.io/v1alpha2` PolicyReports, one per namespace, and a ClusterPolicyReport.
    PolicyReport,
    /// `openreports.io/v1alpha1` Reports and a ClusterReport.
    OpenReports,
    /// One self-contained HTML page.
    Html,
}

impl Format {
    /// The accepted names.
    pub const NAMES: &'static [&'static str] = &[
        "text",
        "compact",
        "json",
        "sarif",
        "junit",
        "policyreport",
        "openreports",
        "html",
    ];

    /// Formats written for people (which show source text and honour `--quiet`).
    pub fn is_human(self) -> bool {
        matches!(self, Format::Text | Format::Compact)
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "compact" => Ok(Format::Compact),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            "policyreport" => Ok(Format::PolicyReport),
            "openreports" => Ok(Format::OpenReports),
            "html" => Ok(Format::Html),
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

/// The order findings are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// By file, then position (the default): a file's findings read top to bottom.
    #[default]
    Path,
    /// Most severe first, then by file and position.
    Severity,
    /// By rule id, then by file and position.
    Rule,
}

impl SortOrder {
    /// The accepted names.
    pub const NAMES: &'static [&'static str] = &["path", "severity", "rule"];
}

impl FromStr for SortOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "path" | "file" => Ok(SortOrder::Path),
            "severity" => Ok(SortOrder::Severity),
            "rule" => Ok(SortOrder::Rule),
            _ => Err(format!(
                "unknown sort order `{s}` (expected one of: {})",
                SortOrder::NAMES.join(", ")
            )),
        }
    }
}

/// Sort findings into `order`; every front door sorts through here, so all formats list
/// findings alike. Unstable: the keys are total ([`Finding::sort_key`]), and an unstable sort
/// needs no buffer beside findings that can be most of a scan's memory.
pub fn sort_findings(findings: &mut FindingList, order: SortOrder) {
    findings.sort_by(|a, b| compare(order, a, b));
}

/// How two findings compare in `order`.
fn compare(order: SortOrder, a: &FindingRef, b: &FindingRef) -> std::cmp::Ordering {
    match order {
        SortOrder::Path => a.sort_key().cmp(&b.sort_key()),
        SortOrder::Severity => b
            .severity
            .cmp(&a.severity)
            .then_with(|| a.sort_key().cmp(&b.sort_key())),
        SortOrder::Rule => (&a.rule.id, a.sort_key()).cmp(&(&b.rule.id, b.sort_key())),
    }
}

/// How text output names the kind of a finding's subject, before its name.
pub(crate) fn subject_label(subject: &palisade_diagnostics::Subject) -> &'static str {
    use palisade_diagnostics::Subject;
    match subject {
        Subject::Object(_) => "object",
        Subject::NodeFile(_) => "node file",
        Subject::Endpoint(_) => "endpoint",
        Subject::AuditEvent(_) => "audit event",
    }
}

/// What findings that are not in a file are listed under where others are listed by file
/// (text headings, JUnit suites): their namespace, node or kind of subject, so that a
/// cluster's findings read as one group per namespace.
pub(crate) fn group_without_file(subject: &palisade_diagnostics::Subject) -> String {
    use palisade_diagnostics::Subject;
    match subject {
        Subject::Object(o) => match &o.namespace {
            Some(ns) => format!("namespace {ns}"),
            None => "cluster-scoped objects".to_string(),
        },
        Subject::NodeFile(f) => match &f.node {
            Some(node) => format!("node {node}"),
            None => "node files".to_string(),
        },
        Subject::Endpoint(_) => "endpoints".to_string(),
        Subject::AuditEvent(_) => "audit events".to_string(),
    }
}

/// How text and compact output are laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Layout {
    /// Print only the summary (and input errors, which explain an exit code of 2).
    pub quiet: bool,
    /// The order the findings are in: text output groups them by file, severity or rule.
    pub sort: SortOrder,
    /// Wrap messages to this many columns (the terminal's width); `None` leaves lines whole.
    pub width: Option<usize>,
}

/// Source text by display path, for snippets.
pub type Sources = HashMap<String, Source>;

/// Everything a renderer needs. Findings must already be sorted.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a> {
    /// Palisade's version.
    pub tool_version: &'a str,
    /// Every finding, suppressed ones included (flagged).
    pub findings: &'a FindingList,
    /// Input errors.
    pub errors: &'a [InputError],
    /// Inputs not fully scanned that do not fail the run (charts and kustomizations that did
    /// not render, with `render-errors = "warn"`).
    pub warnings: &'a [InputError],
    /// Notes about skipped input (templates).
    pub notes: &'a [String],
    /// Counts.
    pub summary: &'a Summary,
    /// The rules that ran (SARIF lists them as the tool's rules).
    pub rules: &'a [RuleRef],
    /// Source text of files with findings (text format only).
    pub sources: &'a Sources,
    /// Include suppressed findings in the output.
    pub show_suppressed: bool,
    /// Print the compliance summary in text output (JSON always has it).
    pub show_compliance: bool,
    /// Ids of the rules that found objects they apply to: controls of other rules are "not
    /// evaluated" rather than passed.
    pub evaluated: &'a std::collections::BTreeSet<ArcStr>,
    /// Layout of text and compact output.
    pub layout: Layout,
    /// Where paths are anchored (the `palisade.toml` directory or the scan root): SARIF
    /// fingerprints name files relative to it, so an alert keeps its identity whatever the
    /// working directory of the run. `None` uses the paths as displayed. (A SARIF result is a
    /// place in a file, and code scanning tracks alerts per place: two copies of one object in
    /// two files are two alerts, so SARIF keeps the file that baselines leave out.)
    pub project: Option<&'a palisade_diagnostics::ProjectPaths>,
    /// Unsuppressed findings at least this severe fail the run (`--fail-on`); `None` when none
    /// do. JUnit reports only those as failures.
    pub fail_on: Option<Severity>,
    /// Views of the cluster model shown beside the findings (the HTML page's RBAC risk paths
    /// and NetworkPolicy coverage), when the front door built them.
    pub views: Option<&'a views::Views>,
}

impl Report<'_> {
    /// The findings to print.
    pub fn visible(&self) -> impl Iterator<Item = Finding> + '_ {
        let show = self.show_suppressed;
        self.findings.iter().filter(move |f| show || !f.suppressed)
    }

    /// The findings to print, [`BATCH`] at a time: built from the list as they are written,
    /// so that a report never holds every finding at once.
    pub(crate) fn visible_batches(&self) -> impl Iterator<Item = Vec<Finding>> + '_ {
        let mut visible = self.visible();
        std::iter::from_fn(move || {
            let batch: Vec<Finding> = visible.by_ref().take(BATCH).collect();
            (!batch.is_empty()).then_some(batch)
        })
    }
}

/// The summary line, `Scanned 3 files (12 objects): 5 findings (1 critical, 4 high).`, for
/// front doors that print it apart from the report (on standard error when the report goes
/// to a file).
pub fn summary_line(report: &Report<'_>) -> String {
    text::summary_line(report)
}

/// Render a report. `color` only affects `text` and `compact`.
pub fn render(
    format: Format,
    report: &Report<'_>,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    findings_intact(report)?;
    match format {
        Format::Text => text::render(report, color, out),
        Format::Compact => compact::render(report, color, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Junit => junit::render(report, out),
        Format::PolicyReport => policyreport::render(report, policyreport::Api::PolicyReport, out),
        Format::OpenReports => policyreport::render(report, policyreport::Api::OpenReports, out),
        Format::Html => html::render(report, None, out),
    }?;
    findings_intact(report)
}

/// Render the report of a live-cluster scan: JSON gains `clusters` (what each was read as)
/// and `fleet` (findings by cluster and severity, the clusters where each rule fails); the
/// other formats are [`render`]'s. Text output is written per cluster by the caller, with
/// [`fleet::cluster_heading`] and [`fleet::fleet_text`].
pub fn render_clusters(
    format: Format,
    report: &Report<'_>,
    fleet: &fleet::Fleet,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Json => {
            findings_intact(report)?;
            json::render_with(report, Some(fleet), out)?;
            return findings_intact(report);
        }
        Format::Html => {
            findings_intact(report)?;
            html::render(report, Some(fleet), out)?;
            return findings_intact(report);
        }
        _ => {}
    }
    render(format, report, color, out)
}

/// An error when the findings could not all be read back from where the list keeps them
/// (a temporary file): the report would miss some, so it must not pass for complete.
fn findings_intact(report: &Report<'_>) -> io::Result<()> {
    match report.findings.storage_error() {
        Some(e) => Err(io::Error::other(e.to_string())),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
