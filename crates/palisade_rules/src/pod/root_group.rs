//! POD013 root-group.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags group id 0 (root) in a pod: `runAsGroup: 0` on the pod or a container,
    /// `fsGroup: 0`, or `0` in `supplementalGroups`. The Pod Security Standards list this
    /// "non-root groups" control as optional; Pod Security Admission does not enforce it.
    ///
    /// ## Why is this bad?
    /// Files owned by group root are often group-writable on the host and in images; a process
    /// in group 0 can read or modify them after an escape or through shared volumes.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   securityContext:
    ///     runAsUser: 1000
    ///     fsGroup: 0 # expect: POD013
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Use a non-zero group id for `runAsGroup`, `fsGroup` and `supplementalGroups`.
    ///
    /// ## References
    /// - Pod Security Standards: Non-root groups (optional control)
    pub static RULE = {
        id: "POD013",
        name: "root-group",
        title: "Runs with the root group",
        severity: Low,
        layer: Container,
        frameworks: [],
        remediation: "Use non-zero group ids for runAsGroup, fsGroup and supplementalGroups.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for field in ["runAsGroup", "fsGroup"] {
        if pod.security_context(&[field]).and_then(|n| n.as_i64()) == Some(0) {
            ctx.report(
                pod.ptr(&format!("securityContext/{field}")),
                format!("pod sets securityContext.{field} to 0"),
            );
        }
    }
    if let Some(groups) = pod.security_context(&["supplementalGroups"]) {
        for (i, g) in groups.items().enumerate() {
            if g.as_i64() == Some(0) {
                ctx.report(
                    pod.ptr(&format!("securityContext/supplementalGroups/{i}")),
                    "pod lists group 0 in securityContext.supplementalGroups",
                );
            }
        }
    }
    for c in pod.containers() {
        if c.security_context(&["runAsGroup"]).and_then(|n| n.as_i64()) == Some(0) {
            ctx.report_container(
                c,
                "securityContext/runAsGroup",
                format!(
                    "container {:?} sets securityContext.runAsGroup to 0",
                    c.name
                ),
            );
        }
    }
}
