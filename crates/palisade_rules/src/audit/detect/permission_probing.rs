//! AUDIT-D33 permission-probing: bursts of access reviews or refused requests.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Counts, per identity within `audit-window-seconds` (60), the access reviews it makes
    /// about itself (SelfSubjectAccessReview, SelfSubjectRulesReview: `kubectl auth can-i`)
    /// and its refused requests (403). It reports the identity once per window when either
    /// count reaches its threshold (`audit-probe-threshold`, 10; `audit-forbidden-threshold`,
    /// 20). State is kept per identity, expires with the window and is bounded.
    ///
    /// ## Why is this bad?
    /// A stolen credential is first used to find out what it may do: tools enumerate
    /// permissions with access reviews, or simply try resource after resource. Legitimate
    /// clients rarely ask many times a minute, and rarely get many 403s.
    ///
    /// ## Example
    /// ```yaml
    /// # audit-probe-threshold: 2
    /// kind: Event
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d33-one
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/authorization.k8s.io/v1/selfsubjectrulesreviews
    /// user: {username: "system:serviceaccount:shop:web"}
    /// objectRef: {resource: selfsubjectrulesreviews, apiGroup: authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// stageTimestamp: "2026-12-01T10:00:00.000000Z"
    /// ---
    /// kind: Event # expect: AUDIT-D33
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d33-two
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/authorization.k8s.io/v1/selfsubjectaccessreviews
    /// user: {username: "system:serviceaccount:shop:web"}
    /// objectRef: {resource: selfsubjectaccessreviews, apiGroup: authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// stageTimestamp: "2026-12-01T10:00:05.000000Z"
    /// ```
    ///
    /// ## Remediation
    /// Find out who holds the identity; if it is not its owner probing, revoke its
    /// credentials (rotate the ServiceAccount token, the user's certificate or token).
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Access the Kubernetes API server (MS-TA9029)
    /// - MITRE ATT&CK T1613 Container and Resource Discovery; T1069 Permission Groups Discovery
    pub static RULE = {
        id: "AUDIT-D33",
        name: "permission-probing",
        title: "Identity probing its permissions",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1613"), Mitre("T1069"), Mitre("MS-TA9029")],
        remediation: "Find out who holds the identity; revoke its credentials if it is not its owner probing.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || event.user.username.is_empty() {
        return;
    }
    let review = event.verb == "create"
        && (event.is("selfsubjectaccessreviews") || event.is("selfsubjectrulesreviews"));
    let forbidden = event.code() == Some(403);
    if !review && !forbidden {
        return;
    }
    ctx.applicable();
    let options = ctx.options::<AuditOptions>();
    let window = super::window(options);
    let user = &event.user.username;
    let (kind, threshold, what) = if review {
        (
            "review",
            options.audit_probe_threshold,
            "access reviews about itself",
        )
    } else {
        (
            "forbidden",
            options.audit_forbidden_threshold,
            "refused requests (403)",
        )
    };
    let count = state.bump_within(&format!("{kind}\0{user}"), super::at(event), window);
    // Once per window: when the count reaches the threshold.
    if count != threshold.max(1) {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} made {count} {what} within {} s, the last {}",
            super::who(event),
            options.audit_window_seconds,
            super::request(event)
        ),
    );
}
