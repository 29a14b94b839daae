//! POD016 missing-probes.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers of long-running workloads without a `readinessProbe` or a
    /// `livenessProbe`. Jobs, CronJobs and pods with `restartPolicy` other than `Always` run to
    /// completion and are skipped, as are init and ephemeral containers.
    ///
    /// ## Why is this bad?
    /// Without probes, Kubernetes sends traffic to containers that are not ready and keeps
    /// hung ones running: availability, which is part of security, depends on them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: api # expect: POD016
    ///         image: example.com/api:1.0
    ///         readinessProbe:
    ///           httpGet: {path: /ready, port: 8080}
    /// ```
    ///
    /// ## Remediation
    /// Add a `readinessProbe` and a `livenessProbe` that check the application's own health.
    ///
    /// ## References
    /// - Kubernetes: Configure Liveness, Readiness and Startup Probes
    pub static RULE = {
        id: "POD016",
        name: "missing-probes",
        title: "Container without readiness or liveness probe",
        severity: Info,
        layer: Container,
        frameworks: [],
        remediation: "Add a readinessProbe and a livenessProbe.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod.runs_to_completion() {
        return;
    }
    for c in pod
        .containers()
        .iter()
        .filter(|c| c.kind == palisade_model::ContainerKind::Regular)
    {
        let missing: Vec<&str> = ["readinessProbe", "livenessProbe"]
            .into_iter()
            .filter(|p| c.node.get_some(p).is_none())
            .collect();
        if !missing.is_empty() {
            ctx.report_container(
                c,
                missing[0],
                format!("container {:?} has no {}", c.name, missing.join(" or ")),
            );
        }
    }
}
