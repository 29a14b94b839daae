//! CP040 image-policy-default-allow.

use palisade_engine::prelude::*;

use super::admission_plugin_configs;

declare_rule! {
    /// ## What it does
    /// Flags the ImagePolicyWebhook plugin configuration inside an `AdmissionConfiguration`
    /// that sets `imagePolicy.defaultAllow: true`: when the image policy backend cannot be
    /// reached, every pod is admitted.
    ///
    /// ## Why is this bad?
    /// A gate that opens when its backend is down fails open: an attacker who can slow or
    /// block the webhook (or who acts during an outage) runs any image, and nothing records
    /// that the check was skipped.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apiserver.config.k8s.io/v1
    /// kind: AdmissionConfiguration
    /// plugins:
    /// - name: ImagePolicyWebhook
    ///   configuration:
    ///     imagePolicy:
    ///       kubeConfigFile: /etc/kubernetes/image-policy/kubeconfig.yaml
    ///       allowTTL: 50
    ///       denyTTL: 50
    ///       retryBackoff: 500
    ///       defaultAllow: true # expect: CP040
    /// ```
    ///
    /// ## Remediation
    /// Set `defaultAllow: false` and run the image policy backend with enough replicas that
    /// an outage is rare.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.5.1: Configure Image Provenance using ImagePolicyWebhook
    ///   admission controller
    /// - Kubernetes: Admission controllers, ImagePolicyWebhook configuration
    pub static RULE = {
        id: "CP040",
        name: "image-policy-default-allow",
        title: "ImagePolicyWebhook admits images when its backend fails",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("5.5.1")],
        remediation: "Set imagePolicy.defaultAllow: false in the ImagePolicyWebhook configuration.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    for (base, config) in admission_plugin_configs(object, ctx, "ImagePolicyWebhook") {
        if config
            .path(&["imagePolicy", "defaultAllow"])
            .and_then(|d| d.as_bool())
            == Some(true)
        {
            ctx.report(
                format!("{base}/imagePolicy/defaultAllow"),
                "ImagePolicyWebhook admits every image when its backend cannot be reached",
            );
        }
    }
}
