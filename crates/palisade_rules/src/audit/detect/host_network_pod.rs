//! AUDIT-D05 host-network-pod-created: Pod created in the host network.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates (the request body must be recorded) with `hostNetwork: true`, as the
    /// scan's PSS002 judges it, unless every container image is on `audit-host-network-images`
    /// (by default Falco's list). Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// A pod in the host network sees every interface of the node, can bind its ports and reach
    /// services that trust the node's address, past NetworkPolicies.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D05
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d05-example
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
    ///   spec: {hostNetwork: true, containers: [{name: web, image: nginx:1.27}]}
    /// ```
    ///
    /// ## Remediation
    /// Confirm who created the pod and why; enforce Pod Security (baseline or restricted) on
    /// the namespace, and list the images that need it in `audit-host-network-images`.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create HostNetwork Pod
    pub static RULE = {
        id: "AUDIT-D05",
        name: "host-network-pod-created",
        title: "Pod created in the host network",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1611")],
        remediation: "Confirm the pod was expected; enforce Pod Security on the namespace and allow-list the images that need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let allowed = &ctx.options::<AuditOptions>().audit_host_network_images;
    super::HOST_NAMESPACES.detect(
        event,
        ctx,
        allowed,
        "/hostNetwork",
        "a pod in the host network",
    );
}
