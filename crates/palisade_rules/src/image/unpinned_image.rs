//! IMG002 unpinned-image.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags container images that are not pinned by digest (`@sha256:…`).
    ///
    /// ## Why is this bad?
    /// A tag is a mutable pointer: whoever controls the registry (or steals its credentials)
    /// can move it to different content, and the cluster will run it on the next pull. A digest
    /// names exactly the content that was reviewed and scanned.
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
    ///     image: nginx:1.27.2 # expect: IMG002
    ///   - name: sidecar
    ///     image: example.com/proxy:2.1@sha256:4c0ffee5e6b8c4f1f3e1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b
    /// ```
    ///
    /// ## Remediation
    /// Reference images by digest (keep the tag for readability: `nginx:1.27.2@sha256:…`) and
    /// let a bot such as Renovate update the digests.
    ///
    /// ## References
    /// - kubescape C-0306 Image not pinned by digest
    /// - SLSA / supply-chain guidance: immutable references
    pub static RULE = {
        id: "IMG002",
        name: "unpinned-image",
        title: "Image not pinned by digest",
        severity: Low,
        layer: Container,
        frameworks: [Mitre("T1195.002")],
        remediation: "Reference the image by digest, e.g. name:tag@sha256:….",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for (c, image, r) in super::images(pod.containers()) {
        if !r.is_pinned() {
            ctx.report_container(
                c,
                "image",
                format!(
                    "container {:?} uses image {image:?} without a digest",
                    c.name
                ),
            );
        }
    }
}
