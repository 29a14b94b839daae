//! RBAC004 read-secrets.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags Role and ClusterRole rules that grant `get`, `list` or `watch` on `secrets` for every
    /// Secret name. `list` and `watch` return the Secrets' contents, not just their names.
    ///
    /// ## Why is this bad?
    /// Secrets hold ServiceAccount tokens, TLS keys and application credentials: reading them is
    /// usually one step from the permissions of whatever those credentials belong to. A ClusterRole
    /// bound cluster-wide reads every Secret in the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: secret-reader
    /// rules:
    /// - apiGroups: [""] # expect: RBAC004
    ///   resources: ["secrets"]
    ///   verbs: ["get", "list"]
    /// ```
    ///
    /// ## Remediation
    /// Grant access to specific Secrets with `resourceNames`, or mount the Secrets the workload
    /// needs instead of reading them through the API.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.2: Minimize access to secrets
    /// - Kubernetes: RBAC good practices, listing Secrets
    pub static RULE = {
        id: "RBAC004",
        name: "read-secrets",
        title: "Role can read Secrets",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.2"), Mitre("T1552.007")],
        remediation: "Grant access to specific Secrets with resourceNames, or mount the Secrets the workload needs instead of reading them through the API.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::ReadSecrets,
        "its subjects can read Secret values",
    );
}
