//! KUBELET006 kubelet-streaming-idle-timeout.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set
    /// `streamingConnectionIdleTimeout` to a bounded duration such as `5m`.
    ///
    /// ## Why is this bad?
    /// Idle exec and port-forward streams that never close keep sessions open for whoever hijacks
    /// them and exhaust resources.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// streamingConnectionIdleTimeout: 0s # expect: KUBELET006
    /// ```
    ///
    /// ## Remediation
    /// Set `streamingConnectionIdleTimeout` to a bounded duration such as `5m`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.5
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET006",
        name: "kubelet-streaming-idle-timeout",
        title: "Kubelet streaming connections never time out",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.2.5")],
        remediation: "Set streamingConnectionIdleTimeout to a bounded duration such as 5m.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::NotIn {
    path: &["streamingConnectionIdleTimeout"],
    bad: &["0", "0s"],
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
