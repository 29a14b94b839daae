//! PSS002 host-namespaces (baseline `hostNamespaces`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags pods that share the node's network, process or IPC namespace
    /// (`hostNetwork`, `hostPID` or `hostIPC` set to `true`).
    ///
    /// ## Why is this bad?
    /// Host namespaces remove the isolation between the pod and the node: with `hostPID` a
    /// container can see and signal every process on the node, with `hostIPC` it can read shared
    /// memory of other workloads, and with `hostNetwork` it can sniff node traffic and reach
    /// services bound to the node's loopback interface, such as the kubelet.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: monitor
    /// spec:
    ///   selector:
    ///     matchLabels: {app: monitor}
    ///   template:
    ///     metadata:
    ///       labels: {app: monitor}
    ///     spec:
    ///       hostPID: true # expect: PSS002
    ///       hostNetwork: true # expect: PSS002
    ///       containers:
    ///       - name: monitor
    ///         image: example.com/monitor:1.0
    /// ```
    ///
    /// ## Remediation
    /// Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (or set them to `false`).
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Host Namespaces
    /// - CIS Kubernetes Benchmark 5.2.3, 5.2.4, 5.2.5
    pub static RULE = {
        id: "PSS002",
        name: "host-namespaces",
        title: "Pod shares host namespaces",
        severity: High,
        layer: Container,
        frameworks: [pss_baseline("hostNamespaces"), Cis("5.2.3"), Cis("5.2.4"), Cis("5.2.5"), Nsa("C-0038"), Nsa("C-0041"), Mitre("T1611")],
        remediation: "Remove hostNetwork, hostPID and hostIPC from the pod spec or set them to false.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if pod.spec.get(field).and_then(|n| n.as_bool()) == Some(true) {
            ctx.report(pod.ptr(field), format!("pod sets {field} to true"));
        }
    }
}
