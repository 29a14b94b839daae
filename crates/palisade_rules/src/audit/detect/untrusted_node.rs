//! AUDIT-D26 untrusted-node-join: Node not on the allowed list joined or tried to.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::listed;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports Node creates whose name is not on `audit-allowed-nodes` (`*` entries are
    /// prefixes): high when the node joined, medium when it tried and failed. The list is empty
    /// by default, which turns the detection off, as Falco ships it.
    ///
    /// ## Why is this bad?
    /// A node receives pods and their Secrets. An unexpected one is a stolen bootstrap token or
    /// kubelet certificate put to use.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D26
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d26-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/nodes
    /// user: {username: system:node:rogue-1}
    /// objectRef: {resource: nodes, name: rogue-1, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// # audit-allowed-nodes: ip-10-0-*
    /// ```
    ///
    /// ## Remediation
    /// Delete the node, revoke the bootstrap token or certificate it used, and list your node
    /// name patterns in `audit-allowed-nodes`.
    ///
    /// ## References
    /// - Falco k8saudit rules: Untrusted Node Successfully Joined, Untrusted Node Unsuccessfully Tried to Join
    pub static RULE = {
        id: "AUDIT-D26",
        name: "untrusted-node-join",
        title: "Node not on the allowed list joined or tried to",
        severity: High,
        layer: Cluster,
        frameworks: [Mitre("T1078")],
        remediation: "Delete the node and revoke the credentials it used; list expected node names in audit-allowed-nodes.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::creates(event, "nodes") {
        return;
    }
    let allowed = &ctx.options::<AuditOptions>().audit_allowed_nodes;
    if allowed.is_empty() {
        return;
    }
    ctx.applicable();
    if listed(allowed, event.name()) {
        return;
    }
    if event.succeeded() {
        ctx.report(
            super::subject(event),
            "",
            format!(
                "node {:?} joined the cluster and is not on the allowed list",
                event.name()
            ),
        );
    } else {
        ctx.report_as(
            Severity::Medium,
            super::subject(event),
            "",
            format!(
                "node {:?}, not on the allowed list, tried to join the cluster{}",
                event.name(),
                super::outcome(event)
            ),
        );
    }
}
