//! POD001 read-only-root-filesystem.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags init and regular containers that do not set
    /// `securityContext.readOnlyRootFilesystem: true`. Windows pods are skipped (the setting is
    /// not supported there).
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an attacker who gets code execution drop tools, modify
    /// binaries and persist inside the container. Immutable containers also surface hidden
    /// writes that belong in a volume.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example.com/api:1.0
    ///         securityContext:
    ///           readOnlyRootFilesystem: false # expect: POD001
    /// ```
    ///
    /// ## Remediation
    /// Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the
    /// application needs to write (for example `/tmp`).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance: immutable container filesystems (C-0017)
    /// - Kubernetes: Configure a Security Context for a Pod or Container
    pub static RULE = {
        id: "POD001",
        name: "read-only-root-filesystem",
        title: "Writable root filesystem",
        severity: Medium,
        layer: Container,
        frameworks: [Nsa("C-0017"), Mitre("T1525")],
        remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the application writes.",
        fix: Unsafe("an application that writes outside its volumes (temporary files, caches, PID files) fails once its root filesystem is read-only; mount an emptyDir where it writes"),
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod.is_windows() {
        return;
    }
    for c in super::app_containers(pod) {
        let value = c.security_context(&["readOnlyRootFilesystem"]);
        if value.and_then(|v| v.as_bool()) != Some(true) {
            let found = match value.and_then(|v| v.as_bool()) {
                Some(false) => "sets securityContext.readOnlyRootFilesystem to false",
                _ => "does not set securityContext.readOnlyRootFilesystem to true",
            };
            ctx.report_container(
                c,
                "securityContext/readOnlyRootFilesystem",
                format!("container {:?} {found}", c.name),
            );
            ctx.fix(Fix::set(
                c.ptr("securityContext/readOnlyRootFilesystem"),
                "true",
            ));
        }
    }
}
