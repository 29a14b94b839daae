//! `--format json`: the stable contract documented in `docs/json-output.md`.

use std::io::{self, Write};

use palisade_diagnostics::{Finding, InputError, Summary};
use serde::Serialize;

use crate::Report;

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct Output<'a> {
    tool: Tool<'a>,
    findings: Vec<&'a Finding>,
    summary: &'a Summary,
    errors: &'a [InputError],
    warnings: &'a [InputError],
    notes: &'a [String],
    compliance: crate::compliance::Compliance,
}

pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let output = Output {
        tool: Tool {
            name: "palisade",
            version: report.tool_version,
        },
        findings: report.visible().collect(),
        summary: report.summary,
        errors: report.errors,
        warnings: report.warnings,
        notes: report.notes,
        compliance: crate::compliance::compliance(report.findings, report.rules, report.evaluated),
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
