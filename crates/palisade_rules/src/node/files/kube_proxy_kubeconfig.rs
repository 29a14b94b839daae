//! NODE013 kube-proxy-kubeconfig-permissions: kube-proxy kubeconfig is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks kube-proxy's kubeconfig for permissions 600 or more restrictive and owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// It holds kube-proxy's credentials; kube-proxy may read every Service and EndpointSlice of
    /// the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE013
    /// node: cp-1
    /// files:
    ///   - {path: /var/lib/kube-proxy/kubeconfig.conf, role: kube-proxy-kubeconfig, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /var/lib/kube-proxy/kubeconfig.conf` and `chown root:root
    /// /var/lib/kube-proxy/kubeconfig.conf` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.1.3
    /// - CIS Kubernetes Benchmark 4.1.4
    pub static RULE = {
        id: "NODE013",
        name: "kube-proxy-kubeconfig-permissions",
        title: "kube-proxy kubeconfig is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("4.1.3"), Cis("4.1.4")],
        remediation: "chmod 600 /var/lib/kube-proxy/kubeconfig.conf and chown root:root /var/lib/kube-proxy/kubeconfig.conf (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::KubeProxyKubeconfig],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
