//! NODE001 api-server-manifest-permissions: API server manifest is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the kube-apiserver static pod manifest for permissions 600 or more restrictive and
    /// owner `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// The kubelet runs whatever this file says as the API server: whoever can write it controls
    /// the cluster's authentication, authorization and admission.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE001
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/manifests/kube-apiserver.yaml, role: api-server-manifest, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml` and `chown root:root
    /// /etc/kubernetes/manifests/kube-apiserver.yaml` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.1
    /// - CIS Kubernetes Benchmark 1.1.2
    pub static RULE = {
        id: "NODE001",
        name: "api-server-manifest-permissions",
        title: "API server manifest is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.1.1"), Cis("1.1.2")],
        remediation: "chmod 600 /etc/kubernetes/manifests/kube-apiserver.yaml and chown root:root /etc/kubernetes/manifests/kube-apiserver.yaml (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::ApiServerManifest],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
