//! AUDIT-D03 privileged-pod-created: Privileged pod created.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::ScanCheck;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates (the request body must be recorded) with a container (init and
    /// ephemeral ones included) with `securityContext.privileged: true`, as the scan's PSS003
    /// judges it, unless the container image is on `audit-privileged-images` (by default
    /// Falco's list). Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability and every device of the node: it is root on
    /// the node, and the first step of most container escapes.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D03
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d03-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/shop/pods
    /// user: {username: alice}
    /// objectRef: {resource: pods, namespace: shop, name: debug, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: Pod
    ///   apiVersion: v1
    ///   metadata: {name: debug, namespace: shop}
    ///   spec: {containers: [{name: web, image: nginx:1.27, securityContext: {privileged: true}}]}
    /// ```
    ///
    /// ## Remediation
    /// Confirm who created the pod and why; enforce Pod Security (baseline or restricted) on
    /// the namespace, and list the images that need it in `audit-privileged-images`.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create Privileged Pod
    pub static RULE = {
        id: "AUDIT-D03",
        name: "privileged-pod-created",
        title: "Privileged pod created",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1610"), Mitre("T1611"), Mitre("MS-TA9018")],
        remediation: "Confirm the pod was expected; enforce Pod Security on the namespace and allow-list the images that need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

/// The scan's rules this detection runs on the pod.
static CHECK: ScanCheck = ScanCheck::new(|| ScanCheck::of(&[&crate::pss::privileged::RULE]));

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let allowed = &ctx.options::<AuditOptions>().audit_privileged_images;
    CHECK.detect(event, ctx, allowed, "", "a privileged pod");
}
