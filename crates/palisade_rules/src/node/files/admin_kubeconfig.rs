//! NODE006 admin-kubeconfig-permissions: admin.conf is readable beyond root.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks `admin.conf` and `super-admin.conf` for permissions 600 or more restrictive and owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// These kubeconfigs hold client certificates in `system:masters` (or `kubeadm:cluster-
    /// admins`): reading one is cluster-admin.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE006
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/admin.conf, role: admin-kubeconfig, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/admin.conf` and `chown root:root
    /// /etc/kubernetes/admin.conf` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.13
    /// - CIS Kubernetes Benchmark 1.1.14
    pub static RULE = {
        id: "NODE006",
        name: "admin-kubeconfig-permissions",
        title: "admin.conf is readable beyond root",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.1.13"), Cis("1.1.14")],
        remediation: "chmod 600 /etc/kubernetes/admin.conf and chown root:root /etc/kubernetes/admin.conf (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::AdminKubeconfig],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
