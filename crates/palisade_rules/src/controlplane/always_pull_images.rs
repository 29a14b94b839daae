//! CP011 always-pull-images.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: add `AlwaysPullImages` to `--enable-admission-plugins` on multi-tenant
    /// clusters.
    ///
    /// ## Why is this bad?
    /// Without it, a pod can run a private image already cached on its node without having the pull
    /// credentials for it.
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
    ///     - --enable-admission-plugins=NodeRestriction # expect: CP011
    /// ```
    ///
    /// ## Remediation
    /// Add `AlwaysPullImages` to `--enable-admission-plugins` on multi-tenant clusters.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.11
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP011",
        name: "always-pull-images",
        title: "AlwaysPullImages admission plugin not enabled",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.2.11")],
        remediation: "Add AlwaysPullImages to --enable-admission-plugins on multi-tenant clusters.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Contains {
    flag: "enable-admission-plugins",
    item: "AlwaysPullImages",
    unset_ok: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
