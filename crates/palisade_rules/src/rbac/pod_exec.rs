//! RBAC015 pod-exec.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `create` on `pods/exec` or `pods/attach`.
    ///
    /// ## Why is this bad?
    /// Exec and attach run commands inside running containers, with their ServiceAccount tokens,
    /// mounted Secrets and network position: a compromise of every workload the rule covers.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: debugger
    /// rules:
    /// - apiGroups: [""] # expect: RBAC015
    ///   resources: ["pods/exec"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Remediation
    /// Grant exec only for break-glass access, to named people, in specific namespaces; prefer
    /// logs, metrics and ephemeral debug containers under Pod Security admission.
    ///
    /// ## References
    /// - kubescape C-0002 Exec into container (NSA, MITRE)
    /// - Microsoft Threat Matrix for Kubernetes: Exec into container (MS-TA9006)
    pub static RULE = {
        id: "RBAC015",
        name: "pod-exec",
        title: "Role can exec into or attach to pods",
        severity: High,
        layer: Cluster,
        frameworks: [Nsa("C-0002"), Mitre("T1609")],
        remediation: "Grant exec only for break-glass access, to named people, in specific namespaces; prefer logs, metrics and ephemeral debug containers under Pod Security admission.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::Exec,
        "its subjects can run commands in containers",
    );
}
