//! CP027 image-policy-webhook.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) whose
    /// `--enable-admission-plugins` lacks `ImagePolicyWebhook`, the built-in admission plugin
    /// that asks an external service whether each pod's images may run. Clusters that gate
    /// images with an admission webhook instead (Kyverno `verifyImages`, the Sigstore policy
    /// controller, Gatekeeper with Ratify) meet the same need: suppress the finding there.
    ///
    /// ## Why is this bad?
    /// Without an admission-time image gate, any image (unscanned, unsigned, from any
    /// registry) runs as soon as someone can create a pod.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: kube-apiserver
    ///   namespace: kube-system
    /// spec:
    ///   containers:
    ///   - name: kube-apiserver
    ///     image: registry.k8s.io/kube-apiserver:v1.35.0
    ///     command:
    ///     - kube-apiserver
    ///     - --enable-admission-plugins=NodeRestriction # expect: CP027
    /// ```
    ///
    /// ## Remediation
    /// Add `ImagePolicyWebhook` to `--enable-admission-plugins` and configure it in
    /// `--admission-control-config-file` with `defaultAllow: false`, or gate images with an
    /// admission webhook policy engine.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.5.1: Configure Image Provenance using ImagePolicyWebhook
    ///   admission controller
    /// - Kubernetes: Admission controllers, ImagePolicyWebhook
    pub static RULE = {
        id: "CP027",
        name: "image-policy-webhook",
        title: "ImagePolicyWebhook admission plugin not enabled",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("5.5.1")],
        remediation: "Enable ImagePolicyWebhook with defaultAllow: false, or gate images with an admission policy engine.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Contains {
    flag: "enable-admission-plugins",
    item: "ImagePolicyWebhook",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
