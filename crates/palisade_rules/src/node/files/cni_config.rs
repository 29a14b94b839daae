//! NODE005 cni-config-permissions: CNI configuration is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks CNI configuration files for permissions 600 or more restrictive and owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// The CNI configuration decides how every pod is wired to the network; a writable one lets a
    /// local user redirect or sniff pod traffic.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE005
    /// node: cp-1
    /// files:
    ///   - {path: /etc/cni/net.d/10-calico.conflist, role: cni-config, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/cni/net.d/10-calico.conflist` and `chown root:root
    /// /etc/cni/net.d/10-calico.conflist` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.9
    /// - CIS Kubernetes Benchmark 1.1.10
    pub static RULE = {
        id: "NODE005",
        name: "cni-config-permissions",
        title: "CNI configuration is not locked down",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.1.9"), Cis("1.1.10")],
        remediation: "chmod 600 /etc/cni/net.d/10-calico.conflist and chown root:root /etc/cni/net.d/10-calico.conflist (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::CniConfig],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
