//! RBAC010 nodes-proxy.

use palisade_engine::prelude::*;

use palisade_model::rbac::Power;

use super::report_grants;

declare_rule! {
    /// ## What it does
    /// Flags rules that grant any verb on `nodes/proxy`. `get` is enough.
    ///
    /// ## Why is this bad?
    /// `nodes/proxy` reaches the kubelet API of every node: with `get` alone a websocket connection
    /// runs commands in any pod on the node, and these requests bypass admission control and leave
    /// no pod-level audit trail.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: node-debugger
    /// rules:
    /// - apiGroups: [""] # expect: RBAC010
    ///   resources: ["nodes/proxy"]
    ///   verbs: ["get"]
    /// ```
    ///
    /// ## Remediation
    /// Remove `nodes/proxy`; use `nodes/metrics`, `nodes/stats` or `nodes/log` for monitoring.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.1.10: Minimize access to the proxy sub-resource of nodes
    /// - Kubernetes: RBAC good practices, nodes/proxy
    pub static RULE = {
        id: "RBAC010",
        name: "nodes-proxy",
        title: "Role can use the kubelet API through nodes/proxy",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.1.10"), Mitre("T1609")],
        remediation: "Remove nodes/proxy; use nodes/metrics, nodes/stats or nodes/log for monitoring.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    report_grants(
        object,
        ctx,
        Power::NodesProxy,
        "its subjects can run commands in any pod through the kubelet",
    );
}
