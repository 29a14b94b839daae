//! NODE011 pki-key-permissions: Kubernetes PKI private key is readable beyond root.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks private keys (`*.key`) under the Kubernetes PKI directory for permissions 600 or more
    /// restrictive, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// Whoever reads the CA key signs certificates for any identity, `system:masters` included; the
    /// service account key signs tokens for any ServiceAccount.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE011
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/pki/ca.key, role: pki-key, mode: "644", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 600 /etc/kubernetes/pki/ca.key` (or the paths the components' flags
    /// name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.21
    pub static RULE = {
        id: "NODE011",
        name: "pki-key-permissions",
        title: "Kubernetes PKI private key is readable beyond root",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("1.1.21")],
        remediation: "chmod 600 /etc/kubernetes/pki/ca.key (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::PkiKey],
    max_mode: Some(0o600),
    owner: Owner::Any,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
