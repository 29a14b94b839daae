//! IMG004 deprecated-registry.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags images from the frozen `k8s.gcr.io` registry (and its regional mirrors
    /// `*.gcr.io/k8s-artifacts-prod`).
    ///
    /// ## Why is this bad?
    /// `k8s.gcr.io` was frozen in April 2023: it receives no new images or security fixes, so
    /// anything pulled from it stays at its old, vulnerable versions.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: metrics
    /// spec:
    ///   containers:
    ///   - name: metrics
    ///     image: k8s.gcr.io/metrics-server/metrics-server:v0.6.1 # expect: IMG004
    /// ```
    ///
    /// ## Remediation
    /// Pull from `registry.k8s.io` (same paths) at a current version.
    ///
    /// ## References
    /// - Kubernetes blog: k8s.gcr.io Image Registry Will Be Frozen From the 3rd of April 2023
    /// - kubescape C-0253 Deprecated Kubernetes image registry
    pub static RULE = {
        id: "IMG004",
        name: "deprecated-registry",
        title: "Image from the frozen k8s.gcr.io registry",
        severity: Low,
        layer: Container,
        frameworks: [],
        remediation: "Pull the image from registry.k8s.io at a current version.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for (c, image, r) in super::images(pod.containers()) {
        let frozen = r.registry.is_some_and(|reg| {
            reg == "k8s.gcr.io"
                || (reg.ends_with("gcr.io") && r.repository.starts_with("k8s-artifacts-prod/"))
        });
        if frozen {
            ctx.report_container(
                c,
                "image",
                format!(
                    "container {:?} pulls {image:?} from the frozen k8s.gcr.io registry",
                    c.name
                ),
            );
        }
    }
}
