//! AUDIT-D16 service-account-in-system-namespace: ServiceAccount created in kube-system or kube-public.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::listed;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports successful ServiceAccount creates in kube-system and kube-public whose name is
    /// not one of the controllers' accounts (`audit-system-service-accounts`, by default
    /// Falco's `known_sa_list`).
    ///
    /// ## Why is this bad?
    /// A new account in kube-system can be bound to the system's roles and blends in with the
    /// controllers': a persistent identity for an attacker.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D16
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d16-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/kube-system/serviceaccounts
    /// user: {username: alice}
    /// objectRef: {resource: serviceaccounts, namespace: kube-system, name: backup-agent, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// ```
    ///
    /// ## Remediation
    /// Confirm the account belongs there (add it to `audit-system-service-accounts`), or delete
    /// it and its bindings.
    ///
    /// ## References
    /// - Falco k8saudit rules: Service Account Created in Kube Namespace
    /// - Microsoft Threat Matrix for Kubernetes: Container service account (MS-TA9016)
    pub static RULE = {
        id: "AUDIT-D16",
        name: "service-account-in-system-namespace",
        title: "ServiceAccount created in kube-system or kube-public",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1098"), Mitre("MS-TA9016")],
        remediation: "Confirm the account belongs in the system namespace, or delete it and its bindings.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::created(event, "serviceaccounts")
        || !matches!(event.namespace(), "kube-system" | "kube-public")
    {
        return;
    }
    ctx.applicable();
    if listed(
        &ctx.options::<AuditOptions>().audit_system_service_accounts,
        event.name(),
    ) {
        return;
    }
    super::report(
        ctx,
        event,
        format!("{} created {}", super::who(event), super::target(event)),
    );
}
