//! AUDIT-D42 dangerous-binding: a binding that grants a dangerous power created.

use palisade_audit::Event;
use palisade_engine::prelude::*;
use palisade_model::authz::{Binding, RbacGraph, RoleKind};
use palisade_model::rbac::{GrantScope, PolicyRule, Power};
use palisade_source::Document;

declare_rule! {
    /// ## What it does
    /// Reports RoleBinding and ClusterRoleBinding creates whose role confers a dangerous
    /// power, as the RBAC analysis defines them (RBAC-02…14: everything, bind, escalate,
    /// impersonate, read Secrets, create workloads, nodes/proxy, webhooks, token requests,
    /// exec, ephemeral containers, PersistentVolumes, namespace relabelling), with the
    /// subjects it binds. The role is looked up, in order:
    /// - among the roles this run saw created (the audit level must record their bodies);
    /// - in the cluster's RBAC objects, when the front door has them (`--context`);
    /// - in the API server's built-in roles (`admin`, `edit`, `system:*`).
    ///
    /// A ClusterRoleBinding to `cluster-admin` is AUDIT-D20's; this rule reports every other
    /// grant. Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// Each of these powers leads to others: a subject that can create pods can run one as any
    /// ServiceAccount of the namespace, one that can bind or escalate can give itself
    /// cluster-admin. A new binding is the moment such a path opens.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D42
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d42-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /apis/rbac.authorization.k8s.io/v1/namespaces/shop/rolebindings
    /// user: {username: alice}
    /// objectRef: {resource: rolebindings, namespace: shop, name: ci-edit, apiGroup: rbac.authorization.k8s.io, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: RoleBinding
    ///   apiVersion: rbac.authorization.k8s.io/v1
    ///   metadata: {name: ci-edit, namespace: shop}
    ///   roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    ///   subjects: [{kind: ServiceAccount, name: ci, namespace: shop}]
    /// ```
    ///
    /// ## Remediation
    /// Confirm the grant with its owner; bind a role with only the permissions needed
    /// (`palisade rbac least-privilege` derives one from the audit log).
    ///
    /// ## References
    /// - Microsoft Threat Matrix for Kubernetes: Cluster-admin binding (MS-TA9019)
    /// - MITRE ATT&CK T1098.006 Account Manipulation: Additional Container Cluster Roles
    pub static RULE = {
        id: "AUDIT-D42",
        name: "dangerous-binding",
        title: "Binding that grants a dangerous power created",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1098.006"), Mitre("MS-TA9019")],
        remediation: "Confirm the grant with its owner; bind a role with only the permissions needed.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, state: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if let Some(kind) = created_role(event) {
        remember_role(event, kind, state);
        return;
    }
    let cluster = match () {
        _ if super::creates(event, "clusterrolebindings") => true,
        _ if super::creates(event, "rolebindings") => false,
        _ => return,
    };
    ctx.applicable();
    let Some(body) = event.request_json() else {
        return;
    };
    let role_kind = body
        .pointer("/roleRef/kind")
        .and_then(|k| k.as_str())
        .unwrap_or("");
    let role_name = body
        .pointer("/roleRef/name")
        .and_then(|k| k.as_str())
        .unwrap_or("");
    if cluster && role_kind == "ClusterRole" && role_name == "cluster-admin" {
        return; // AUDIT-D20
    }
    let kind = if role_kind == "Role" {
        RoleKind::Role
    } else {
        RoleKind::ClusterRole
    };
    let scope = if cluster {
        GrantScope::Cluster
    } else {
        GrantScope::Namespace
    };
    let namespace = (!cluster).then(|| event.namespace().to_string());
    let role_ns = match kind {
        RoleKind::Role => namespace.clone(),
        RoleKind::ClusterRole => None,
    };
    let powers = remembered(state, kind, role_ns.as_deref(), role_name, scope)
        .or_else(|| from_context(ctx.rbac(), cluster, namespace, kind, role_name, scope))
        .unwrap_or_else(|| {
            palisade_model::authz::builtin_role_powers(
                kind.as_str(),
                role_ns.as_deref(),
                role_name,
                scope,
            )
        });
    let powers: Vec<&str> = Power::ALL
        .iter()
        .filter(|p| powers.contains(p))
        .map(|p| p.describe())
        .collect();
    if powers.is_empty() {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} bound {} {role_name} to {} in {}{}: it can {}",
            super::who(event),
            kind.as_str(),
            super::binding_subjects(&body),
            super::target(event),
            super::outcome(event),
            powers.join("; ")
        ),
    );
}

/// The kind of role a successful create makes, if it is one.
fn created_role(event: &Event) -> Option<RoleKind> {
    if super::created(event, "roles") {
        Some(RoleKind::Role)
    } else if super::created(event, "clusterroles") {
        Some(RoleKind::ClusterRole)
    } else {
        None
    }
}

/// The state key of what a role grants through a binding of `scope`.
fn role_key(kind: RoleKind, namespace: Option<&str>, name: &str, scope: GrantScope) -> String {
    format!(
        "{}\0{}\0{name}\0{}",
        kind.as_str(),
        namespace.unwrap_or(""),
        scope == GrantScope::Cluster
    )
}

/// Remember the powers of a role created in the stream, as a set of bits (one more than the
/// bits, so that a role that grants nothing dangerous is remembered too).
fn remember_role(event: &Event, kind: RoleKind, state: &mut AuditState) {
    let Some(body) = &event.request_object else {
        return;
    };
    let Ok(doc) = Document::from_json_str(body.get(), 64) else {
        return;
    };
    let Some(root) = doc.root() else {
        return;
    };
    let rules: Vec<PolicyRule<'_>> = PolicyRule::of_role(root)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let namespace = (kind == RoleKind::Role).then(|| event.namespace());
    for scope in [GrantScope::Cluster, GrantScope::Namespace] {
        let bits = Power::ALL
            .iter()
            .enumerate()
            .filter(|(_, p)| rules.iter().any(|r| r.confers_in(**p, scope).is_some()))
            .fold(0u64, |bits, (i, _)| bits | (1 << i));
        state.set(&role_key(kind, namespace, event.name(), scope), bits + 1);
    }
}

/// The powers of a role this run saw created.
fn remembered(
    state: &AuditState,
    kind: RoleKind,
    namespace: Option<&str>,
    name: &str,
    scope: GrantScope,
) -> Option<Vec<Power>> {
    let bits = state
        .count(&role_key(kind, namespace, name, scope))
        .checked_sub(1)?;
    Some(
        Power::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, p)| *p)
            .collect(),
    )
}

/// The powers of the role as the cluster's RBAC objects define it.
fn from_context(
    rbac: Option<&RbacGraph>,
    cluster: bool,
    namespace: Option<String>,
    kind: RoleKind,
    name: &str,
    scope: GrantScope,
) -> Option<Vec<Power>> {
    let binding = Binding {
        cluster,
        namespace,
        name: String::new(),
        role_kind: Some(kind),
        role_name: name.to_string(),
        subjects: Vec::new(),
        location: None,
        subject_locations: Vec::new(),
        builtin: false,
    };
    let role = rbac?.role_of(&binding)?;
    Some(
        Power::ALL
            .iter()
            .filter(|p| {
                role.rules
                    .iter()
                    .any(|r| r.policy().confers_in(**p, scope).is_some())
            })
            .copied()
            .collect(),
    )
}
