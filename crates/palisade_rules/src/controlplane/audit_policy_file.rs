//! AUDIT005 audit-policy-file.

use palisade_engine::prelude::*;
use palisade_model::component::Component;

use super::{Check, evaluate};

declare_rule! {
    /// ## What it does
    /// Flags kube-apiserver static pods that do not set `--audit-policy-file`.
    ///
    /// ## Why is this bad?
    /// Without a policy file the API server records no audit events at all, whatever the log
    /// settings: the policy decides what is recorded and at which level.
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
    ///     command: # expect: AUDIT005
    ///     - kube-apiserver
    ///     - --authorization-mode=Node,RBAC
    /// ```
    ///
    /// ## Remediation
    /// Set `--audit-policy-file` to a policy that records Secrets and ConfigMaps at Metadata
    /// level and RBAC, exec and webhook changes at RequestResponse.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 3.2.1
    /// - Kubernetes: kube-apiserver command-line reference
    pub static RULE = {
        id: "AUDIT005",
        name: "audit-policy-file",
        title: "API server has no audit policy",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("3.2.1")],
        remediation: "Set --audit-policy-file to an audit policy that covers Secrets, exec and RBAC changes.",
        hook: Hook::Pod(check),
    }
}

const CHECK: Check = Check::Set(&["audit-policy-file"]);

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    evaluate(pod, ctx, Component::ApiServer, &CHECK);
}
