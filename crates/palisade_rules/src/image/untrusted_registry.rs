//! IMG003 untrusted-registry.

use palisade_engine::prelude::*;

use super::report_disallowed_registries;

declare_rule! {
    /// ## What it does
    /// Flags container images from registries outside the allow-list set in `palisade.toml`
    /// (`[rule-options] allowed-registries`). An entry is a registry host (`registry.example.com`)
    /// or a host with a path prefix (`ghcr.io/acme`). Images without a registry come from
    /// `docker.io`. Without an allow-list the rule evaluates nothing.
    ///
    /// ## Why is this bad?
    /// Images from arbitrary registries bypass the scanning, signing and provenance controls of
    /// the trusted ones, and public images can be swapped or typo-squatted.
    ///
    /// ## Example
    /// ```yaml
    /// # allowed-registries: registry.example.com
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   containers:
    ///   - name: api
    ///     image: docker.io/library/nginx:1.27 # expect: IMG003
    /// ```
    ///
    /// ## Remediation
    /// Mirror the image into an allowed registry (after scanning and signing it) and reference
    /// it there.
    ///
    /// ## References
    /// - kubescape C-0078 Images from allowed registry
    /// - Microsoft Threat Matrix for Kubernetes: Compromised image in registry (MS-TA9002)
    pub static RULE = {
        id: "IMG003",
        name: "untrusted-registry",
        title: "Image from a registry outside the allow-list",
        severity: High,
        layer: Container,
        frameworks: [Mitre("T1525")],
        remediation: "Mirror the image into an allowed registry and reference it there.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let allow = ctx
        .options::<super::options::ImageOptions>()
        .allowed_registries
        .clone();
    if allow.is_empty() {
        ctx.not_applicable();
        return;
    }
    report_disallowed_registries(pod, ctx, &allow, |name, image, registry| {
        format!("container {name:?} pulls {image:?} from {registry}, which is not allowed")
    });
}
