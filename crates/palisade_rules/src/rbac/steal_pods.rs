//! RBAC019 steal-pods.

use palisade_engine::prelude::*;
use palisade_model::rbac::{GrantScope, Power};

use super::{custom_role_rules, reported_as_admin};

declare_rule! {
    /// ## What it does
    /// Flags ClusterRoles (and Roles) that grant both `update` or `patch` on `nodes` or
    /// `nodes/status` and a way to remove pods: `delete` on `pods` or `create` on
    /// `pods/eviction`. The finding points at the rule that lets the holder change nodes.
    ///
    /// ## Why is this bad?
    /// Together these let a subject steal pods: mark every other node unschedulable (or
    /// relabel it), then evict the pods it wants, for example those running with powerful
    /// ServiceAccounts, so that the scheduler moves them onto a node the attacker controls,
    /// where their tokens and Secrets can be read.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: node-drainer
    /// rules:
    /// - apiGroups: [""] # expect: RBAC019
    ///   resources: ["nodes"]
    ///   verbs: ["get", "patch"]
    /// - apiGroups: [""]
    ///   resources: ["pods/eviction"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Remediation
    /// Keep node changes and evictions to the node lifecycle tooling that needs both (drain
    /// controllers, autoscalers), and review the ServiceAccounts bound to such roles.
    ///
    /// ## References
    /// - rbac-police: steal_pods, modify_node_status
    /// - Kubernetes: RBAC good practices, escalation paths
    pub static RULE = {
        id: "RBAC019",
        name: "steal-pods",
        title: "Role can move pods onto a chosen node",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1528")],
        remediation: "Keep node updates and evictions to node lifecycle tooling; review who is bound to such roles.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let rules: Vec<_> = custom_role_rules(object, ctx)
        .iter()
        .filter(|(_, r)| !reported_as_admin(r, ctx))
        .collect();
    let scope = GrantScope::of_role_kind(&object.kind);
    let evict = rules
        .iter()
        .find_map(|(_, r)| r.confers_in(Power::EvictPods, scope));
    let nodes = rules
        .iter()
        .find_map(|(i, r)| r.confers_in(Power::ModifyNodes, scope).map(|g| (i, g)));
    if let (Some((evict_verb, evict_resource)), Some((i, (verb, resource)))) = (evict, nodes) {
        ctx.report(
            format!("/rules/{i}"),
            format!(
                "{} grants {verb} on {resource} and {evict_verb} on {evict_resource}: its subjects can cordon nodes and evict pods onto a node they control",
                object.kind
            ),
        );
    }
}
