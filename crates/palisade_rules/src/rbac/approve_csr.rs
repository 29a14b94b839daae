//! RBAC011 approve-csr.

use palisade_engine::prelude::*;
use palisade_model::rbac::{approves_csr_requests, approves_csrs};

use super::custom_role_rules;

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoles that grant `update` or `patch` on the `approval` subresource of
    /// `certificatesigningrequests` (`certificates.k8s.io`), as CIS 5.1.11 asks to minimize,
    /// at high severity. A ClusterRole that also grants `create` on
    /// `certificatesigningrequests` and `approve` on `signers` for the API client signer
    /// (every signer, or `resourceNames` with `kubernetes.io/kube-apiserver-client` or
    /// `kubernetes.io/*`, which the CertificateApproval admission plugin also accepts), all it
    /// takes to issue a client certificate on its own, is reported once, at critical severity,
    /// at the rule that grants `approve`. Approval limited to named requests is not counted,
    /// and Roles are skipped: requests and signers are cluster-scoped, which a Role cannot
    /// grant.
    ///
    /// ## Why is this bad?
    /// An approved request is signed by the cluster CA. With all three grants a subject can
    /// request and approve a certificate for any user and group, `system:masters` included,
    /// valid until it expires: it cannot be revoked. Approval alone lets a subject approve the
    /// requests of others, and turns into the same power wherever it also holds `approve` on a
    /// signer through another role.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: csr-approver
    /// rules:
    /// - apiGroups: ["certificates.k8s.io"]
    ///   resources: ["certificatesigningrequests"]
    ///   verbs: ["create", "get"]
    /// - apiGroups: ["certificates.k8s.io"]
    ///   resources: ["certificatesigningrequests/approval"]
    ///   verbs: ["update"]
    /// - apiGroups: ["certificates.k8s.io"] # expect: RBAC011
    ///   resources: ["signers"]
    ///   verbs: ["approve"]
    /// ```
    ///
    /// ## Remediation
    /// Keep CSR approval with the controller manager; if another approver is needed, grant it
    /// the approval subresource only, and restrict `approve` with `resourceNames` to a signer
    /// that cannot issue API client certificates.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.11: Minimize access to the approval sub-resource of
    ///   certificatesigningrequests objects
    /// - kubescape C-0280
    /// - rbac-police: approve_csrs
    pub static RULE = {
        id: "RBAC011",
        name: "approve-csr",
        title: "Role can approve certificate signing requests",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("5.1.11"), Mitre("T1649")],
        remediation: "Keep CSR approval with the controller manager; restrict approve on signers with resourceNames to signers other than kubernetes.io/kube-apiserver-client.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "ClusterRole" {
        return;
    }
    let rules: Vec<_> = custom_role_rules(object, ctx)
        .iter()
        .filter(|(_, r)| !super::reported_as_admin(r, ctx))
        .collect();
    if let Some(i) = approves_csrs(rules.iter().map(|(i, r)| (*i, r))) {
        ctx.report(
            format!("/rules/{i}"),
            format!(
                "{} can create, approve and sign certificate requests for any identity",
                object.kind
            ),
        );
        return;
    }
    for (i, rule) in rules {
        if let Some(verb) = approves_csr_requests(rule) {
            ctx.report_as(
                Severity::High,
                format!("/rules/{i}"),
                format!(
                    "{} grants {verb} on certificatesigningrequests/approval: it can approve certificate signing requests",
                    object.kind
                ),
            );
        }
    }
}
