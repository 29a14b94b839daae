//! AUDIT-D29 admission-config-changed: an admission webhook or policy changed.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

/// The objects that decide what the API server admits.
const ADMISSION: [&str; 6] = [
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "validatingadmissionpolicies",
    "validatingadmissionpolicybindings",
    "mutatingadmissionpolicies",
    "mutatingadmissionpolicybindings",
];

declare_rule! {
    /// ## What it does
    /// Reports creates, updates, patches and deletes of admission webhook configurations and
    /// admission policies (and their bindings) by anyone but the API server's own identities
    /// and `audit-webhook-managers` (by default cert-manager's CA injector, which patches
    /// `caBundle`). Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// A mutating webhook sees, and can rewrite, every object it selects: Secrets on their way
    /// in, pods to add a container to. Removing a validating webhook or policy switches off
    /// the guard it enforced.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D29
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d29-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations
    /// user: {username: mallory}
    /// objectRef: {resource: mutatingwebhookconfigurations, name: injector, apiGroup: admissionregistration.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// ```
    ///
    /// ## Remediation
    /// Confirm the change with its owner; limit writes on admission configuration to the
    /// tools that install it.
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Malicious admission controller (MS-TA9015)
    /// - MITRE ATT&CK T1546 Event Triggered Execution
    pub static RULE = {
        id: "AUDIT-D29",
        name: "admission-config-changed",
        title: "Admission webhook or policy changed",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1546"), Mitre("MS-TA9015")],
        remediation: "Confirm the change with its owner; limit writes on admission configuration to the tools that install it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete()
        || !ADMISSION.iter().any(|r| event.is(r))
        || !matches!(
            event.verb.as_str(),
            "create" | "update" | "patch" | "delete" | "deletecollection"
        )
    {
        return;
    }
    ctx.applicable();
    let managers = &ctx.options::<AuditOptions>().audit_webhook_managers;
    if super::system_component(&event.user.username)
        || super::listed(managers, &event.user.username)
    {
        return;
    }
    super::report_change(ctx, event);
}
