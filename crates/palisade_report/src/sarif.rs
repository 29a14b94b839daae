//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning and other dashboards read it.

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_diagnostics::{Finding, RuleMeta, RuleRef, Severity, Span, Subject};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, LogicalLocation, Message, MultiformatMessageString,
    Notification, PhysicalLocation, PropertyBag, Region, ReportingConfiguration,
    ReportingDescriptor, Result as SResult, ResultLevel, Run, Sarif, Suppression, Tool,
    ToolComponent,
};

use crate::Report;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn result_level(sev: Severity) -> ResultLevel {
    match sev {
        Severity::Critical | Severity::High => ResultLevel::Error,
        Severity::Medium => ResultLevel::Warning,
        Severity::Low | Severity::Info => ResultLevel::Note,
    }
}

/// GitHub's `security-severity` score for each severity.
fn security_severity(sev: Severity) -> &'static str {
    match sev {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.5",
    }
}

/// Bytes a URI path may hold as they are (RFC 3986 `pchar` and the `/` between segments):
/// unreserved characters, sub-delimiters, `:` and `@`. Everything else, `%`, controls, spaces
/// and every non-ASCII byte included, is percent-encoded.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

/// The `artifactLocation.uri` of findings in standard input (`-`): a relative reference, as
/// GitHub code scanning requires (it refuses other schemes), that names where they came from.
pub(crate) const STDIN_URI: &str = "stdin";

/// A path as an RFC 3986 URI reference, as SARIF's `artifactLocation.uri` must be: relative
/// paths stay relative, absolute ones (and Windows drive paths) become `file://` URIs, and
/// standard input is [`STDIN_URI`].
pub(crate) fn path_uri(path: &str) -> String {
    if path == "-" {
        return STDIN_URI.to_string();
    }
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let encoded = utf8_percent_encode(path, PATH).to_string();
    let drive = matches!(path.as_bytes(), [d, b':', b'/', ..] if d.is_ascii_alphabetic());
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else if drive {
        format!("file:///{encoded}")
    } else {
        // A `:` in the first segment of a relative reference would read as a scheme.
        match encoded.split_once('/') {
            Some((first, rest)) => format!("{}/{rest}", first.replace(':', "%3A")),
            None => encoded.replace(':', "%3A"),
        }
    }
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let docs = meta.documentation();
    let mut tags = vec!["security".to_string(), meta.layer.as_str().to_string()];
    if let Some(pss) = meta.pss() {
        tags.push(format!("pss-{}", pss.level.as_str()));
    }
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_string(),
        serde_json::json!(security_severity(meta.severity)),
    );
    props.insert(
        "frameworks".to_string(),
        serde_json::json!(frameworks(meta)),
    );
    ReportingDescriptor::builder()
        .id(meta.id.as_str())
        .name(meta.name.as_str())
        .short_description(
            MultiformatMessageString::builder()
                .text(meta.title.as_str())
                .build(),
        )
        .full_description(
            MultiformatMessageString::builder()
                .text(
                    meta.doc_section("What it does")
                        .unwrap_or_else(|| meta.title.to_string()),
                )
                .build(),
        )
        .help(
            MultiformatMessageString::builder()
                .text(format!(
                    "{}\n\nRemediation: {}",
                    meta.title, meta.remediation
                ))
                .markdown(docs)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(serde_json::json!(level(meta.severity)))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(tags)
                .additional_properties(props)
                .build(),
        )
        .build()
}

fn frameworks(meta: &RuleMeta) -> serde_json::Value {
    use palisade_diagnostics::FrameworkRef;
    let mut map = serde_json::Map::new();
    for f in meta.frameworks.iter() {
        let value = match f {
            FrameworkRef::Pss(p) => format!("{}/{}", p.level.as_str(), p.check),
            other => other.id().unwrap_or_default().to_string(),
        };
        if let Some(list) = map
            .entry(f.key())
            .or_insert_with(|| serde_json::Value::Array(Vec::new()))
            .as_array_mut()
        {
            list.push(value.into());
        }
    }
    serde_json::Value::Object(map)
}

fn region(l: &Span) -> Region {
    let single_line = l.end_line == l.line && l.end_column > l.column;
    let b = Region::builder()
        .start_line(i64::from(l.line))
        .start_column(i64::from(l.column));
    if single_line {
        b.end_line(i64::from(l.end_line))
            .end_column(i64::from(l.end_column))
            .build()
    } else {
        b.build()
    }
}

/// The rules the document describes: those run, and any rule a finding names outside them.
fn rules_of(report: &Report<'_>) -> Vec<RuleRef> {
    let mut rules: Vec<RuleRef> = report.rules.to_vec();
    for f in report.visible() {
        if !rules.iter().any(|r| r.id == f.rule.id) {
            rules.push(f.rule);
        }
    }
    rules
}

