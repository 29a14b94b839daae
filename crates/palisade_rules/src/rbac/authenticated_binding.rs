//! RBAC027 authenticated-binding.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings (other than the built-in ones) whose subjects
    /// include the group `system:authenticated`.
    ///
    /// ## Why is this bad?
    /// `system:authenticated` is every identity the cluster accepts: every ServiceAccount of
    /// every namespace, every user, and on some managed platforms any account of the cloud
    /// provider. A grant to it is a grant to every compromised workload.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: everyone-can-view
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: view
    /// subjects:
    /// - kind: Group # expect: RBAC027
    ///   name: system:authenticated
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    ///
    /// ## Remediation
    /// Bind the role to the specific groups or ServiceAccounts that need it.
    ///
    /// ## References
    /// - kubescape C-0265 system:authenticated user has elevated roles
    /// - Kubernetes: RBAC, default roles and role bindings
    pub static RULE = {
        id: "RBAC027",
        name: "authenticated-binding",
        title: "Binding grants access to every authenticated identity",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1078")],
        remediation: "Bind the role to specific groups or ServiceAccounts instead of system:authenticated.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    super::report_subjects(
        object,
        ctx,
        |s| s.kind == "Group" && s.name == "system:authenticated",
        |kind, _, role| format!("{kind} grants {role:?} to every authenticated identity"),
    );
}
