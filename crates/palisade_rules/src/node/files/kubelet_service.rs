//! NODE012 kubelet-service-permissions: Kubelet service drop-in is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the kubelet's systemd drop-in (`10-kubeadm.conf`) for permissions 600 or more
    /// restrictive and owner `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// It sets the kubelet's flags: whoever can write it can switch off the kubelet's
    /// authentication at its next start.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE012
    /// node: cp-1
    /// files:
    ///   - {path: /etc/systemd/system/kubelet.service.d/10-kubeadm.conf, role: kubelet-service-drop-in, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/systemd/system/kubelet.service.d/10-kubeadm.conf` and `chown
    /// root:root /etc/systemd/system/kubelet.service.d/10-kubeadm.conf` (or the paths the
    /// components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.1.1
    /// - CIS Kubernetes Benchmark 4.1.2
    pub static RULE = {
        id: "NODE012",
        name: "kubelet-service-permissions",
        title: "Kubelet service drop-in is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.1.1"), Cis("4.1.2")],
        remediation: "chmod 600 /etc/systemd/system/kubelet.service.d/10-kubeadm.conf and chown root:root /etc/systemd/system/kubelet.service.d/10-kubeadm.conf (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::KubeletServiceDropIn],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
