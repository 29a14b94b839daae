//! RBAC005 create-workloads.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant `create` on `pods`, or `create`, `update` or `patch` on workload
    /// controllers (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, CronJobs,
    /// ReplicationControllers).
    ///
    /// ## Why is this bad?
    /// Whoever can create a pod in a namespace can run it as any ServiceAccount of that namespace,
    /// mount any of its Secrets and ConfigMaps, and (without Pod Security admission) start a
    /// privileged pod on a node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: deployer
    /// rules:
    /// - apiGroups: ["apps"] # expect: RBAC005
    ///   resources: ["deployments"]
    ///   verbs: ["get", "list", "update"]
    /// ```
    ///
    /// ## Remediation
    /// Limit workload creation to CI identities and controllers, namespace by namespace, and
    /// enforce Pod Security admission in those namespaces.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.4: Minimize access to create pods
    /// - Kubernetes: RBAC good practices, workload creation
    pub static RULE = {
        id: "RBAC005",
        name: "create-workloads",
        title: "Role can create pods or workloads",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.4"), Mitre("T1610")],
        remediation: "Limit workload creation to CI identities and controllers, namespace by namespace, and enforce Pod Security admission in those namespaces.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::CreateWorkloads,
        "its subjects can run pods as any ServiceAccount of the namespace",
    );
}
