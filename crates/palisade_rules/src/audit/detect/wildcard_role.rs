//! AUDIT-D21 wildcard-role-created: Role with a wildcard created.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports Role and ClusterRole creates (the request body must be recorded) with a rule
    /// whose `resources` or `verbs` hold `*`.
    ///
    /// ## Why is this bad?
    /// A wildcard grants every present and future resource or verb, subresources and custom
    /// resources included: far more than any workload needs, and often cluster-admin in
    /// disguise.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D21
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d21-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/rbac.authorization.k8s.io/v1/clusterroles
    /// user: {username: alice}
    /// objectRef: {resource: clusterroles, name: ops, apiGroup: rbac.authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: ClusterRole
    ///   metadata: {name: ops}
    ///   rules: [{apiGroups: [""], resources: ["*"], verbs: [get, list]}]
    /// ```
    ///
    /// ## Remediation
    /// Replace the wildcard with the resources and verbs needed.
    ///
    /// ## References
    /// - Falco k8saudit rules: ClusterRole With Wildcard Created
    pub static RULE = {
        id: "AUDIT-D21",
        name: "wildcard-role-created",
        title: "Role with a wildcard created",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1098")],
        remediation: "Replace wildcards with the resources and verbs needed.",
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
        .any(|(verbs, resources)| verbs.iter().chain(resources).any(|v| v == "*"))
    {
        super::report_role(ctx, event, "with a wildcard in its rules");
    }
}
