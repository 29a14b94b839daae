//! PSS016 run-as-root-user (restricted `runAsUser`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// From policy v1.23, flags `runAsUser: 0` on the pod or any container. From v1.35 pods in
    /// a user namespace (`hostUsers: false`) are exempt.
    ///
    /// ## Why is this bad?
    /// User id 0 is root. `runAsNonRoot` cannot protect a pod that explicitly asks for root.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    ///     securityContext:
    ///       runAsUser: 0 # expect: PSS016
    /// ```
    ///
    /// ## Remediation
    /// Set `runAsUser` to a non-zero user id, or remove it and rely on the image's non-root
    /// `USER`.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Running as Non-root user (v1.23+)
    /// - CIS Kubernetes Benchmark 5.2.7
    pub static RULE = {
        id: "PSS016",
        name: "run-as-root-user",
        title: "Runs as user id 0",
        severity: Medium,
        layer: Container,
        frameworks: [pss_restricted("runAsUser"), Cis("5.2.7"), Nsa("C-0013")],
        remediation: "Set runAsUser to a non-zero user id or remove it.",
        pss: PssGate { since_minor: 23, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if super::user_namespace_relaxed(pod, ctx.pss_minor) {
        return;
    }
    if pod
        .security_context(&["runAsUser"])
        .and_then(|n| n.as_i64())
        == Some(0)
    {
        ctx.report(
            pod.ptr("securityContext/runAsUser"),
            "pod sets securityContext.runAsUser to 0",
        );
    }
    for c in pod.containers() {
        if c.security_context(&["runAsUser"]).and_then(|n| n.as_i64()) == Some(0) {
            ctx.report_container(
                c,
                "securityContext/runAsUser",
                format!("container {:?} sets securityContext.runAsUser to 0", c.name),
            );
        }
    }
}
