//! POD018 system-namespace-image.

use palisade_engine::prelude::*;

use crate::image::report_disallowed_registries;

declare_rule! {
    /// ## What it does
    /// Flags containers of workloads in `kube-system` or `kube-public` whose images come from
    /// registries outside the system allow-list: `[rule-options] system-registries` in
    /// `palisade.toml`, by default `registry.k8s.io` and `k8s.gcr.io`. An entry is a registry
    /// host or a host with a path prefix (`gcr.io/gke-release`); images without a registry
    /// come from `docker.io`.
    ///
    /// ## Why is this bad?
    /// The system namespaces hold the cluster's own components, run with powerful
    /// ServiceAccounts and are rarely reviewed: an unfamiliar image there is a classic place
    /// for a backdoor to hide behind a system-looking name.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: DaemonSet
    /// metadata:
    ///   name: kube-proxy-helper
    ///   namespace: kube-system
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: helper
    ///         image: docker.io/someone/helper:latest # expect: POD018
    /// ```
    ///
    /// ## Remediation
    /// Run add-ons in their own namespaces, or add the registries of the system components
    /// you do run (cloud provider, CNI) to `system-registries`.
    ///
    /// ## References
    /// - Falco rule: Pod Created in Kube Namespace
    /// - Microsoft Threat Matrix for Kubernetes: Pod or container name similarity (MS-TA9023)
    pub static RULE = {
        id: "POD018",
        name: "system-namespace-image",
        title: "Unexpected image in a system namespace",
        severity: Medium,
        layer: Container,
        frameworks: [Mitre("T1610"), Mitre("T1036.005")],
        remediation: "Run add-ons in their own namespaces, or allow their registries in system-registries.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(ns) = pod
        .namespace
        .filter(|ns| matches!(*ns, "kube-system" | "kube-public"))
    else {
        ctx.not_applicable();
        return;
    };
    let allow = ctx
        .options::<super::options::PodOptions>()
        .system_registries();
    report_disallowed_registries(pod, ctx, &allow, |name, image, registry| {
        format!(
            "container {name:?} in {ns} runs {image:?} from {registry}, which is not a system registry"
        )
    });
}
