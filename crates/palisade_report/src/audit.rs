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

/// What the cluster's posture says about an alert (`--context`): the acting identity's
/// dangerous powers and escalation paths, the scan findings of the object involved, and
/// whether they raised the alert's severity.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PostureNote {
    /// The identity's dangerous powers: `can read Secret values cluster-wide (via
    /// ClusterRoleBinding/x -> ClusterRole/y)`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub powers: Vec<String>,
    /// Escalation paths that start at the identity.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<String>,
    /// The object involved as the posture knows it (`Deployment/shop/web`; for a pod, the
    /// workload whose pods carry its name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The object's scan findings, most severe first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<PostureFinding>,
    /// The rule's own severity, when the context raised it.
    #[serde(rename = "raisedFrom", skip_serializing_if = "Option::is_none")]
    pub raised_from: Option<Severity>,
    /// Why it was raised.
    #[serde(rename = "raisedBecause", skip_serializing_if = "Vec::is_empty")]
    pub raised_because: Vec<String>,
}

impl PostureNote {
    /// Whether the posture knew nothing of the identity or the object.
    pub fn is_empty(&self) -> bool {
        self.powers.is_empty() && self.object.is_none()
    }
}

/// A scan finding of the object an alert is about.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PostureFinding {
    /// The rule id.
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// Its message.
    pub message: String,
}

#[derive(Serialize)]
struct Alert<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    event: &'a EventContext<'a>,
    source: &'a ReadAt<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a PostureNote>,
}

/// One alert as one line of JSON, with its posture context when known.
pub fn write_alert_json(
    out: &mut dyn Write,
    finding: &Finding,
    event: &EventContext<'_>,
    at: &ReadAt<'_>,
    context: Option<&PostureNote>,
) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &Alert {
            finding,
            event,
            source: at,
            context: context.filter(|c| !c.is_empty()),
        },
    )?;
    out.write_all(b"\n")
}

