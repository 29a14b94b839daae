//! RBAC: dangerous permissions in Roles and ClusterRoles, and dangerous bindings. Rules read
//! each object on its own; who ends up holding a permission across bindings is the RBAC
//! analysis's job.

pub mod admin_equivalent;
pub mod anonymous_binding;
pub mod approve_csr;
pub mod authenticated_binding;
pub mod bind_roles;
pub mod cluster_admin_binding;
pub mod create_persistent_volumes;
pub mod create_workloads;
pub mod ephemeral_containers;
pub mod escalate_roles;
pub mod impersonate;
pub mod modify_namespaces;
pub mod nodes_proxy;
pub mod pod_exec;
pub mod read_secrets;
pub mod token_request;
pub mod webhook_configuration;
pub mod wildcard;

use palisade_engine::prelude::*;
use palisade_model::rbac::PolicyRule;

/// A dangerous permission: any of `verbs` on any of `resources` in `group`. A resource written
/// `name/*` stands for every subresource of `name`.
pub(crate) struct Grant {
    pub verbs: &'static [&'static str],
    pub group: &'static str,
    pub resources: &'static [&'static str],
}

/// Whether the object is an RBAC object of one of `kinds`.
pub(crate) fn is_rbac(object: &Object<'_, '_>, kinds: &[&str]) -> bool {
    object.api_version.starts_with("rbac.authorization.k8s.io/") && kinds.contains(&&*object.kind)
}

/// Built-in RBAC objects that the API server creates and reconciles (label
/// `kubernetes.io/bootstrapping: rbac-defaults`): their permissions are by design.
pub(crate) fn is_builtin(object: &Object<'_, '_>) -> bool {
    object
        .root
        .path(&["metadata", "labels", "kubernetes.io/bootstrapping"])
        .and_then(|l| l.as_str())
        == Some("rbac-defaults")
}

/// The first (verb, resource) of `grants` that `rule` allows for every object name.
pub(crate) fn first_grant(
    rule: &PolicyRule<'_>,
    grants: &[Grant],
) -> Option<(&'static str, &'static str)> {
    grants.iter().find_map(|g| {
        g.verbs
            .iter()
            .flat_map(|v| g.resources.iter().map(move |r| (*v, *r)))
            .find(|(v, r)| match r.strip_suffix("/*") {
                Some(base) => {
                    rule.resource_names.is_empty()
                        && rule.has_verb(v)
                        && rule.has_group(g.group)
                        && rule.has_resource_or_subresource(base)
                }
                None => rule.allows(v, g.group, r),
            })
    })
}

/// Whether RBAC002 reports this rule already (it grants everything, so naming each dangerous
/// permission it includes would only repeat it).
pub(crate) fn reported_as_admin(rule: &PolicyRule<'_>, ctx: &Ctx<'_>) -> bool {
    admin_equivalent::is_admin_rule(rule) && ctx.is_enabled(admin_equivalent::RULE.meta.id)
}

/// Report every rule of a (non-built-in) Role or ClusterRole that grants one of `grants`.
pub(crate) fn report_grants(
    object: &Object<'_, '_>,
    ctx: &mut Ctx<'_>,
    grants: &[Grant],
    effect: &str,
) {
    if !is_rbac(object, &["Role", "ClusterRole"]) || is_builtin(object) {
        return;
    }
    for (i, rule) in PolicyRule::of_role(object.root) {
        if reported_as_admin(&rule, ctx) {
            continue;
        }
        if let Some((verb, resource)) = first_grant(&rule, grants) {
            ctx.report(
                format!("/rules/{i}"),
                format!("{} grants {verb} on {resource}: {effect}", object.kind),
            );
        }
    }
}
