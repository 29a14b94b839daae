//! PSS009 proc-mount (baseline `procMount`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers that set `securityContext.procMount` to anything but `Default`. From
    /// policy v1.35 the baseline level allows any value when the pod runs in a user namespace
    /// (`hostUsers: false`); the restricted level does not (see PSS019).
    ///
    /// ## Why is this bad?
    /// `Unmasked` removes the masks over sensitive parts of `/proc` (such as `/proc/kcore` and
    /// `/proc/sysrq-trigger`) that keep a container from reading kernel memory or triggering
    /// host-wide actions.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///   - name: builder
    ///     image: example.com/builder:1.0
    ///     securityContext:
    ///       procMount: Unmasked # expect: PSS009
    /// ```
    ///
    /// ## Remediation
    /// Remove `procMount` or set it to `Default`; nested container builds should run with
    /// `hostUsers: false`.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: /proc Mount Type
    pub static RULE = {
        id: "PSS009",
        name: "proc-mount",
        title: "Unmasked /proc mount",
        severity: Medium,
        layer: Container,
        frameworks: [pss_baseline("procMount")],
        remediation: "Remove securityContext.procMount or set it to Default.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if super::user_namespace_relaxed(pod, ctx.pss_minor) {
        return;
    }
    report_unmasked(pod, ctx);
}

/// Shared with the restricted variant, which has no user-namespace relaxation.
pub(crate) fn report_unmasked(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        let Some(mount) = c.security_context(&["procMount"]).filter(|m| !m.is_null()) else {
            continue;
        };
        let value = super::text(Some(mount));
        if value != "Default" {
            ctx.report_container(
                c,
                "securityContext/procMount",
                format!(
                    "container {:?} sets securityContext.procMount to {}",
                    c.name,
                    super::q(&value)
                ),
            );
        }
    }
}
