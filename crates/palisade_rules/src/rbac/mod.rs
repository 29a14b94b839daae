//! RBAC: dangerous permissions in Roles and ClusterRoles, and dangerous bindings. Rules read
//! each object on its own; who ends up holding a permission across bindings is the RBAC
//! analysis's job.

pub mod admin_equivalent;
pub mod anonymous_binding;
pub mod approve_csr;
pub mod authenticated_binding;
pub mod bind_roles;
pub mod cloud_identity;
pub mod cluster_admin_binding;
pub mod cluster_binding_for_namespaced;
pub mod create_persistent_volumes;
pub mod create_workloads;
pub mod default_service_account;
pub mod delete_events;
pub mod delete_resources;
pub mod ephemeral_containers;
pub mod escalate_roles;
pub mod impersonate;
pub mod kube_system_configmaps;
pub mod modify_namespaces;
pub mod modify_pod_status;
pub mod modify_service_status;
pub mod nodes_proxy;
pub mod pod_exec;
pub mod pod_portforward;
pub mod read_secrets;
pub mod stale_rbac;
pub mod steal_pods;
pub mod system_masters;
pub mod token_automount;
pub mod token_request;
pub mod webhook_configuration;
pub mod wildcard;
pub mod workload_powers;

use palisade_engine::prelude::*;
use palisade_model::rbac::{GrantScope, PolicyRule, Power, Subject};

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

/// Report every subject of a (non-built-in) RoleBinding or ClusterRoleBinding that `matches`,
/// with the message `describe` gives for it (it receives the binding kind, the subject and
/// the bound role's name).
pub(crate) fn report_subjects(
    object: &Object<'_, '_>,
    ctx: &mut Ctx<'_>,
    matches: fn(&Subject<'_>) -> bool,
    describe: fn(&str, &Subject<'_>, &str) -> String,
) {
    if !is_rbac(object, &["RoleBinding", "ClusterRoleBinding"]) || is_builtin(object) {
        return;
    }
    ctx.applicable();
    let role = object
        .root
        .path(&["roleRef", "name"])
        .and_then(|n| n.as_str())
        .unwrap_or("");
    for s in Subject::of_binding(object.root)
        .iter()
        .filter(|s| matches(s))
    {
        ctx.report(
            format!("/subjects/{}", s.index),
            describe(&object.kind, s, role),
        );
    }
}

/// Whether RBAC002 reports this rule already (it grants everything, so naming each dangerous
/// permission it includes would only repeat it).
pub(crate) fn reported_as_admin(rule: &PolicyRule<'_>, ctx: &Ctx<'_>) -> bool {
    rule.is_admin() && ctx.is_enabled(&admin_equivalent::RULE.meta.id)
}

/// The rules of a Role or ClusterRole that is not built in, each with its index; marks the
/// rule applicable. Empty for any other object.
pub(crate) fn custom_role_rules<'o, 'd>(
    object: &'o Object<'d, '_>,
    ctx: &mut Ctx<'_>,
) -> &'o [(usize, PolicyRule<'d>)] {
    if !is_rbac(object, &["Role", "ClusterRole"]) || is_builtin(object) {
        return &[];
    }
    ctx.applicable();
    object.policy_rules()
}

/// Report every rule of a (non-built-in) Role or ClusterRole that confers `power`.
pub(crate) fn report_grants(
    object: &Object<'_, '_>,
    ctx: &mut Ctx<'_>,
    power: Power,
    effect: &str,
) {
    let scope = GrantScope::of_role_kind(&object.kind);
    for (i, rule) in custom_role_rules(object, ctx) {
        if reported_as_admin(rule, ctx) {
            continue;
        }
        if let Some((verb, resource)) = rule.confers_in(power, scope) {
            ctx.report(
                format!("/rules/{i}"),
                format!("{} grants {verb} on {resource}: {effect}", object.kind),
            );
        }
    }
}

/// The risks of a graph (`rbac risks`) as findings of the rule that reports each power, at
/// the subject of the binding that confers it.
pub fn risk_findings(
    graph: &palisade_model::authz::RbacGraph,
) -> Vec<palisade_diagnostics::Finding> {
    graph
        .risks()
        .into_iter()
        .map(|risk| {
            let binding = &graph.bindings[risk.binding];
            let rule = rule_for(risk.power);
            let location = binding
                .subject_locations
                .get(risk.subject_index)
                .cloned()
                .flatten()
                .or_else(|| binding.location.clone())
                .unwrap_or_default();
            let mut message = risk.path.clone();
            if !risk.held_by.is_empty() {
                message.push_str(&format!("; pods of {} hold it", risk.held_by.join(", ")));
            }
            let object = palisade_diagnostics::ObjectRef {
                api_version: "rbac.authorization.k8s.io/v1".into(),
                kind: if binding.cluster {
                    "ClusterRoleBinding".into()
                } else {
                    "RoleBinding".into()
                },
                namespace: binding.namespace.as_deref().map(Into::into),
                name: Some(binding.name.as_str().into()),
                uid: None,
                cluster: None,
            };
            palisade_diagnostics::Finding::new(rule, object, location, message)
        })
        .collect()
}

/// The rule that reports a power: the RBAC analysis (`palisade rbac risks`) files what each
/// subject holds under the same ids, frameworks and docs as the per-role rules.
pub fn rule_for(power: palisade_model::rbac::Power) -> &'static palisade_diagnostics::RuleMeta {
    use palisade_model::rbac::Power;
    let rule = match power {
        Power::Admin => &admin_equivalent::RULE,
        Power::ReadSecrets => &read_secrets::RULE,
        Power::CreateWorkloads => &create_workloads::RULE,
        Power::Bind => &bind_roles::RULE,
        Power::Escalate => &escalate_roles::RULE,
        Power::Impersonate => &impersonate::RULE,
        Power::CreatePersistentVolumes => &create_persistent_volumes::RULE,
        Power::NodesProxy => &nodes_proxy::RULE,
        Power::Webhooks => &webhook_configuration::RULE,
        Power::TokenRequest => &token_request::RULE,
        Power::Exec => &pod_exec::RULE,
        Power::EphemeralContainers => &ephemeral_containers::RULE,
        Power::ModifyNamespaces => &modify_namespaces::RULE,
        Power::PortForward => &pod_portforward::RULE,
        Power::ModifyPodStatus => &modify_pod_status::RULE,
        Power::ModifyServiceStatus => &modify_service_status::RULE,
        Power::DeleteEvents => &delete_events::RULE,
        Power::DeleteResources => &delete_resources::RULE,
        Power::ModifyNodes | Power::EvictPods => &steal_pods::RULE,
        Power::ApproveCsr => &approve_csr::RULE,
    };
    &rule.meta
}
