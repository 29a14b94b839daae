//! PSS007 apparmor-profile (baseline `appArmorProfile`).

use palisade_engine::prelude::*;

use super::{q, text};

declare_rule! {
    /// ## What it does
    /// Flags AppArmor profiles other than the runtime default or a node-local profile: an
    /// `appArmorProfile.type` on the pod or a container other than `RuntimeDefault` or
    /// `Localhost` (an `appArmorProfile` without a type counts as a bad value, as upstream reads
    /// it), and `container.apparmor.security.beta.kubernetes.io/*` annotations other than
    /// `runtime/default`, `localhost/*` or empty.
    ///
    /// ## Why is this bad?
    /// `Unconfined` switches off the mandatory access control that limits what a compromised
    /// process can do on the node.
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
    ///       appArmorProfile:
    ///         type: Unconfined # expect: PSS007
    /// ```
    ///
    /// ## Remediation
    /// Remove the override or use `type: RuntimeDefault` (or a `Localhost` profile).
    ///
    /// ## References
    /// - Pod Security Standards, baseline: AppArmor
    /// - Kubernetes: Restrict a Container's Access to Resources with AppArmor
    pub static RULE = {
        id: "PSS007",
        name: "apparmor-profile",
        title: "AppArmor profile disabled or overridden",
        severity: Medium,
        layer: Container,
        frameworks: [pss_baseline("appArmorProfile"), Nsa("C-0055")],
        remediation: "Remove the AppArmor override or set appArmorProfile.type to RuntimeDefault or Localhost.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

fn allowed_annotation(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if let Some(profile) = pod
        .security_context(&["appArmorProfile"])
        .filter(|p| !p.is_null())
    {
        let t = text(profile.get("type"));
        if !allowed_type(&t) {
            ctx.report(
                pod.ptr("securityContext/appArmorProfile/type"),
                format!("pod sets securityContext.appArmorProfile.type to {}", q(&t)),
            );
        }
    }
    for c in pod.containers() {
        if let Some(profile) = c
            .security_context(&["appArmorProfile"])
            .filter(|p| !p.is_null())
        {
            let t = text(profile.get("type"));
            if !allowed_type(&t) {
                ctx.report_container(
                    c,
                    "securityContext/appArmorProfile/type",
                    format!(
                        "container {:?} sets securityContext.appArmorProfile.type to {}",
                        c.name,
                        q(&t)
                    ),
                );
            }
        }
    }
    for (key, value) in pod.annotations() {
        if key.starts_with(ANNOTATION_PREFIX) {
            let v = text(Some(value));
            if !allowed_annotation(&v) {
                ctx.report(
                    format!(
                        "{}/annotations/{}",
                        pod.metadata_pointer,
                        escape_pointer_segment(key)
                    ),
                    format!(
                        "annotation {key}={} sets a forbidden AppArmor profile",
                        q(&v)
                    ),
                );
            }
        }
    }
}
