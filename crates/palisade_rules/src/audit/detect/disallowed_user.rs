//! AUDIT-D01 disallowed-user: Request by a user not on the allowed list.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::listed;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports requests by users outside the API server's own identities (names starting with
    /// `system:`) that are not on the allowed-users list (`audit-allowed-users`; by default
    /// Falco's: minikube, kubelet, kops, admin, kube, kube-proxy, kubernetes-admin, cluster-
    /// autoscaler, the VPA users and EKS `eks:*` components). Each user is reported once per
    /// run, on its first request.
    ///
    /// ## Why is this bad?
    /// Day-to-day access should go through known identities. A request from any other user is a
    /// stolen or forgotten kubeconfig, a leaked client certificate or a new integration nobody
    /// reviewed.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D01
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d01-example
    /// stage: ResponseComplete
    /// verb: list
    /// requestURI: /api/v1/namespaces/shop/pods
    /// user: {username: mallory}
    /// objectRef: {resource: pods, namespace: shop, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// Add the user to `audit-allowed-users` in palisade.toml's `[rule-options]` when it is
    /// expected; otherwise revoke its credentials.
    ///
    /// ## References
    /// - Falco k8saudit rules: Disallowed K8s User
    /// - Microsoft Threat Matrix for Kubernetes: Kubeconfig file (MS-TA9003)
    pub static RULE = {
        id: "AUDIT-D01",
        name: "disallowed-user",
        title: "Request by a user not on the allowed list",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1078"), Mitre("MS-TA9003")],
        remediation: "Add expected users to audit-allowed-users; revoke the credentials of others.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || event.user.username.is_empty() || event.by_system_user() {
        return;
    }
    ctx.applicable();
    let allowed = &ctx.options::<AuditOptions>().audit_allowed_users;
    if listed(allowed, &event.user.username) {
        return;
    }
    // Once per user: the first request says who it is; the rest would repeat it.
    if state.bump(&event.user.username) > 1 {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} is not on the allowed-users list: {}",
            super::who(event),
            super::request(event)
        ),
    );
}
