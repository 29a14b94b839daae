//! AUDIT-D40 pod-security-violation: Pod Security admission recorded a violation.

use palisade_audit::Event;
use palisade_engine::prelude::*;

/// The annotation Pod Security admission adds to the audit event of a request that violates
/// the namespace's `audit` level.
const VIOLATIONS: &str = "pod-security.kubernetes.io/audit-violations";

declare_rule! {
    /// ## What it does
    /// Reports every event carrying the annotation `pod-security.kubernetes.io/audit-violations`:
    /// Pod Security admission let the request through but found that it violates the Pod
    /// Security level the namespace audits (`pod-security.kubernetes.io/audit`). The message
    /// carries the violations as admission wrote them.
    ///
    /// ## Why is this bad?
    /// Namespaces that only audit (or warn) a level are on their way to enforcing it. Each
    /// violation is a workload that will be refused on the day enforcement starts, or a pod
    /// that runs with more privilege than the namespace is meant to allow: the drift between
    /// the policy and the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D40
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d40-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/apps/v1/namespaces/shop/deployments
    /// user: {username: alice}
    /// objectRef: {resource: deployments, namespace: shop, name: web, apiGroup: apps, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// annotations:
    ///   pod-security.kubernetes.io/audit-violations: 'would violate PodSecurity "restricted:latest": runAsNonRoot != true'
    /// ```
    ///
    /// ## Remediation
    /// Fix the workload so that it meets the level (`palisade scan` shows how, field by
    /// field), then enforce the level on the namespace.
    ///
    /// ## References
    /// - Kubernetes documentation: Pod Security Admission (audit annotations)
    /// - MITRE ATT&CK T1610 Deploy Container
    /// - Microsoft Threat Matrix for Kubernetes: Privileged container (MS-TA9018)
    pub static RULE = {
        id: "AUDIT-D40",
        name: "pod-security-violation",
        title: "Pod Security admission recorded a violation",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1610"), Mitre("MS-TA9018")],
        remediation: "Fix the workload so that it meets the namespace's Pod Security level, then enforce the level.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let Some(violations) = event.annotations.get(VIOLATIONS) else {
        return;
    };
    ctx.applicable();
    super::report(
        ctx,
        event,
        format!(
            "{} {} {}: {violations}",
            super::who(event),
            super::past(&event.verb),
            super::target(event)
        ),
    );
}
