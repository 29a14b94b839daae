//! RBAC001 cluster-admin-binding.

use palisade_engine::prelude::*;
use palisade_model::rbac::Subject;

use super::{is_builtin, is_rbac};

declare_rule! {
    /// ## What it does
    /// Flags RoleBindings and ClusterRoleBindings to the `cluster-admin` ClusterRole, other
    /// than the built-in `cluster-admin` binding of `system:masters`.
    ///
    /// ## Why is this bad?
    /// `cluster-admin` is every permission on every resource. Through a ClusterRoleBinding it
    /// owns the cluster; through a RoleBinding it owns the namespace, RBAC included. Such
    /// grants are rarely needed and hard to take back once tooling depends on them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: ci-admin
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin # expect: RBAC001
    /// subjects:
    /// - kind: ServiceAccount
    ///   name: deployer
    ///   namespace: ci
    /// ```
    ///
    /// ## Remediation
    /// Bind a role with only the permissions the subject uses, in the namespaces where it uses
    /// them.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.1: Ensure that the cluster-admin role is only used where
    ///   required
    /// - Falco rule: Attach to cluster-admin Role
    pub static RULE = {
        id: "RBAC001",
        name: "cluster-admin-binding",
        title: "Binding to cluster-admin",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.1"), Nsa("C-0035"), Mitre("T1078.004")],
        remediation: "Bind a least-privilege role instead of cluster-admin.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if !is_rbac(object, &["RoleBinding", "ClusterRoleBinding"]) || is_builtin(object) {
        return;
    }
    ctx.applicable();
    let role = object.root.get("roleRef");
    let kind = role.and_then(|r| r.get("kind")).and_then(|k| k.as_str());
    let name = role.and_then(|r| r.get("name")).and_then(|k| k.as_str());
    if kind != Some("ClusterRole") || name != Some("cluster-admin") {
        return;
    }
    let subjects = Subject::of_binding(object.root);
    let only_masters = !subjects.is_empty()
        && subjects
            .iter()
            .all(|s| s.kind == "Group" && s.name == "system:masters");
    if only_masters && object.name() == Some("cluster-admin") {
        return;
    }
    let who: Vec<String> = subjects.iter().map(Subject::describe).collect();
    let scope = if object.kind == "ClusterRoleBinding" {
        "cluster-wide"
    } else {
        "in its namespace"
    };
    ctx.report(
        "/roleRef/name",
        format!(
            "{} grants cluster-admin {scope} to {}",
            object.kind,
            if who.is_empty() {
                "no subject".to_string()
            } else {
                who.join(", ")
            }
        ),
    );
}
