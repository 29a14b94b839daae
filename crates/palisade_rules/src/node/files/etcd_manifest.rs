//! NODE004 etcd-manifest-permissions: etcd manifest is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the etcd static pod manifest for permissions 600 or more restrictive and owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// etcd holds every object of the cluster, Secrets included: whoever can write its manifest can
    /// turn off its TLS or expose it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE004
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/manifests/etcd.yaml, role: etcd-manifest, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/manifests/etcd.yaml` and `chown root:root
    /// /etc/kubernetes/manifests/etcd.yaml` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.7
    /// - CIS Kubernetes Benchmark 1.1.8
    pub static RULE = {
        id: "NODE004",
        name: "etcd-manifest-permissions",
        title: "etcd manifest is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.1.7"), Cis("1.1.8")],
        remediation: "chmod 600 /etc/kubernetes/manifests/etcd.yaml and chown root:root /etc/kubernetes/manifests/etcd.yaml (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::EtcdManifest],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
