//! RBAC024 delete-resources.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `delete` or `deletecollection` on Secrets, pods, Services,
    /// PersistentVolumes, PersistentVolumeClaims, Deployments, StatefulSets, DaemonSets or
    /// ReplicaSets for every name.
    ///
    /// ## Why is this bad?
    /// Broad delete rights are a denial-of-service and data-destruction path: a compromised subject
    /// can wipe workloads and their data.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: janitor
    /// rules:
    /// - apiGroups: [""] # expect: RBAC024
    ///   resources: ["persistentvolumeclaims"]
    ///   verbs: ["deletecollection"]
    /// ```
    ///
    /// ## Remediation
    /// Limit delete to the resources and names a subject owns; keep destructive rights with
    /// administrators and controllers.
    ///
    /// ## References
    /// - kubescape C-0007 Roles with delete capabilities (MITRE)
    /// - Microsoft Threat Matrix for Kubernetes: Data destruction (MS-TA9038)
    pub static RULE = {
        id: "RBAC024",
        name: "delete-resources",
        title: "Role can delete workloads, Secrets or volumes",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1485")],
        remediation: "Limit delete to the resources and names a subject owns; keep destructive rights with administrators and controllers.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::DeleteResources,
        "its subjects can delete workloads, Secrets and volumes",
    );
}
