//! NODE009 pki-ownership: Kubernetes PKI not owned by root.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks everything under the Kubernetes PKI directory (`/etc/kubernetes/pki`) for owner
    /// `root:root`, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// The owner of a file can change its permissions: a CA key owned by another user is a CA key
    /// that user can read and replace.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE009
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/pki/ca.key, role: pki-certificate, mode: "600", uid: 1000, gid: 1000}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chown root:root /etc/kubernetes/pki/ca.key` (or the paths the components'
    /// flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.19
    pub static RULE = {
        id: "NODE009",
        name: "pki-ownership",
        title: "Kubernetes PKI not owned by root",
        severity: Medium,
        layer: Cluster,
        frameworks: [Cis("1.1.19")],
        remediation: "chown root:root /etc/kubernetes/pki/ca.key (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[
        FileRole::PkiCertificate,
        FileRole::PkiKey,
        FileRole::PkiOther,
    ],
    max_mode: None,
    owner: Owner::Root,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
