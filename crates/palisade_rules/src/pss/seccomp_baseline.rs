//! PSS010 seccomp-profile-baseline (baseline `seccompProfile_baseline`).

use palisade_engine::prelude::*;

use super::{q, text, valid_seccomp_type};

declare_rule! {
    /// ## What it does
    /// Flags seccomp profiles that disable seccomp. From policy v1.19: a
    /// `seccompProfile.type` on the pod or a container other than `RuntimeDefault` or
    /// `Localhost` (a `seccompProfile` without a type counts as a bad value). Before v1.19 the
    /// policy reads the annotations `seccomp.security.alpha.kubernetes.io/pod` and
    /// `container.seccomp.security.alpha.kubernetes.io/<container>`, which must be
    /// `runtime/default`, `docker/default` or `localhost/*`.
    ///
    /// ## Why is this bad?
    /// `Unconfined` lets the container call every system call, including the ones behind most
    /// kernel privilege-escalation exploits.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: Unconfined # expect: PSS010
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Set `seccompProfile.type: RuntimeDefault` (or a `Localhost` profile), or remove the
    /// override.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Seccomp
    /// - CIS Kubernetes Benchmark 5.6.2
    pub static RULE = {
        id: "PSS010",
        name: "seccomp-profile-baseline",
        title: "Seccomp disabled",
        severity: Medium,
        layer: Container,
        frameworks: [pss_baseline("seccompProfile_baseline"), Cis("5.6.2")],
        remediation: "Set seccompProfile.type to RuntimeDefault or Localhost, or remove the override.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn valid_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if ctx.pss_minor < 19 {
        check_annotations(pod, ctx);
    } else {
        check_fields(pod, ctx);
    }
}

fn check_annotations(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let names: Vec<String> = pod
        .containers()
        .iter()
        .map(|c| format!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name))
        .collect();
    for (key, value) in pod.annotations() {
        if key == POD_ANNOTATION || names.iter().any(|n| n == key) {
            let v = text(Some(value));
            if !valid_annotation(&v) {
                ctx.report(
                    format!(
                        "{}/annotations/{}",
                        pod.metadata_pointer,
                        escape_pointer_segment(key)
                    ),
                    format!("annotation {key}={} disables seccomp", q(&v)),
                );
            }
        }
    }
}

fn check_fields(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if let Some(profile) = pod
        .security_context(&["seccompProfile"])
        .filter(|p| !p.is_null())
    {
        let t = text(profile.get("type"));
        if !valid_seccomp_type(&t) {
            ctx.report(
                pod.ptr("securityContext/seccompProfile/type"),
                format!("pod sets securityContext.seccompProfile.type to {}", q(&t)),
            );
        }
    }
    for c in pod.containers() {
        if let Some(profile) = c
            .security_context(&["seccompProfile"])
            .filter(|p| !p.is_null())
        {
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
            }
        }
    }
}
