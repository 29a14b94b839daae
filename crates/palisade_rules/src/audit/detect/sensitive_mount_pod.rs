//! AUDIT-D04 sensitive-mount-pod-created: Pod created with a sensitive host path.

use palisade_audit::Event;
use palisade_engine::prelude::*;

use super::ScanCheck;
use super::options::AuditOptions;

declare_rule! {
    /// ## What it does
    /// Reports pod creates (the request body must be recorded) with a hostPath volume of a
    /// sensitive host directory or a container runtime socket, as the scan's POD006 and POD005
    /// judge them (the host root, /proc, /etc, /root, the kubelet's directory and PKI,
    /// /etc/kubernetes, runtime sockets), unless the container image is on `audit-sensitive-
    /// mount-images` (by default Falco's list). Refused attempts are reported too, and say so.
    ///
    /// ## Why is this bad?
    /// Host directories such as `/`, `/etc/kubernetes` or the runtime socket give the pod the
    /// node's credentials, or control of every container on it.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Event # expect: AUDIT-D04
    /// apiVersion: audit.k8s.io/v1
    /// auditID: audit-d04-example
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
    ///   spec:
    ///     containers: [{name: sh, image: busybox:1.36}]
    ///     volumes: [{name: root, hostPath: {path: /}}]
    /// ```
    ///
    /// ## Remediation
    /// Confirm who created the pod and why; enforce Pod Security (baseline or restricted) on
    /// the namespace, and list the images that need it in `audit-sensitive-mount-images`.
    ///
    /// ## References
    /// - Falco k8saudit rules: Create Sensitive Mount Pod
    pub static RULE = {
        id: "AUDIT-D04",
        name: "sensitive-mount-pod-created",
        title: "Pod created with a sensitive host path",
        severity: Medium,
        layer: Cluster,
        frameworks: [Mitre("T1611"), Mitre("MS-TA9013")],
        remediation: "Confirm the pod was expected; enforce Pod Security on the namespace and allow-list the images that need it.",
        inputs: [Audit],
        hook: Hook::Audit(check),
    }
}

/// The scan's rules this detection runs on the pod.
static CHECK: ScanCheck = ScanCheck::new(|| {
    ScanCheck::of(&[
        &crate::pod::sensitive_host_path::RULE,
        &crate::pod::container_runtime_socket::RULE,
    ])
});

fn check(event: &Event, _: &mut AuditState, ctx: &mut SubjectCtx<'_>) {
    let allowed = &ctx.options::<AuditOptions>().audit_sensitive_mount_images;
    CHECK.detect(
        event,
        ctx,
        allowed,
        "",
        "a pod that mounts sensitive host paths",
    );
}
