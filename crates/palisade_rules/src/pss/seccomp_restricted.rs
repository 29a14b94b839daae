//! PSS017 seccomp-profile-required (restricted `seccompProfile_restricted`).

use palisade_engine::prelude::*;

use super::{q, text, valid_seccomp_type};

declare_rule! {
    /// ## What it does
    /// From policy v1.19, requires a seccomp profile: `seccompProfile.type` must be
    /// `RuntimeDefault` or `Localhost` on the pod (containers may then leave it unset) or on
    /// every container, and no pod or container may set another type. It replaces the baseline
    /// seccomp check (PSS010) at the restricted level. From v1.25 Windows pods are exempt.
    ///
    /// ## Why is this bad?
    /// Without a profile most runtimes run the container unconfined, with every system call
    /// available to an attacker.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   containers:
    ///   - name: app # expect: PSS017
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Set `spec.securityContext.seccompProfile.type: RuntimeDefault`.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Seccomp (v1.19+)
    /// - CIS Kubernetes Benchmark 5.6.2
    pub static RULE = {
        id: "PSS017",
        name: "seccomp-profile-required",
        title: "Seccomp profile not set",
        severity: Medium,
        layer: Container,
        frameworks: [pss_restricted("seccompProfile_restricted"), Cis("5.6.2")],
        remediation: "Set spec.securityContext.seccompProfile.type: RuntimeDefault.",
        fix: Unsafe("the runtime's default seccomp profile blocks rarely used system calls (for example unshare, keyctl, ptrace), which some applications and debugging tools need"),
        pss: PssGate { since_minor: 19, overrides: &[PssOverride { check: "seccompProfile_baseline", since_minor: 19 }] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if super::windows_exempt(pod, ctx.pss_minor) {
        return;
    }
    let mut pod_set = false;
    if let Some(profile) = pod
        .security_context(&["seccompProfile"])
        .filter(|p| !p.is_null())
    {
        let t = text(profile.get("type"));
        if valid_seccomp_type(&t) {
            pod_set = true;
        } else {
            ctx.report(
                pod.ptr("securityContext/seccompProfile/type"),
                format!("pod sets securityContext.seccompProfile.type to {}", q(&t)),
            );
            ctx.fix(runtime_default(
                pod.ptr("securityContext/seccompProfile/type"),
            ));
        }
    }
    for c in pod.containers() {
        match c
            .security_context(&["seccompProfile"])
            .filter(|p| !p.is_null())
        {
            Some(profile) => {
                let t = text(profile.get("type"));
                if !valid_seccomp_type(&t) {
                    ctx.report_container(
                        c,
                        "securityContext/seccompProfile/type",
                        format!(
                            "container {:?} sets securityContext.seccompProfile.type to {}",
                            c.name,
                            q(&t)
                        ),
                    );
                    ctx.fix(runtime_default(
                        c.ptr("securityContext/seccompProfile/type"),
                    ));
                }
            }
            None if pod_set => {}
            None => {
                ctx.report_container(
                    c,
                    "securityContext/seccompProfile/type",
                    format!(
                        "neither the pod nor container {:?} sets securityContext.seccompProfile.type to RuntimeDefault or Localhost",
                        c.name
                    ),
                );
                // Once at the pod level covers every container.
                ctx.fix(runtime_default(
                    pod.ptr("securityContext/seccompProfile/type"),
                ));
            }
        }
    }
}

/// The container runtime's default profile: what `Unconfined` or no profile should become.
fn runtime_default(pointer: String) -> Fix {
    Fix::set(pointer, "RuntimeDefault")
}
