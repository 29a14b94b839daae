//! KUBELET017 kubelet-static-pod-url.

use palisade_engine::prelude::*;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags KubeletConfiguration files that fail this requirement: remove `staticPodURL`; keep
    /// static pods in a root-owned local directory.
    ///
    /// ## Why is this bad?
    /// Whoever controls that URL runs privileged static pods on the node, outside admission
    /// control.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: kubelet.config.k8s.io/v1beta1
    /// kind: KubeletConfiguration
    /// staticPodURL: http://config.example.com/pods.yaml # expect: KUBELET017
    /// ```
    ///
    /// ## Remediation
    /// Remove `staticPodURL`; keep static pods in a root-owned local directory.
    ///
    /// ## References
    /// - Kubernetes: Kubelet Configuration (v1beta1) reference
    pub static RULE = {
        id: "KUBELET017",
        name: "kubelet-static-pod-url",
        title: "Kubelet fetches static pods from a URL",
        severity: Medium,
        layer: Cluster,
        frameworks: [],
        remediation: "Remove staticPodURL; keep static pods in a root-owned local directory.",
        hook: Hook::Object(check),
    }
}

const CHECK: Check = Check::Unset(&["staticPodURL"]);

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(object, ctx, &CHECK);
}
