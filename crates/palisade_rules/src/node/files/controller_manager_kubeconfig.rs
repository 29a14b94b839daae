//! NODE008 controller-manager-kubeconfig-permissions: controller-manager.conf is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the controller manager's kubeconfig for permissions 600 or more restrictive and owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// It holds the controller manager's client certificate: reading it is acting as `system:kube-
    /// controller-manager`, which can read every Secret.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE008
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/controller-manager.conf, role: controller-manager-kubeconfig, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/controller-manager.conf` and `chown root:root
    /// /etc/kubernetes/controller-manager.conf` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.17
    /// - CIS Kubernetes Benchmark 1.1.18
    pub static RULE = {
        id: "NODE008",
        name: "controller-manager-kubeconfig-permissions",
        title: "controller-manager.conf is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.1.17"), Cis("1.1.18")],
        remediation: "chmod 600 /etc/kubernetes/controller-manager.conf and chown root:root /etc/kubernetes/controller-manager.conf (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::ControllerManagerKubeconfig],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
