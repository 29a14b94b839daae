//! IMG001 latest-tag.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags container images that use the `latest` tag, or no tag and no digest (which means
    /// `latest`).
    ///
    /// ## Why is this bad?
    /// `latest` changes under you: two nodes can run different code for the same pod spec, a
    /// rollback does not roll anything back, and a compromised upstream push reaches the cluster
    /// on the next restart without any change to the manifest.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: nginx # expect: IMG001
    /// ```
    ///
    /// ## Remediation
    /// Use a specific version tag, ideally together with its digest
    /// (`nginx:1.27.2@sha256:…`).
    ///
    /// ## References
    /// - kubescape C-0075 Image pull policy on latest tag
    /// - Kubernetes: Images, Image names
    pub static RULE = {
        id: "IMG001",
        name: "latest-tag",
        title: "Image uses the latest tag",
        severity: Medium,
        layer: Container,
        frameworks: [],
        remediation: "Use a specific version tag, ideally with its digest.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for (c, image, r) in super::images(pod.containers()) {
        if r.effective_tag() == Some("latest") {
            let how = if r.tag.is_some() {
                "the latest tag"
            } else {
                "no tag, which means latest"
            };
            ctx.report_container(
                c,
                "image",
                format!("container {:?} uses image {image:?} with {how}", c.name),
            );
        }
    }
}
