//! NODE002 controller-manager-manifest-permissions: Controller manager manifest is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the kube-controller-manager static pod manifest for permissions 600 or more
    /// restrictive and owner `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// The controller manager holds the cluster's signing keys and mints ServiceAccount tokens;
    /// whoever can write its manifest can run it with any flags.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE002
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/manifests/kube-controller-manager.yaml, role: controller-manager-manifest, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml` and `chown
    /// root:root /etc/kubernetes/manifests/kube-controller-manager.yaml` (or the paths the
    /// components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.3
    /// - CIS Kubernetes Benchmark 1.1.4
    pub static RULE = {
        id: "NODE002",
        name: "controller-manager-manifest-permissions",
        title: "Controller manager manifest is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.1.3"), Cis("1.1.4")],
        remediation: "chmod 600 /etc/kubernetes/manifests/kube-controller-manager.yaml and chown root:root /etc/kubernetes/manifests/kube-controller-manager.yaml (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::ControllerManagerManifest],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
