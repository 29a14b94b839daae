//! `--format json`: the stable contract documented in `docs/json-output.md`.

use std::io::{self, Write};

use serde::Serialize;

use crate::Report;

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

/// A value as pretty JSON nested `level` levels deep: every line after the first indented as
/// serde_json indents at that depth (strings never hold a raw line break, so lines are safe to
/// indent).
pub(crate) fn nested(value: &impl Serialize, level: usize) -> io::Result<String> {
    let text = serde_json::to_string_pretty(value)?;
    let pad = "  ".repeat(level);
    Ok(text.replace('\n', &format!("\n{pad}")))
}

/// `  "name": value` at the top level of the document.
fn field(out: &mut dyn Write, name: &str, value: &impl Serialize, last: bool) -> io::Result<()> {
    write!(out, "  \"{name}\": {}", nested(value, 1)?)?;
    out.write_all(if last { b"\n" } else { b",\n" })
}

/// The document, written as `serde_json::to_writer_pretty` writes it, with the findings (most
/// of it) serialized on every core, a batch at a time, and written in order.
pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    render_with(report, None, out)
}

/// [`render`], with the clusters of a live scan and the fleet summary.
pub(crate) fn render_with(
    report: &Report<'_>,
    fleet: Option<&crate::fleet::Fleet>,
    out: &mut dyn Write,
) -> io::Result<()> {
    use rayon::prelude::*;
    out.write_all(b"{\n")?;
    field(
        out,
        "tool",
        &Tool {
            name: "palisade",
            version: report.tool_version,
        },
        false,
    )?;
    let mut written = 0;
    for batch in report.visible_batches() {
        let texts: Vec<String> = batch
            .par_iter()
            .map(|f| nested(f, 2))
            .collect::<io::Result<_>>()?;
        for text in texts {
            out.write_all(if written == 0 {
                b"  \"findings\": [\n    "
            } else {
                b",\n    "
            })?;
            out.write_all(text.as_bytes())?;
            written += 1;
        }
    }
    out.write_all(if written == 0 {
        b"  \"findings\": [],\n"
    } else {
        b"\n  ],\n"
    })?;
    field(out, "summary", report.summary, false)?;
    field(out, "errors", &report.errors, false)?;
    field(out, "warnings", &report.warnings, false)?;
    field(out, "notes", &report.notes, false)?;
    let compliance = crate::compliance::compliance(report.findings, report.rules, report.evaluated);
    field(out, "compliance", &compliance, fleet.is_none())?;
    if let Some(fleet) = fleet {
        field(out, "clusters", &fleet.clusters, false)?;
        field(out, "fleet", &FleetSummary::of(fleet), true)?;
    }
    out.write_all(b"}\n")
}

/// The fleet object of the JSON document: findings by cluster and severity, and the clusters
/// where each rule fails.
#[derive(Serialize)]
struct FleetSummary<'a> {
    by_cluster:
        std::collections::BTreeMap<&'a str, &'a std::collections::BTreeMap<&'static str, usize>>,
    rules: &'a std::collections::BTreeMap<String, Vec<String>>,
}

impl<'a> FleetSummary<'a> {
    fn of(fleet: &'a crate::fleet::Fleet) -> Self {
        FleetSummary {
            by_cluster: fleet
                .clusters
                .iter()
                .map(|c| (c.name.as_str(), &c.by_severity))
                .collect(),
            rules: &fleet.rules,
        }
    }
}
