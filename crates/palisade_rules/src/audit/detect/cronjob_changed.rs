//! AUDIT-D30 cronjob-changed: a CronJob created or changed.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::ScanCheck;

declare_rule! {
    /// ## What it does
    /// Reports CronJob creates, updates and patches by anyone but the API server's own
    /// identities, with the schedule and images when the body was recorded. The finding is
    /// raised to high when the CronJob is in kube-system or its pods would run privileged,
    /// on the host's namespaces or with sensitive host paths, as the scan's own rules judge
    /// the CronJob (PSS002, PSS003, POD005, POD006).
    ///
    /// ## Why is this bad?
    /// A CronJob runs again and again on its own: the classic persistence of an attacker who
    /// once had `create cronjobs`, even after the pods they started are gone.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D30
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d30-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/batch/v1/namespaces/shop/cronjobs
    /// user: {username: mallory}
    /// objectRef: {resource: cronjobs, namespace: shop, name: backup, apiGroup: batch, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: CronJob
    ///   apiVersion: batch/v1
    ///   metadata: {name: backup, namespace: shop}
    ///   spec:
    ///     schedule: "*/5 * * * *"
    ///     jobTemplate:
    ///       spec:
    ///         template:
    ///           spec:
    ///             restartPolicy: Never
    ///             containers: [{name: c, image: alpine:3.20}]
    /// ```
    ///
    /// ## Remediation
    /// Confirm the CronJob with its owner; limit `create cronjobs` to the deployment tools
    /// that need it.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Kubernetes CronJob (MS-TA9014)
    /// - MITRE ATT&CK T1053.007 Scheduled Task/Job: Container Orchestration Job
    pub static RULE = {
        id: "AUDIT-D30",
        name: "cronjob-changed",
        title: "CronJob created or changed",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1053.007"), Mitre("MS-TA9014")],
        remediation: "Confirm the CronJob with its owner; limit create on cronjobs to the tools that need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

/// The scan's rules whose findings on the CronJob's pods make it worse.
static CHECK: ScanCheck = ScanCheck::new(|| {
    ScanCheck::of(&[
        &crate::pss::privileged::RULE,
        &crate::pss::host_namespaces::RULE,
        &crate::pod::sensitive_host_path::RULE,
        &crate::pod::container_runtime_socket::RULE,
    ])
});

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || !event.is("cronjobs") || !event.modifies() {
        return;
    }
    ctx.applicable();
    if super::system_component(&event.user.username) {
        return;
    }
    let mut message = format!(
        "{} {} {}{}",
        super::who(event),
        super::past(&event.verb),
        super::target(event),
        super::outcome(event)
    );
    let body = event.object_json();
    if let Some(schedule) = body
        .as_ref()
        .and_then(|b| b.pointer("/spec/schedule")?.as_str().map(str::to_string))
    {
        message.push_str(&format!(", schedule {schedule:?}"));
    }
    let images: Vec<&str> = body
        .as_ref()
        .and_then(|b| b.pointer("/spec/jobTemplate/spec/template/spec/containers"))
        .and_then(|c| c.as_array())
        .map(|c| c.iter().filter_map(|c| c.get("image")?.as_str()).collect())
        .unwrap_or_default();
    if !images.is_empty() {
        message.push_str(&format!(", images {}", images.join(", ")));
    }
    let mut severity = None;
    if event.namespace() == "kube-system" {
        severity = Some(Severity::High);
        message.push_str(", in kube-system");
    }
    let found: Vec<String> = super::object_for_scan(event, "CronJob")
        .map(|object| CHECK.findings_in(&object))
        .unwrap_or_default()
        .into_iter()
        .map(|f| f.message)
        .collect();
    if !found.is_empty() {
        severity = Some(Severity::High);
        message.push_str(&format!(": {}", found.join("; ")));
    }
    match severity {
        Some(severity) => ctx.report_as(severity, super::subject(event), "", message),
        None => super::report(ctx, event, message),
    }
}
