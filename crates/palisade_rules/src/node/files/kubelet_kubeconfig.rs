//! NODE014 kubelet-kubeconfig-permissions: kubelet.conf is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the kubelet's kubeconfig (`kubelet.conf`) for permissions 600 or more restrictive and
    /// owner `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// It holds the node's client certificate: reading it is acting as `system:node:NAME`, which
    /// reads the Secrets of every pod on the node.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE014
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/kubelet.conf, role: kubelet-kubeconfig, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/kubelet.conf` and `chown root:root
    /// /etc/kubernetes/kubelet.conf` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.1.5
    /// - CIS Kubernetes Benchmark 4.1.6
    pub static RULE = {
        id: "NODE014",
        name: "kubelet-kubeconfig-permissions",
        title: "kubelet.conf is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.1.5"), Cis("4.1.6")],
        remediation: "chmod 600 /etc/kubernetes/kubelet.conf and chown root:root /etc/kubernetes/kubelet.conf (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::KubeletKubeconfig],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
