//! NODE015 kubelet-client-ca-permissions: Kubelet client CA file is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the CA file the kubelet verifies client certificates with
    /// (`authentication.x509.clientCAFile`) for permissions 644 or more restrictive and owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// Whoever can replace this file decides which client certificates the kubelet accepts for
    /// `/exec` and `/run`.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE015
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/pki/ca.crt, role: kubelet-client-ca, mode: "666", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 644 /etc/kubernetes/pki/ca.crt` and `chown root:root
    /// /etc/kubernetes/pki/ca.crt` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 4.1.7
    /// - CIS Kubernetes Benchmark 4.1.8
    pub static RULE = {
        id: "NODE015",
        name: "kubelet-client-ca-permissions",
        title: "Kubelet client CA file is not locked down",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("4.1.7"), Cis("4.1.8")],
        remediation: "chmod 644 /etc/kubernetes/pki/ca.crt and chown root:root /etc/kubernetes/pki/ca.crt (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::KubeletClientCa],
    max_mode: Some(0o644),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
