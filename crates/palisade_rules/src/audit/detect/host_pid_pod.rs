//! AUDIT-D06 host-pid-pod-created: Pod created in the host PID namespace.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates (the request body must be recorded) with `hostPID: true`, as the
    /// scan's PSS002 judges it, unless every container image is on `audit-host-pid-images` (by
    /// default Falco's list). Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// A pod in the host PID namespace sees every process of the node and, with the right
    /// capability, can enter them: a container escape.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D06
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d06-example
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
    ///   spec: {hostPID: true, containers: [{name: sh, image: busybox:1.36}]}
    /// ```
    ///
    /// ## Remediation
    /// Confirm who created the pod and why; enforce Pod Security (baseline or restricted) on
    /// the namespace, and list the images that need it in `audit-host-pid-images`.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create HostPid Pod
    pub static RULE = {
        id: "AUDIT-D06",
        name: "host-pid-pod-created",
        title: "Pod created in the host PID namespace",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1611")],
        remediation: "Confirm the pod was expected; enforce Pod Security on the namespace and allow-list the images that need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let allowed = &ctx.options::<AuditOptions>().audit_host_pid_images;
    super::HOST_NAMESPACES.detect(
        event,
        ctx,
        allowed,
        "/hostPID",
        "a pod in the host PID namespace",
    );
}
