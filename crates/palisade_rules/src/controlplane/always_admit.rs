//! CP010 always-admit.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: remove `AlwaysAdmit` from `--enable-admission-plugins`.
    ///
    /// ## Why is this bad?
    /// `AlwaysAdmit` admits every request regardless of other admission control.
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
    ///     - --enable-admission-plugins=AlwaysAdmit,NodeRestriction # expect: CP010
    /// ```
    ///
    /// ## Remediation
    /// Remove `AlwaysAdmit` from `--enable-admission-plugins`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.10
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP010",
        name: "always-admit",
        title: "AlwaysAdmit admission plugin enabled",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.2.10")],
        remediation: "Remove AlwaysAdmit from --enable-admission-plugins.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Lacks {
    flag: "enable-admission-plugins",
    item: "AlwaysAdmit",
    default_has: false,
};

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
