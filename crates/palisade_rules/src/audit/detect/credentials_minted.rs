//! AUDIT-D31 credentials-minted: a ServiceAccount token or a client certificate requested.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports, by anyone but the API server's own identities (kubelets and the
    /// controller-manager mint tokens and approve node certificates all day):
    /// - TokenRequests (`create serviceaccounts/token`): a token for a ServiceAccount;
    /// - CertificateSigningRequest creates, critical when the request asks for a certificate
    ///   in `system:masters` (decoded from `spec.request`);
    /// - CSR approvals (`update certificatesigningrequests/approval`).
    ///
    /// Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// Both mint credentials that outlive the session that asked for them: a token for a
    /// more powerful ServiceAccount, or a client certificate that is valid until it expires
    /// and cannot be revoked. A certificate in `system:masters` bypasses RBAC altogether.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D31
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d31-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/kube-system/serviceaccounts/clusterrole-aggregation-controller/token
    /// user: {username: "system:serviceaccount:ci:deployer"}
    /// objectRef: {resource: serviceaccounts, subresource: token, namespace: kube-system, name: clusterrole-aggregation-controller, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// ```
    ///
    /// ## Remediation
    /// Confirm who asked for the credential and why; remove `create serviceaccounts/token`
    /// and CSR `create`/`approve` from roles that do not need them, and revoke what was
    /// issued (delete the ServiceAccount's tokens by recreating it; rotate the CA for a
    /// certificate).
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Container service account (MS-TA9016)
    /// - MITRE ATT&CK T1528 Steal Application Access Token
    /// - Kubernetes documentation: Certificates and Certificate Signing Requests
    pub static RULE = {
        id: "AUDIT-D31",
        name: "credentials-minted",
        title: "ServiceAccount token or client certificate requested",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1528"), Mitre("MS-TA9016")],
        remediation: "Confirm who asked for the credential and why; limit TokenRequest and CSR create/approve to the components that need them.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() {
        return;
    }
    let what = match (event.resource(), event.subresource(), event.verb.as_str()) {
        ("serviceaccounts", "token", "create") => "requested a token for",
        ("certificatesigningrequests", "", "create") => "requested a client certificate with",
        ("certificatesigningrequests", "approval", "update" | "patch") => "approved",
        _ => return,
    };
    ctx.applicable();
    if super::system_component(&event.user.username) {
        return;
    }
    let mut message = format!(
        "{} {what} {}{}",
        super::who(event),
        super::target(event),
        super::outcome(event)
    );
    let masters = event.subresource().is_empty()
        && event
            .request_json()
            .and_then(|b| b.pointer("/spec/request")?.as_str().map(str::to_string))
            .is_some_and(|request| {
                crate::rbac::system_masters::requested_organizations(&request)
                    .iter()
                    .any(|o| o == "system:masters")
            });
    if masters {
        message.push_str(
            ": the request asks for a certificate in system:masters, which bypasses RBAC",
        );
        ctx.report_as(Severity::Critical, super::subject(event), "", message);
    } else {
        super::report(ctx, event, message);
    }
}
