//! RBAC009 create-persistent-volumes.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `create` on `persistentvolumes`.
    ///
    /// ## Why is this bad?
    /// A PersistentVolume can be a `hostPath` volume: whoever can create one and bind a claim to it
    /// mounts any directory of a node, bypassing the Pod Security hostPath restrictions.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: pv-creator
    /// rules:
    /// - apiGroups: [""] # expect: RBAC009
    ///   resources: ["persistentvolumes"]
    ///   verbs: ["create"]
    /// ```
    ///
    /// ## Remediation
    /// Let storage provisioners create PersistentVolumes; users should only create
    /// PersistentVolumeClaims.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.9: Minimize access to create persistent volumes
    /// - Kubernetes: RBAC good practices, persistent volume creation
    pub static RULE = {
        id: "RBAC009",
        name: "create-persistent-volumes",
        title: "Role can create PersistentVolumes",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.9"), Mitre("T1611")],
        remediation: "Let storage provisioners create PersistentVolumes; users should only create PersistentVolumeClaims.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::CreatePersistentVolumes,
        "its subjects can expose node directories through hostPath PersistentVolumes",
    );
}
