//! NODE010 pki-certificate-permissions: Kubernetes PKI certificate is writable beyond root.

use palisade_engine::prelude::*;
use palisade_model::node::FileRole;

use super::{FileCheck, Owner};

declare_rule! {
    /// ## What it does
    /// Checks certificates (`*.crt`) under the Kubernetes PKI directory for permissions 644 or more
    /// restrictive, as the CIS Benchmark's file checks do (a file the node
    /// does not have passes). Which files these are comes from the components' flags on the
    /// node, else kubeadm's defaults.
    ///
    /// ## Why is this bad?
    /// A certificate anyone may rewrite is a trust anchor anyone may replace (the CA certificate
    /// decides which clients the API server believes).
    ///
    /// ## Example
    /// ```yaml
    /// kind: NodeFacts # expect: NODE010
    /// node: cp-1
    /// files:
    ///   - {path: /etc/kubernetes/pki/apiserver.crt, role: pki-certificate, mode: "666", uid: 0, gid: 0}
    /// ```
    ///
    /// ## Remediation
    /// On the node: `chmod 644 /etc/kubernetes/pki/apiserver.crt` (or the paths the components'
    /// flags name).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 1.1.20
    pub static RULE = {
        id: "NODE010",
        name: "pki-certificate-permissions",
        title: "Kubernetes PKI certificate is writable beyond root",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("1.1.20")],
        remediation: "chmod 644 /etc/kubernetes/pki/apiserver.crt (or the paths the components' flags name).",
        inputs: [Node],
        hook: Hook::Node(check),
    }
}

const CHECK: FileCheck = FileCheck {
    roles: &[FileRole::PkiCertificate],
    max_mode: Some(0o644),
    owner: Owner::Any,
};

fn check(facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
    CHECK.run(facts, ctx);
}
