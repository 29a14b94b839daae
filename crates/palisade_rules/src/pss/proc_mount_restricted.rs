//! PSS019 proc-mount-restricted (restricted `procMount_restricted`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// From policy v1.35, the restricted level requires `securityContext.procMount` to be unset
    /// or `Default` on every container, even in a user namespace (`hostUsers: false`). It
    /// replaces the baseline check PSS009 at the restricted level.
    ///
    /// ## Why is this bad?
    /// An unmasked `/proc` exposes kernel interfaces; a user namespace narrows the damage but
    /// the restricted profile does not rely on it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   hostUsers: false
    ///   containers:
    ///   - name: builder
    ///     image: example.com/builder:1.0
    ///     securityContext:
    ///       procMount: Unmasked # expect: PSS019
    /// ```
    ///
    /// ## Remediation
    /// Remove `procMount` or set it to `Default`.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: /proc Mount Type (v1.35+)
    pub static RULE = {
        id: "PSS019",
        name: "proc-mount-restricted",
        title: "Unmasked /proc mount (restricted)",
        severity: Medium,
        layer: Container,
        frameworks: [pss_restricted("procMount_restricted")],
        remediation: "Remove securityContext.procMount or set it to Default.",
        pss: PssGate { since_minor: 35, overrides: &[PssOverride { check: "procMount", since_minor: 35 }] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    super::proc_mount::report_unmasked(pod, ctx);
}
