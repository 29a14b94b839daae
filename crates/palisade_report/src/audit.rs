//! Alerts of the audit detections as people and machines read them: one JSON object per line
//! (a finding of the JSON contract with the event's context and where it was read), or one
//! line of text per alert. Names and messages come from the log: text goes through a
//! [`crate::terminal::TerminalWriter`] at the caller. Request bodies are never printed.

use std::io::{self, Write};

use palisade_diagnostics::{Finding, Severity};
use serde::Serialize;

/// What an alert shows of the event it is about, besides the finding.
#[derive(Debug, Clone, Serialize)]
pub struct EventContext<'a> {
    /// When the stage was reached (RFC 3339).
    pub timestamp: &'a str,
    /// The stage.
    pub stage: &'a str,
    /// The request URI.
    #[serde(rename = "requestURI")]
    pub request_uri: &'a str,
    /// The acting user's groups.
    pub groups: &'a [String],
    /// The user impersonated, when the request impersonated one.
    #[serde(rename = "impersonatedUser", skip_serializing_if = "Option::is_none")]
    pub impersonated_user: Option<&'a str>,
    /// Client addresses.
    #[serde(rename = "sourceIPs")]
    pub source_ips: &'a [String],
    /// The client's user agent.
    #[serde(rename = "userAgent")]
    pub user_agent: &'a str,
    /// The response code, when recorded.
    #[serde(rename = "responseCode", skip_serializing_if = "Option::is_none")]
    pub code: Option<u16>,
}

/// Where an event was read: a file (or `-`, or `webhook`) and its line.
#[derive(Debug, Clone, Serialize)]
pub struct ReadAt<'a> {
    /// The file, `-` for standard input, `webhook` for the webhook backend.
    pub path: &'a str,
    /// 1-based line (0 when not read from lines).
    pub line: usize,
}

#[derive(Serialize)]
struct Alert<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    event: &'a EventContext<'a>,
    source: &'a ReadAt<'a>,
}

/// One alert as one line of JSON.
pub fn write_alert_json(
    out: &mut dyn Write,
    finding: &Finding,
    event: &EventContext<'_>,
    at: &ReadAt<'_>,
) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &Alert {
            finding,
            event,
            source: at,
        },
    )?;
    out.write_all(b"\n")
}

/// One alert as one line of text: time, severity, rule, message, where it was read.
pub fn write_alert_text(
    out: &mut dyn Write,
    finding: &Finding,
    event: &EventContext<'_>,
    at: &ReadAt<'_>,
) -> io::Result<()> {
    let place = if at.line > 0 {
        format!("{}:{}", at.path, at.line)
    } else {
        at.path.to_string()
    };
    writeln!(
        out,
        "{} {:<8} {} {} [{place}]",
        if event.timestamp.is_empty() {
            "-"
        } else {
            event.timestamp
        },
        finding.severity.as_str(),
        finding.rule.id,
        finding.message
    )
}

/// Counts of a run over audit events.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditSummary {
    /// Events read.
    pub events: u64,
    /// Sources read (files, standard input).
    pub sources: usize,
    /// Lines that were not events.
    pub malformed: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// Alerts by severity.
    pub by_severity: std::collections::BTreeMap<&'static str, u64>,
}

impl AuditSummary {
    /// Count an alert.
    pub fn alert(&mut self, severity: Severity) {
        self.alerts += 1;
        *self.by_severity.entry(severity.as_str()).or_default() += 1;
    }
}

/// `Read 1200 events from 2 sources (1 malformed line): 3 alerts (1 high, 2 low).`
pub fn audit_summary_line(s: &AuditSummary) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "Read {} from {}",
        plural(s.events, "event", "events"),
        plural(s.sources as u64, "source", "sources")
    );
    if s.malformed > 0 {
        line.push_str(&format!(
            " ({})",
            plural(s.malformed, "malformed line", "malformed lines")
        ));
    }
    line.push_str(&format!(": {}", plural(s.alerts, "alert", "alerts")));
    if s.alerts > 0 {
        let order = ["critical", "high", "medium", "low", "info"];
        let parts: Vec<String> = order
            .iter()
            .filter_map(|k| s.by_severity.get(k).map(|n| format!("{n} {k}")))
            .collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line.push('.');
    line
}
