//! PSS008 selinux-options (baseline `seLinuxOptions`).

use palisade_engine::prelude::*;

use super::{q, text};

declare_rule! {
    /// ## What it does
    /// Flags `seLinuxOptions` on the pod or a container that set a custom SELinux `user` or
    /// `role`, or a `type` other than `container_t`, `container_init_t`, `container_kvm_t`
    /// (and, from policy v1.31, `container_engine_t`).
    ///
    /// ## Why is this bad?
    /// A custom SELinux type such as `spc_t` ("super privileged container") or `unconfined_t`
    /// removes the SELinux confinement that stops a compromised container from touching host
    /// files and other containers.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   securityContext:
    ///     seLinuxOptions:
    ///       type: spc_t # expect: PSS008
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Remove `seLinuxOptions.user` and `.role`, and remove `.type` or use one of the allowed
    /// container types.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: SELinux
    pub static RULE = {
        id: "PSS008",
        name: "selinux-options",
        title: "Custom SELinux options",
        severity: Medium,
        layer: Container,
        frameworks: [pss_baseline("seLinuxOptions"), Nsa("C-0055")],
        remediation: "Remove seLinuxOptions.user and .role; leave .type unset or use container_t, container_init_t or container_kvm_t.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn allowed_type(t: &str, minor: u32) -> bool {
    matches!(
        t,
        "" | "container_t" | "container_init_t" | "container_kvm_t"
    ) || (minor >= 31 && t == "container_engine_t")
}

fn check_options(
    opts: NodeRef<'_, '_>,
    who: &str,
    base: &str,
    minor: u32,
    mut report: impl FnMut(String, String),
) {
    let t = text(opts.get("type"));
    if !allowed_type(&t, minor) {
        report(
            format!("{base}/type"),
            format!(
                "{who} sets securityContext.seLinuxOptions.type to {}",
                q(&t)
            ),
        );
    }
    for field in ["user", "role"] {
        let v = text(opts.get(field));
        if !v.is_empty() {
            report(
                format!("{base}/{field}"),
                format!(
                    "{who} sets securityContext.seLinuxOptions.{field} to {}",
                    q(&v)
                ),
            );
        }
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let minor = ctx.pss_minor;
    if let Some(opts) = pod
        .security_context(&["seLinuxOptions"])
        .filter(|o| !o.is_null())
    {
        let base = pod.ptr("securityContext/seLinuxOptions");
        check_options(opts, "pod", &base, minor, |p, m| ctx.report(p, m));
    }
    for c in pod.containers() {
        if let Some(opts) = c
            .security_context(&["seLinuxOptions"])
            .filter(|o| !o.is_null())
        {
            let who = format!("container {:?}", c.name);
            check_options(
                opts,
                &who,
                "securityContext/seLinuxOptions",
                minor,
                |p, m| ctx.report_container(c, &p, m),
            );
        }
    }
}
