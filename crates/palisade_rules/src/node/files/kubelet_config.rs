//! NODE016 kubelet-config-permissions: Kubelet configuration file is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the kubelet's configuration file for permissions 600 or more restrictive and owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// It decides the kubelet's authentication, authorization and ports: whoever can write it can
    /// open the kubelet's API at its next start.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE016
    /// node: cp-1
    /// files:
    ///   - {path: /var/lib/kubelet/config.yaml, role: kubelet-config, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /var/lib/kubelet/config.yaml` and `chown root:root
    /// /var/lib/kubelet/config.yaml` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.1.9
    /// - CIS Kubernetes Benchmark 4.1.10
    pub static RULE = {
        id: "NODE016",
        name: "kubelet-config-permissions",
        title: "Kubelet configuration file is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.1.9"), Cis("4.1.10")],
        remediation: "chmod 600 /var/lib/kubelet/config.yaml and chown root:root /var/lib/kubelet/config.yaml (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::KubeletConfig],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
