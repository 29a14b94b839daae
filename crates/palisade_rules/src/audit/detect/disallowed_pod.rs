//! AUDIT-D02 disallowed-image-pod: Pod created with an image not on the allowed list.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates (the request body must be recorded) with a container (init and
    /// ephemeral ones included) whose image is not on `audit-allowed-images`. The list is empty
    /// by default, which turns the detection off, as Falco ships it.
    ///
    /// ## Why is this bad?
    /// Where every image should come from known repositories, a pod running anything else is a
    /// new container an attacker deployed, or a supply-chain gap.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D02
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d02-example
    /// stage: ResponseComplete
    /// verb: create
    /// requestURI: /api/v1/namespaces/shop/pods
    /// user: {username: alice}
    /// objectRef: {resource: pods, namespace: shop, name: miner, apiVersion: v1}
    /// responseStatus: {code: 201}
    /// requestObject:
    ///   kind: Pod
    ///   metadata: {name: miner, namespace: shop}
    ///   spec: {containers: [{name: c, image: evil.example/xmrig:latest}]}
    /// # audit-allowed-images: registry.example.com/
    /// ```
    ///
    /// ## Remediation
    /// List the repositories (or prefixes ending in `/`) your pods may use in `audit-allowed-
    /// images`, and enforce the same list at admission (IMG rules).
    ///
    /// ## References
    /// - Falco k8saudit rules: Create Disallowed Pod
    /// - Microsoft Threat Matrix for Kubernetes: New container (MS-TA9008)
    pub static RULE = {
        id: "AUDIT-D02",
        name: "disallowed-image-pod",
        title: "Pod created with an image not on the allowed list",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1610"), Mitre("MS-TA9008")],
        remediation: "Run only images from the repositories in audit-allowed-images; enforce the list at admission too.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    if !super::creates(event, "pods") {
        return;
    }
    let allowed = &ctx.options::<AuditOptions>().audit_allowed_images;
    if allowed.is_empty() {
        return;
    }
    ctx.applicable();
    super::report_unlisted_images(ctx, event, allowed, "not on the allowed list");
}