/// One alert as one line of text: time, severity, rule, message, where it was read; with a
/// posture context, a second line says what it adds.
pub fn write_alert_text(
    out: &mut dyn Write,
    finding: &Finding,
    event: &EventContext<'_>,
    at: &ReadAt<'_>,
    context: Option<&PostureNote>,
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
    )?;
    let Some(note) = context.filter(|c| !c.is_empty()) else {
        return Ok(());
    };
    let mut parts = Vec::new();
    if let Some(from) = note.raised_from {
        parts.push(format!(
            "raised from {}: {}",
            from.as_str(),
            note.raised_because.join("; ")
        ));
    }
    let told = |prefix: &str| note.raised_because.iter().any(|r| r.starts_with(prefix));
    if let Some(first) = note.powers.first().filter(|_| !told("the identity")) {
        let more = note.powers.len() - 1;
        parts.push(if more > 0 {
            format!("the identity {first} (and {more} more powers)")
        } else {
            format!("the identity {first}")
        });
    }
    if let Some(object) = note.object.as_ref().filter(|o| !told(o)) {
        let worst: Vec<String> = note
            .findings
            .iter()
            .take(2)
            .map(|f| format!("{} {}", f.rule, f.message))
            .collect();
        parts.push(if worst.is_empty() {
            format!("{object} has no findings")
        } else {
            format!("{object}: {}", worst.join("; "))
        });
    }
    writeln!(out, "    context: {}", parts.join(" · "))
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
pub const OCSF_VERSION: &str = "1.5.0";

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
    context: Option<&PostureNote>,
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
    let user = json!({
        "name": audit.map_or("", |a| a.user.as_str()),
        "groups": event.groups.iter().map(|g| json!({"name": g})).collect::<Vec<Value>>(),
    });
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
        "is_alert": true,
        "remediation": {"desc": finding.rule.remediation.as_str()},
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
            "impersonated_user": event.impersonated_user,
            "source": {"path": at.path, "line": at.line},
            "context": context.filter(|c| !c.is_empty()),
        },
    });
    serde_json::to_writer(&mut *out, &alert)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use palisade_diagnostics::{
        AuditEventRef, FrameworkRef, Layer, Location, ObjectRef, RuleMeta, RuleStatus, Subject,
    };

    use super::*;

    static EXEC: RuleMeta = RuleMeta {
        id: palisade_diagnostics::arcstr::literal!("AUDIT-D11"),
        name: palisade_diagnostics::arcstr::literal!("exec-into-pod"),
        title: palisade_diagnostics::arcstr::literal!("Exec or attach into a pod"),
        severity: Severity::Low,
        layer: Layer::Cluster,
        status: RuleStatus::Stable,
        since: "0.1.0",
        inputs: &[],
        frameworks: std::borrow::Cow::Borrowed(&[
            FrameworkRef::Mitre("T1609"),
            FrameworkRef::Mitre("MS-TA9006"),
        ]),
        remediation: palisade_diagnostics::arcstr::literal!("Confirm the session."),
        fixable: palisade_diagnostics::Fixable::No,
        superseded_by: &[],
        docs: palisade_diagnostics::arcstr::literal!(" ## What it does\n Exec.\n"),
    };

    fn alert() -> (Finding, PostureNote) {
        let subject = Subject::AuditEvent(AuditEventRef {
            audit_id: "x1".into(),
            user: "bob".into(),
            verb: "create".into(),
            object: Some(ObjectRef {
                api_version: "v1".into(),
                kind: "pods/exec".into(),
                namespace: Some("shop".into()),
                name: Some("web-5d9c8-x7k2p".into()),
                uid: None,
                cluster: None,
            }),
        });
        let mut finding = Finding::new(
            &EXEC,
            subject,
            Location::unplaced(""),
            "user \"bob\" ran exec in pod shop/web-5d9c8-x7k2p, command \"sh\"",
        );
        finding.severity = Severity::Medium;
        let note = PostureNote {
            powers: vec!["can create pods in shop (via RoleBinding/shop/dev -> ClusterRole/edit)".into()],
            escalation: Vec::new(),
            object: Some("Deployment/shop/web".into()),
            findings: vec![PostureFinding {
                rule: "PSS003".into(),
                severity: Severity::Critical,
                message: "container \"web\" sets securityContext.privileged to true".into(),
            }],
            raised_from: Some(Severity::Low),
            raised_because: vec!["Deployment/shop/web has critical findings (PSS003 container \"web\" sets securityContext.privileged to true)".into()],
        };
        (finding, note)
    }

    /// One of the alert writers.
    type Writer = fn(
        &mut dyn Write,
        &Finding,
        &EventContext<'_>,
        &ReadAt<'_>,
        Option<&PostureNote>,
    ) -> io::Result<()>;

    fn render(write: Writer) -> String {
        let (finding, note) = alert();
        let groups = vec!["devs".to_string()];
        let ips = vec!["10.0.0.5".to_string()];
        let event = EventContext {
            timestamp: "2026-12-05T10:00:00.123456Z",
            stage: "ResponseStarted",
            request_uri: "/api/v1/namespaces/shop/pods/web-5d9c8-x7k2p/exec?command=sh",
            groups: &groups,
            impersonated_user: None,
            source_ips: &ips,
            user_agent: "kubectl/v1.35.0",
            code: Some(101),
        };
        let at = ReadAt {
            path: "audit.log",
            line: 7,
        };
        let mut out = Vec::new();
        write(&mut out, &finding, &event, &at, Some(&note)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn text_alert_with_context_snapshot() {
        insta::assert_snapshot!(render(write_alert_text));
    }

    #[test]
    fn json_alert_with_context_snapshot() {
        let value: serde_json::Value = serde_json::from_str(&render(write_alert_json)).unwrap();
        insta::assert_json_snapshot!(value);
    }

    #[test]
    fn ocsf_detection_finding_snapshot() {
        let text = render(write_alert_ocsf);
        assert_eq!(text.lines().count(), 1, "one finding per line");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["time"], 1_796_464_800_123i64);
        insta::assert_json_snapshot!(value);
    }
}
