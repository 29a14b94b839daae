//! ETCD010 etcd-data-dir-permissions: etcd data directory is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the etcd data directory (`--data-dir`) for permissions 700 or more restrictive and
    /// owner `etcd:etcd`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// The data directory is the cluster's database, Secrets included, unencrypted unless
    /// encryption at rest is on: reading it is reading every Secret.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: ETCD010
    /// node: cp-1
    /// files:
    ///   - {path: /var/lib/etcd, role: etcd-data-dir, mode: "755", uid: 998, gid: 998, user: etcd, group: etcd}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 700 /var/lib/etcd` and `chown -R etcd:etcd /var/lib/etcd` (or the paths
    /// the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.11
    /// - CIS Kubernetes Benchmark 1.1.12
    pub static RULE = {
        id: "ETCD010",
        name: "etcd-data-dir-permissions",
        title: "etcd data directory is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.1.11"), Cis("1.1.12")],
        remediation: "chmod 700 /var/lib/etcd and chown -R etcd:etcd /var/lib/etcd (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::EtcdDataDir],
    max_mode: Some(0o700),
    owner: Owner::Named("etcd", "etcd"),
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
