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

/// The OCSF schema version [`write_alert_ocsf`] writes.
pub const OCSF_VERSION: &str = "1.3.0";

/// OCSF `severity_id` of a severity: Informational 1, Low 2, Medium 3, High 4, Critical 5.
fn ocsf_severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// One alert as one line of OCSF: a Detection Finding (class 2004) whose evidence is the API
/// activity the audit event records, for SIEMs that ingest OCSF (Amazon Security Lake,
/// Splunk, …). Palisade's own fields that OCSF has no place for (the rule's layer, the
/// threat-matrix ids, where the event was read) are under `unmapped`.
pub fn write_alert_ocsf(
    out: &mut dyn Write,
    finding: &Finding,
    event: &EventContext<'_>,
    at: &ReadAt<'_>,
) -> io::Result<()> {
    use serde_json::{Value, json};
    let (severity_id, severity) = ocsf_severity(finding.severity);
    let audit = match &*finding.subject {
        palisade_diagnostics::Subject::AuditEvent(a) => Some(a),
        _ => None,
    };
    let audit_id = audit.map_or("", |a| a.audit_id.as_str());
    let time = time::OffsetDateTime::parse(
        event.timestamp,
        &time::format_description::well_known::Rfc3339,
    )
    .map_or(0, |t| (t.unix_timestamp_nanos() / 1_000_000) as i64);
    let mut techniques = Vec::new();
    let mut matrix = Vec::new();
    for f in finding.rule.frameworks.iter() {
        if let palisade_diagnostics::FrameworkRef::Mitre(id) = f {
            let name = palisade_diagnostics::control_name("mitre", id);
            if id.starts_with('T') {
                techniques.push(json!({"technique": {"uid": id, "name": name}}));
            } else {
                matrix.push(json!({"uid": id, "name": name}));
            }
        }
    }
    let operation = audit.map_or("", |a| a.verb.as_str());
    let mut resources = Vec::new();
    if let Some(object) = audit.and_then(|a| a.object.as_ref()) {
        let mut resource = json!({"type": object.kind.as_str()});
        if let Some(name) = &object.name {
            resource["name"] = json!(name.as_str());
        }
        if let Some(ns) = &object.namespace {
            resource["namespace"] = json!(ns.as_str());
        }
        resources.push(resource);
    }
    let mut user = json!({
        "name": audit.map_or("", |a| a.user.as_str()),
        "groups": event.groups.iter().map(|g| json!({"name": g})).collect::<Vec<Value>>(),
    });
    if let Some(as_user) = event.impersonated_user {
        user["account"] = json!({"name": as_user});
    }
    let mut api = json!({"operation": operation, "request": {"uid": audit_id}});
    if let Some(code) = event.code {
        api["response"] = json!({"code": code});
    }
    let mut evidence = json!({
        "api": api,
        "actor": {"user": user},
        "http_request": {"user_agent": event.user_agent, "url": {"path": event.request_uri}},
    });
    if let Some(ip) = event.source_ips.first() {
        evidence["src_endpoint"] = json!({"ip": ip});
    }
    if !resources.is_empty() {
        evidence["resources"] = json!(resources);
    }
    let alert = json!({
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "category_uid": 2,
        "category_name": "Findings",
        "activity_id": 1,
        "activity_name": "Create",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": 1,
        "status": "New",
        "message": finding.message.as_str(),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "Palisade",
                "vendor_name": "Palisade",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "log_name": "kubernetes-audit",
            "original_time": event.timestamp,
        },
        "finding_info": {
            "uid": format!("{}:{audit_id}", finding.rule.id),
            "title": finding.rule.title.as_str(),
            "desc": finding.message.as_str(),
            "types": ["Kubernetes audit"],
            "analytic": {
                "uid": finding.rule.id.as_str(),
                "name": finding.rule.name.as_str(),
                "type_id": 1,
                "type": "Rule",
            },
            "attacks": techniques,
        },
        "evidences": [evidence],
        "resources": resources,
        "unmapped": {
            "layer": finding.rule.layer.as_str(),
            "threat_matrix": matrix,
            "stage": event.stage,
            "source": {"path": at.path, "line": at.line},
        },
    });
    serde_json::to_writer(&mut *out, &alert)?;
    out.write_all(b"\n")
}
