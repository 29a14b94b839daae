//! POD002 missing-resource-limits.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags init and regular containers without `resources.limits.cpu` or
    /// `resources.limits.memory`.
    ///
    /// ## Why is this bad?
    /// Without limits one compromised or runaway container can starve every other workload on
    /// its node of CPU or memory: a denial of service that needs no privileges.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///   - name: worker
    ///     image: example.com/worker:1.0
    ///     resources:
    ///       limits: # expect: POD002
    ///         memory: 512Mi
    /// ```
    ///
    /// ## Remediation
    /// Set `resources.limits.cpu` and `resources.limits.memory` on every container (or give the
    /// namespace a LimitRange with defaults).
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guidance: resource policies (C-0270, C-0271)
    /// - Kubernetes: Resource Management for Pods and Containers
    pub static RULE = {
        id: "POD002",
        name: "missing-resource-limits",
        title: "Container without CPU or memory limits",
        severity: Medium,
        layer: Container,
        frameworks: [Nsa("C-0270"), Nsa("C-0271"), Mitre("T1499")],
        remediation: "Set resources.limits.cpu and resources.limits.memory on every container.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    report_missing(pod, ctx, "limits");
}

/// Shared with POD003: which of `resources.<section>.cpu/memory` a container lacks.
pub(crate) fn report_missing(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>, section: &str) {
    for c in super::app_containers(pod) {
        let set = c.node.path(&["resources", section]);
        let missing: Vec<&str> = ["cpu", "memory"]
            .into_iter()
            .filter(|r| set.and_then(|s| s.get_some(r)).is_none())
            .collect();
        if !missing.is_empty() {
            ctx.report_container(
                c,
                &format!("resources/{section}"),
                format!(
                    "container {:?} sets no {section} for {}",
                    c.name,
                    missing.join(" or ")
                ),
            );
        }
    }
}
