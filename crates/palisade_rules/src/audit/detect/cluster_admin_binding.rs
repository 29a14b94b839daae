//! AUDIT-D20 cluster-admin-bound: a ClusterRoleBinding to `cluster-admin` created.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports ClusterRoleBinding creates whose `roleRef` names the `cluster-admin`
    /// ClusterRole (the audit level must record request bodies for RBAC objects), with the
    /// subjects it binds.
    ///
    /// ## Why is this bad?
    /// cluster-admin can do anything in every namespace. A new binding to it is the most
    /// direct privilege escalation and persistence there is.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D20
    /// apiVersion: audit.k8s.io/v1
    /// auditID: 6f0c2f1e-0020
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/rbac.authorization.k8s.io/v1/clusterrolebindings
    /// user: {username: alice}
    /// objectRef: {resource: clusterrolebindings, name: ci-admin, apiGroup: rbac.authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: ClusterRoleBinding
    ///   metadata: {name: ci-admin}
    ///   roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    ///   subjects: [{kind: ServiceAccount, name: deployer, namespace: ci}]
    /// ```
    ///
    /// ## Remediation
    /// Confirm the binding was intended; bind a role with only the permissions needed.
    ///
    /// ## References
    /// - Falco k8saudit rules: Attach to cluster-admin Role
    /// - Microsoft Threat Matrix for Kubernetes: Cluster-admin binding (MS-TA9019)
    pub static RULE = {
        id: "AUDIT-D20",
        name: "cluster-admin-bound",
        title: "Binding to cluster-admin created",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1098"), Mitre("MS-TA9019")],
        remediation: "Confirm the binding was intended; bind a role with only the permissions needed.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::creates(event, "clusterrolebindings") {
        return;
    }
    ctx.applicable();
    let Some(body) = event.request_json() else {
        return;
    };
    if body.pointer("/roleRef/name").and_then(|n| n.as_str()) != Some("cluster-admin") {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} bound cluster-admin to {} in {}{}",
            super::who(event),
            super::binding_subjects(&body),
            super::target(event),
            super::outcome(event)
        ),
    );
}
