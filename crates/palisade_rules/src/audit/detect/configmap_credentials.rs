//! AUDIT-D09 configmap-credentials: ConfigMap written with credentials.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports ConfigMap creates, updates and patches (the request body must be recorded) whose
    /// data holds a key or value that names a credential as Falco looks for them:
    /// `aws_access_key_id`, `aws-access-key-id`, `aws_s3_access_key_id`, `aws-s3-access-key-
    /// id`, `password`, `passphrase` (case-insensitive). The values are never shown.
    ///
    /// ## Why is this bad?
    /// ConfigMaps are readable by anyone with `get configmaps`, are not encrypted at rest, and
    /// end up in logs and dashboards: credentials in them leak.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D09
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d09-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/shop/configmaps
    /// user: {username: alice}
    /// objectRef: {resource: configmaps, namespace: shop, name: app, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: ConfigMap
    ///   metadata: {name: app, namespace: shop}
    ///   data: {DB_PASSWORD: hunter2}
    /// ```
    ///
    /// ## Remediation
    /// Move the credential to a Secret (or an external secret store) and rotate it: it has been
    /// written in clear.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create/Modify Configmap With Private Credentials
    /// - Microsoft Threat Matrix for Kubernetes: Application credentials in configuration files (MS-TA9027)
    pub static RULE = {
        id: "AUDIT-D09",
        name: "configmap-credentials",
        title: "ConfigMap written with credentials",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1552"), Mitre("MS-TA9027")],
        remediation: "Move the credential to a Secret or an external secret store and rotate it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

/// What Falco looks for in a ConfigMap's data, lower-cased.
const MARKERS: &[&str] = &[
    "aws_access_key_id",
    "aws-access-key-id",
    "aws_s3_access_key_id",
    "aws-s3-access-key-id",
    "password",
    "passphrase",
];

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || !event.is("configmaps") || !event.modifies() {
        return;
    }
    ctx.applicable();
    let Some(body) = event.request_json() else {
        return;
    };
    let Some(data) = body.get("data").and_then(|d| d.as_object()) else {
        return;
    };
    // Keys are named, values only counted: they are the credentials.
    let mut keys: Vec<&str> = Vec::new();
    let mut values = 0;
    for (key, value) in data {
        let lower = key.to_ascii_lowercase();
        if MARKERS.iter().any(|m| lower.contains(m)) {
            keys.push(key);
        } else if value
            .as_str()
            .is_some_and(|v| MARKERS.iter().any(|m| v.to_ascii_lowercase().contains(m)))
        {
            values += 1;
        }
    }
    if keys.is_empty() && values == 0 {
        return;
    }
    let mut found = Vec::new();
    if !keys.is_empty() {
        found.push(format!("keys {}", keys.join(", ")));
    }
    if values > 0 {
        found.push(format!("{values} value(s) naming a credential"));
    }
    super::report(
        ctx,
        event,
        format!(
            "{} wrote credentials into {} ({}){}",
            super::who(event),
            super::target(event),
            found.join("; "),
            super::outcome(event)
        ),
    );
}
