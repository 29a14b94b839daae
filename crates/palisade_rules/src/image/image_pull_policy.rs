//! IMG005 image-pull-policy.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers whose image is not pinned by digest and whose effective
    /// `imagePullPolicy` is not `Always` (explicit `IfNotPresent` or `Never`, or unset for a
    /// tag other than `latest`, which defaults to `IfNotPresent`).
    ///
    /// ## Why is this bad?
    /// With `IfNotPresent` a pod can start from an image already cached on the node without
    /// the registry checking that the pod may pull it, and a moved tag is not picked up
    /// consistently across nodes.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: example.com/api:1.0
    ///     imagePullPolicy: IfNotPresent # expect: IMG005
    /// ```
    ///
    /// ## Remediation
    /// Pin images by digest, or set `imagePullPolicy: Always` (or enable the AlwaysPullImages
    /// admission plugin, CP011).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.11: AlwaysPullImages
    /// - Kubernetes: Images, image pull policy
    pub static RULE = {
        id: "IMG005",
        name: "image-pull-policy",
        title: "Mutable image not always pulled",
        severity: Low,
        layer: Container,
        frameworks: [],
        remediation: "Pin the image by digest or set imagePullPolicy: Always.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for (c, image, r) in super::images(pod.containers()) {
        if r.is_pinned() {
            continue;
        }
        let policy = c.node.get("imagePullPolicy").and_then(|p| p.as_str());
        let effective = policy.unwrap_or(if r.effective_tag() == Some("latest") {
            "Always"
        } else {
            "IfNotPresent"
        });
        if effective != "Always" {
            let at = if policy.is_some() {
                "imagePullPolicy"
            } else {
                "image"
            };
            ctx.report_container(
                c,
                at,
                format!("container {:?} pulls {image:?} with imagePullPolicy {effective} although its tag can move", c.name),
            );
        }
    }
}
