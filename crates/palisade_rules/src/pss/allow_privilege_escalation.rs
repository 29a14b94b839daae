//! PSS014 privilege-escalation-allowed (restricted `allowPrivilegeEscalation`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// From policy v1.8, requires every container to set
    /// `securityContext.allowPrivilegeEscalation: false` explicitly. From v1.25 Windows pods
    /// (`spec.os.name: windows`) are exempt.
    ///
    /// ## Why is this bad?
    /// Unless it is set to `false`, a process in the container can gain more privileges than its
    /// parent, through set-user-ID binaries or file capabilities.
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
    ///       allowPrivilegeEscalation: true # expect: PSS014
    /// ```
    ///
    /// ## Remediation
    /// Set `securityContext.allowPrivilegeEscalation: false` on every container.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Privilege Escalation
    /// - CIS Kubernetes Benchmark 5.2.6
    pub static RULE = {
        id: "PSS014",
        name: "privilege-escalation-allowed",
        title: "Privilege escalation not disabled",
        severity: High,
        layer: Container,
        frameworks: [pss_restricted("allowPrivilegeEscalation"), Cis("5.2.6"), Nsa("C-0016"), Mitre("T1548")],
        remediation: "Set securityContext.allowPrivilegeEscalation: false on every container.",
        fix: Unsafe("set-user-ID programs (sudo, su, ping on some images) and binaries with file capabilities no longer gain privileges when the container runs them"),
        pss: PssGate { since_minor: 8, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if super::windows_exempt(pod, ctx.pss_minor) {
        return;
    }
    for c in pod.containers() {
        let value = c.security_context(&["allowPrivilegeEscalation"]);
        if value.and_then(|v| v.as_bool()) != Some(false) {
            let found = if value.is_some_and(|v| !v.is_null()) {
                format!(
                    "sets securityContext.allowPrivilegeEscalation to {}",
                    super::shown(value)
                )
            } else {
                "does not set securityContext.allowPrivilegeEscalation to false".to_string()
            };
            ctx.report_container(
                c,
                "securityContext/allowPrivilegeEscalation",
                format!("container {:?} {found}", c.name),
            );
            ctx.fix(Fix::set(
                c.ptr("securityContext/allowPrivilegeEscalation"),
                "false",
            ));
        }
    }
}
