//! AUDIT-D07 host-ipc-pod-created: Pod created in the host IPC namespace.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates (the request body must be recorded) with `hostIPC: true`, as the
    /// scan's PSS002 judges it, unless every container image is on `audit-host-ipc-images` (by
    /// default Falco's list). Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// A pod in the host IPC namespace can read and write the shared memory of every process on
    /// the node.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D07
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d07-example
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
    ///   spec: {hostIPC: true, containers: [{name: sh, image: busybox:1.36}]}
    /// ```
    ///
    /// ## Remediation
    /// Confirm who created the pod and why; enforce Pod Security (baseline or restricted) on
    /// the namespace, and list the images that need it in `audit-host-ipc-images`.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create HostIPC Pod
    pub static RULE = {
        id: "AUDIT-D07",
        name: "host-ipc-pod-created",
        title: "Pod created in the host IPC namespace",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1611")],
        remediation: "Confirm the pod was expected; enforce Pod Security on the namespace and allow-list the images that need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let allowed = &ctx.options::<AuditOptions>().audit_host_ipc_images;
    super::HOST_NAMESPACES.detect(
        event,
        ctx,
        allowed,
        "/hostIPC",
        "a pod in the host IPC namespace",
    );
}
