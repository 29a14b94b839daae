//! AUDIT-D27 cluster-activity: Workload, access or configuration object created or deleted.

use palisade_audit::Event;
use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports successful creates and deletes of Deployments, Services, ConfigMaps, Namespaces,
    /// ServiceAccounts, Roles, ClusterRoles, RoleBindings, ClusterRoleBindings and Secrets:
    /// Falco's twenty K8s activity rules in one. As in Falco, deletes of Namespaces and
    /// ConfigMaps by the API server's own identities, and Secret changes in kube-system or by
    /// `system:` users, are left out.
    ///
    /// ## Why is this bad?
    /// Nothing is wrong by itself: this is the trail of who changed what, which the other
    /// detections' alerts are read against.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D27
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d27-example
    /// stage: ResponseComplete
    /// verb: delete
    /// requestURI: /apis/apps/v1/namespaces/shop/deployments/web
    /// user: {username: alice}
    /// objectRef: {resource: deployments, namespace: shop, name: web, apiGroup: apps, apiVersion: v1}
    /// responseStatus: {code: 200}
    /// ```
    ///
    /// ## Remediation
    /// None: it records activity. Leave it out with `--ignore cluster-activity` when the trail
    /// is not wanted.
    ///
    /// ## References
    /// - Falco k8saudit rules: K8s Deployment Created, K8s Deployment Deleted and the other K8s activity rules
    pub static RULE = {
        id: "AUDIT-D27",
        name: "cluster-activity",
        title: "Workload, access or configuration object created or deleted",
        severity: Info,
        layer: Cluster,
        frameworks: [Mitre("T1098")],
        remediation: "Nothing to fix: the detection records activity for context.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

/// The resources whose creates and deletes Falco records.
const RECORDED: &[&str] = &[
    "deployments",
    "services",
    "configmaps",
    "namespaces",
    "serviceaccounts",
    "roles",
    "clusterroles",
    "rolebindings",
    "clusterrolebindings",
    "secrets",
];

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !event.complete() || !matches!(event.verb.as_str(), "create" | "delete") {
        return;
    }
    let resource = event.resource();
    if !RECORDED.contains(&resource) || !event.subresource().is_empty() {
        return;
    }
    ctx.applicable();
    if !event.succeeded() {
        return;
    }
    let system = event.by_system_user();
    let skip = match resource {
        "namespaces" | "configmaps" => event.verb == "delete" && system,
        "secrets" => system || event.namespace() == "kube-system",
        _ => false,
    };
    if skip {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} {} {}",
            super::who(event),
            if event.verb == "create" {
                "created"
            } else {
                "deleted"
            },
            super::target(event)
        ),
    );
}
