//! RBAC011 approve-csr.

use palisade_engine::prelude::*;
use palisade_model::rbac::approves_csrs;

use super::custom_role_rules;

declare_rule! {
    /// ## What it does
    /// Flags Roles and ClusterRoles that together grant what it takes to issue a client
    /// certificate: `create` on `certificatesigningrequests`, `update` or `patch` on
    /// `certificatesigningrequests/approval`, and `approve` on `signers`
    /// (`certificates.k8s.io`).
    ///
    /// ## Why is this bad?
    /// With all three, a subject can request and approve a certificate for any user and group,
    /// `system:masters` included, signed by the cluster CA and valid until it expires: it
    /// cannot be revoked.
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
    /// Keep CSR approval with the controller manager; if another approver is needed, restrict
    /// `approve` with `resourceNames` to a signer that cannot issue API client certificates.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.11: Minimize access to the approval sub-resource of
    ///   certificatesigningrequests objects
    /// - rbac-police: approve_csrs
    pub static RULE = {
        id: "RBAC011",
        name: "approve-csr",
        title: "Role can issue client certificates",
        severity: Critical,
        layer: Cluster,
        frameworks: [Cis("5.1.11"), Mitre("T1649")],
        remediation: "Keep CSR approval with the controller manager; restrict approve on signers with resourceNames.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
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
    }
}
