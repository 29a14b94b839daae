//! NODE021 runtime-socket-permissions: Container runtime socket is open beyond root.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks container runtime API sockets (containerd, CRI-O, Docker) for permissions 660 or more
    /// restrictive and owner `root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// The runtime's socket starts privileged containers on request: a user who can open it is root
    /// on the node and can read every container's memory and secrets.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE021
    /// node: cp-1
    /// files:
    ///   - {path: /run/containerd/containerd.sock, role: runtime-socket, mode: "666", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 660 /run/containerd/containerd.sock` and `chown root
    /// /run/containerd/containerd.sock` (or the paths the components' flags name).
    ///
    /// ## References
    /// - Kubernetes documentation: Container runtimes (the CRI socket)
    pub static RULE = {
        id: "NODE021",
        name: "runtime-socket-permissions",
        title: "Container runtime socket is open beyond root",
        severity: High,
        layer: Cluster,
        frameworks: [],
        remediation: "chmod 660 /run/containerd/containerd.sock and chown root /run/containerd/containerd.sock (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::RuntimeSocket],
    max_mode: Some(0o660),
    owner: Owner::RootUser,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
