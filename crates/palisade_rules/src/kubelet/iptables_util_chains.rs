//! KUBELET007 kubelet-iptables-util-chains.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: set `makeIPTablesUtilChains:
    /// true` (the default).
    ///
    /// ## Why is this bad?
    /// The kubelet keeps the iptables chains that pod networking relies on consistent; without it
    /// they can drift from the configuration.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// makeIPTablesUtilChains: false # expect: KUBELET007
    /// ```
    ///
    /// ## Remediation
    /// Set `makeIPTablesUtilChains: true` (the default).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.2.6
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET007",
        name: "kubelet-iptables-util-chains",
        title: "Kubelet does not manage iptables utility chains",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("4.2.6")],
        remediation: "Set makeIPTablesUtilChains: true (the default).",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Equals {
    path: &["makeIPTablesUtilChains"],
    value: "true",
    unset_ok: true,
};

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
