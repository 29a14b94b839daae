//! KUBELET009 kubelet-event-record-qps.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that set `eventRecordQPS: 0`, which removes the limit
    /// on how fast the kubelet creates Events. Unset is fine: the default is 50 per second
    /// (with `eventBurst` 100). kube-bench's automated comparison for CIS 4.2.8 (`>= 0`)
    /// passes `0`; the benchmark's own rationale names the unlimited setting as a
    /// denial-of-service risk, which is what this rule follows.
    ///
    /// ## Why is this bad?
    /// With no rate limit, a node that misbehaves (a crash-looping pod, a flood of probe
    /// failures) can overwhelm the API server and etcd with Events, and bury the Events that
    /// matter for security review.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// eventRecordQPS: 0 # expect: KUBELET009
    /// ```
    ///
    /// ## Remediation
    /// Remove `eventRecordQPS` to use the default, or set a positive rate that captures the
    /// events you need (for example `50`).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.8: Ensure that the eventRecordQPS argument is set to a
    ///   level which ensures appropriate event capture
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET009",
        name: "kubelet-event-record-qps",
        title: "Kubelet event creation unlimited",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("4.2.8")],
        remediation: "Remove eventRecordQPS to use the default, or set a positive rate such as 50.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::NotIn {
    path: &["eventRecordQPS"],
    bad: &["0"],
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
