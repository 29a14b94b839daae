//! CP018 service-account-key-file.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods (command-line flags in `command` or `args`) that fail this
    /// requirement: set `--service-account-key-file` to the public key(s) that verify
    /// ServiceAccount tokens.
    ///
    /// ## Why is this bad?
    /// The key file lets tokens be verified against keys that can be rotated separately from the
    /// serving certificate.
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
    ///     command: # expect: CP018
    ///     - kube-apiserver
    ///     - --authorization-mode=Node,RBAC
    /// ```
    ///
    /// ## Remediation
    /// Set `--service-account-key-file` to the public key(s) that verify ServiceAccount tokens.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.2.22
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "CP018",
        name: "service-account-key-file",
        title: "ServiceAccount verification keys not set",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.2.22")],
        remediation: "Set --service-account-key-file to the public key(s) that verify ServiceAccount tokens.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["service-account-key-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
