//! NODE003 scheduler-manifest-permissions: Scheduler manifest is not locked down.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks the kube-scheduler static pod manifest for permissions 600 or more restrictive and
    /// owner `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// Whoever can write the scheduler's manifest decides where every pod runs, and runs a pod on
    /// the control plane.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE003
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/manifests/kube-scheduler.yaml, role: scheduler-manifest, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml` and `chown root:root
    /// /etc/kubernetes/manifests/kube-scheduler.yaml` (or the paths the components' flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.5
    /// - CIS Kubernetes Benchmark 1.1.6
    pub static RULE = {
        id: "NODE003",
        name: "scheduler-manifest-permissions",
        title: "Scheduler manifest is not locked down",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.1.5"), Cis("1.1.6")],
        remediation: "chmod 600 /etc/kubernetes/manifests/kube-scheduler.yaml and chown root:root /etc/kubernetes/manifests/kube-scheduler.yaml (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::SchedulerManifest],
    max_mode: Some(0o600),
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
