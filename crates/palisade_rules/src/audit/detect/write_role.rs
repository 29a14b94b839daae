//! AUDIT-D22 write-role-created: Role with write permissions created.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports Role and ClusterRole creates (the request body must be recorded) with a rule
    /// granting any of create, update, patch, delete or deletecollection.
    ///
    /// ## Why is this bad?
    /// Write permissions change the cluster: a new role that grants them is worth a look at who
    /// it will be bound to.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D22
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d22-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/rbac.authorization.k8s.io/v1/clusterroles
    /// user: {username: alice}
    /// objectRef: {resource: clusterroles, name: ops, apiGroup: rbac.authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: ClusterRole
    ///   metadata: {name: ops}
    ///   rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, patch]}]
    /// ```
    ///
    /// ## Remediation
    /// Confirm the role is needed and grants only what its subjects need.
    ///
    /// ## References
    /// - Falco k8saudit rules: ClusterRole With Write Privileges Created
    pub static RULE = {
        id: "AUDIT-D22",
        name: "write-role-created",
        title: "Role with write permissions created",
        severity: Low,
        layer: Cluster,
        frameworks: [Mitre("T1098")],
        remediation: "Confirm the role grants only the writes its subjects need.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

const WRITES: &[&str] = &["create", "update", "patch", "delete", "deletecollection"];

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let Some(rules) = super::role_created(event) else {
        return;
    };
    ctx.applicable();
    let mut verbs: Vec<&str> = rules
        .iter()
        .flat_map(|(verbs, _)| verbs)
        .map(String::as_str)
        .filter(|v| WRITES.contains(v))
        .collect();
    verbs.sort_unstable();
    verbs.dedup();
    if verbs.is_empty() {
        return;
    }
    super::report_role(ctx, event, &format!("granting {}", verbs.join(", ")));
}
