//! RBAC026 anonymous-binding.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings whose subjects include the user
    /// `system:anonymous` or the group `system:unauthenticated`.
    ///
    /// ## Why is this bad?
    /// Anything bound to these identities is available to every request that reaches the API
    /// server without credentials, from anywhere the API server is reachable.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: public-metrics
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: metrics-reader
    /// subjects:
    /// - kind: Group # expect: RBAC026
    ///   name: system:unauthenticated
    ///   apiGroup: rbac.authorization.k8s.io
    /// ```
    ///
    /// ## Remediation
    /// Remove the subject and give the clients that need access their own identities.
    ///
    /// ## References
    /// - kubescape C-0262 Anonymous access enabled
    /// - Kubernetes: Authenticating, anonymous requests
    pub static RULE = {
        id: "RBAC026",
        name: "anonymous-binding",
        title: "Binding grants access to unauthenticated requests",
        severity: Critical,
        layer: Cluster,
        frameworks: [Mitre("T1190")],
        remediation: "Remove system:anonymous and system:unauthenticated from the binding's subjects.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    super::report_subjects(
        object,
        ctx,
        |s| {
            (s.kind == "User" && s.name == "system:anonymous")
                || (s.kind == "Group" && s.name == "system:unauthenticated")
        },
        |kind, s, _| {
            format!(
                "{kind} grants its role to {}, which every unauthenticated request has",
                s.describe()
            )
        },
    );
}
