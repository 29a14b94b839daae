//! AUDIT-D14 disallowed-namespace-created: Namespace created that is not on the allowed list.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::listed;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports successful Namespace creates whose name is not on `audit-allowed-namespaces` (by
    /// default Falco's: kube-system, kube-public, default). Set the list to the namespaces your
    /// platform creates.
    ///
    /// ## Why is this bad?
    /// Where namespaces are created by a pipeline from a known list, one outside it is a
    /// workload nobody reviewed, or a place to hide one.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D14
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d14-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces
    /// user: {username: alice}
    /// objectRef: {resource: namespaces, name: crypto, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// ```
    ///
    /// ## Remediation
    /// Add expected namespaces (or prefixes ending in `*`) to `audit-allowed-namespaces`;
    /// delete the others.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create Disallowed Namespace
    pub static RULE = {
        id: "AUDIT-D14",
        name: "disallowed-namespace-created",
        title: "Namespace created that is not on the allowed list",
        severity: Medium,
        layer: Cluster,
        frameworks: [],
        remediation: "Add expected namespaces to audit-allowed-namespaces; review and delete the others.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::created(event, "namespaces") {
        return;
    }
    ctx.applicable();
    let name = if event.name().is_empty() {
        event
            .request_json()
            .and_then(|b| b.pointer("/metadata/name")?.as_str().map(str::to_string))
            .unwrap_or_default()
    } else {
        event.name().to_string()
    };
    if listed(
        &ctx.options::<AuditOptions>().audit_allowed_namespaces,
        &name,
    ) {
        return;
    }
    super::report(
        ctx,
        event,
        format!(
            "{} created namespace {name:?}, which is not on the allowed list",
            super::who(event)
        ),
    );
}
