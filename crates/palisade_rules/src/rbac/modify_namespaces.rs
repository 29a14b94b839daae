//! RBAC022 modify-namespaces.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `update` or `patch` on `namespaces`.
    ///
    /// ## Why is this bad?
    /// Namespace labels select Pod Security admission levels and NetworkPolicy peers: whoever can
    /// edit them can switch a namespace to `privileged` or into another namespace's network allow-
    /// list.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: namespace-editor
    /// rules:
    /// - apiGroups: [""] # expect: RBAC022
    ///   resources: ["namespaces"]
    ///   verbs: ["patch"]
    /// ```
    ///
    /// ## Remediation
    /// Limit namespace updates to cluster administrators; manage namespace labels through reviewed
    /// GitOps changes.
    ///
    /// ## References
    /// - Kubernetes: RBAC good practices, namespace modification
    pub static RULE = {
        id: "RBAC022",
        name: "modify-namespaces",
        title: "Role can relabel namespaces",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1562.001")],
        remediation: "Limit namespace updates to cluster administrators; manage namespace labels through reviewed GitOps changes.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::ModifyNamespaces,
        "its subjects can weaken Pod Security levels and network policy selection",
    );
}
