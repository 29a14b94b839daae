//! AUDIT-D23 exec-role-created: Role granting pods/exec created.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports Role and ClusterRole creates (the request body must be recorded) whose rules
    /// name the `pods/exec` resource.
    ///
    /// ## Why is this bad?
    /// `create pods/exec` is a shell in every pod the role reaches, with their Secrets and
    /// tokens.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D23
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d23-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/rbac.authorization.k8s.io/v1/clusterroles
    /// user: {username: alice}
    /// objectRef: {resource: clusterroles, name: ops, apiGroup: rbac.authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: ClusterRole
    ///   metadata: {name: ops}
    ///   rules: [{apiGroups: [""], resources: [pods/exec], verbs: [create]}]
    /// ```
    ///
    /// ## Remediation
    /// Grant exec only to the people who debug those workloads, in their namespaces.
    ///
    /// ## References
    /// - Falco k8saudit rules: ClusterRole With Pod Exec Created
    pub static RULE = {
        id: "AUDIT-D23",
        name: "exec-role-created",
        title: "Role granting pods/exec created",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1098"), Mitre("T1609")],
        remediation: "Grant pods/exec only to the people who need it, in their namespaces.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let Some(rules) = super::role_created(event) else {
        return;
    };
    ctx.applicable();
    if rules
        .iter()
        .any(|(_, resources)| resources.iter().any(|r| r == "pods/exec"))
    {
        super::report_role(ctx, event, "granting pods/exec");
    }
}
