//! RBAC017 ephemeral-containers.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `update` or `patch` on `pods/ephemeralcontainers`.
    ///
    /// ## Why is this bad?
    /// An ephemeral container joins a running pod with its own image, command and security context:
    /// its holder runs arbitrary code next to the pod processes and, without Pod Security
    /// admission, with host privileges.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    /// rules:
    /// - apiGroups: [""] # expect: RBAC017
    ///   resources: ["pods/ephemeralcontainers"]
    ///   verbs: ["patch"]
    /// ```
    ///
    /// ## Remediation
    /// Grant ephemeral containers only for break-glass debugging, in namespaces that enforce Pod
    /// Security admission.
    ///
    /// ## References
    /// - Kubernetes: Ephemeral containers
    /// - rbac-police: pods_ephemeral_ctrs
    pub static RULE = {
        id: "RBAC017",
        name: "ephemeral-containers",
        title: "Role can add ephemeral containers",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1609")],
        remediation: "Grant ephemeral containers only for break-glass debugging, in namespaces that enforce Pod Security admission.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::EphemeralContainers,
        "its subjects can inject containers into running pods",
    );
}