fn result(report: &Report<'_>, rules: &[RuleRef], f: &Finding) -> SResult {
    let mut fingerprints = BTreeMap::new();
    // A finding read from a file is tracked per place, as code scanning does; one about a
    // subject that is not in a file (a live object, a node file, an event), by its subject.
    let (location, fingerprint) = match &f.location.span {
        Some(span) => (
            Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(
                            ArtifactLocation::builder()
                                .uri(path_uri(&span.path))
                                .build(),
                        )
                        .region(region(span))
                        .build(),
                )
                .build(),
            match report.project {
                Some(project) => f.path_fingerprint(&project.key(&span.path)),
                None => f.path_fingerprint(&span.path),
            },
        ),
        None => (
            Location::builder()
                .logical_locations(vec![
                    LogicalLocation::builder()
                        .name(f.subject.identity().1)
                        .fully_qualified_name(f.subject.display_name())
                        .kind("resource")
                        .build(),
                ])
                .build(),
            f.fingerprint(
                f.subject
                    .object()
                    .and_then(|o| o.namespace.as_deref())
                    .unwrap_or(""),
            ),
        ),
    };
    fingerprints.insert("palisade/v1".to_string(), fingerprint);
    let mut props = BTreeMap::new();
    match &*f.subject {
        Subject::Object(object) => props.insert(
            "object".to_string(),
            serde_json::to_value(object).unwrap_or_default(),
        ),
        other => props.insert(
            "subject".to_string(),
            serde_json::to_value(other).unwrap_or_default(),
        ),
    };
    props.insert(
        "pointer".to_string(),
        serde_json::json!(f.location.pointer.as_str()),
    );
    props.insert(
        "severity".to_string(),
        serde_json::json!(f.severity.as_str()),
    );
    if let Some(origin) = &f.origin {
        props.insert(
            "origin".to_string(),
            serde_json::to_value(origin).unwrap_or_default(),
        );
    }
    let rule_index = rules.iter().position(|r| r.id == f.rule.id).unwrap_or(0);
    let builder = SResult::builder()
        .rule_id(f.rule.id.as_str())
        .rule_index(i64::try_from(rule_index).unwrap_or(0))
        .level(result_level(f.severity))
        .message(
            Message::builder()
                .text(format!("{} ({})", f.message, f.subject.display_name()))
                .build(),
        )
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .properties(PropertyBag::builder().additional_properties(props).build());
    if f.suppressed {
        builder
            .suppressions(vec![
                Suppression::builder()
                    .kind(serde_json::json!("inSource"))
                    .justification(f.suppression_reason.as_deref().unwrap_or_default())
                    .build(),
            ])
            .build()
    } else {
        builder.build()
    }
}

/// The whole document around `results`.
fn document(report: &Report<'_>, rules: &[RuleRef], results: Vec<SResult>) -> Sarif {
    let levelled = report
        .errors
        .iter()
        .map(|e| (e, "error"))
        .chain(report.warnings.iter().map(|e| (e, "warning")));
    let notifications: Vec<Notification> = levelled
        .map(|(e, level)| {
            let mut physical = PhysicalLocation::builder()
                .artifact_location(ArtifactLocation::builder().uri(path_uri(&e.path)).build())
                .build();
            if let Some(line) = e.line {
                let r = Region::builder().start_line(i64::from(line));
                physical.region = Some(match e.column {
                    Some(c) => r.start_column(i64::from(c)).build(),
                    None => r.build(),
                });
            }
            Notification::builder()
                .level(serde_json::json!(level))
                .message(Message::builder().text(e.message.clone()).build())
                .locations(vec![
                    Location::builder().physical_location(physical).build(),
                ])
                .build()
        })
        .collect();
    let invocation = Invocation::builder()
        .execution_successful(report.errors.is_empty())
        .tool_execution_notifications(notifications)
        .build();
    let driver = ToolComponent::builder()
        .name("palisade")
        .version(report.tool_version)
        .semantic_version(report.tool_version)
        .information_uri("https://github.com/palisade-dev/palisade")
        .rules(rules.iter().map(|r| descriptor(r)).collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .build();
    Sarif::builder()
        .schema(SCHEMA)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build()
}

/// The document serialized in one piece, as [`render`] must write it.
#[cfg(test)]
pub(crate) fn whole_document(report: &Report<'_>) -> String {
    let rules = rules_of(report);
    let results = report
        .visible()
        .map(|f| result(report, &rules, &f))
        .collect();
    let mut text = serde_json::to_string_pretty(&document(report, &rules, results)).unwrap();
    text.push('\n');
    text
}

/// Writes the document as `serde_json::to_writer_pretty` would write it whole, but with the
/// results (most of it) built and serialized a batch at a time, on every core. The document is
/// serialized once around a single marker result; the text before and after the marker frames
/// the results.
pub(crate) fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    use crate::json::nested;
    use rayon::prelude::*;
    let rules = rules_of(report);
    if !report.visible().any(|_| true) {
        serde_json::to_writer_pretty(&mut *out, &document(report, &rules, Vec::new()))?;
        return writeln!(out);
    }
    const MARKER: &str = "palisade:results";
    let marker = SResult::builder()
        .message(Message::builder().text(MARKER).build())
        .build();
    let frame = serde_json::to_string_pretty(&document(report, &rules, vec![marker.clone()]))?;
    let malformed = || io::Error::other("unexpected SARIF document layout");
    // The marker's text at the depth where results sit (`runs[0].results[0]`).
    let (at, level, len) = (1..8)
        .find_map(|level| {
            let block = crate::json::nested(&marker, level).ok()?;
            let pad = "  ".repeat(level);
            let at = frame.find(&format!("\n{pad}{block}"))? + 1 + pad.len();
            Some((at, level, block.len()))
        })
        .ok_or_else(malformed)?;
    let separator = format!(",\n{}", "  ".repeat(level));
    out.write_all(&frame.as_bytes()[..at])?;
    let mut written = 0;
    for batch in report.visible_batches() {
        let texts: Vec<String> = batch
            .par_iter()
            .map(|f| nested(&result(report, &rules, f), level))
            .collect::<io::Result<_>>()?;
        for text in texts {
            if written > 0 {
                out.write_all(separator.as_bytes())?;
            }
            out.write_all(text.as_bytes())?;
            written += 1;
        }
    }
    out.write_all(&frame.as_bytes()[at + len..])?;
    writeln!(out)
}
