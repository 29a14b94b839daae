//! POD019 runtime-class.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags workloads that set no `runtimeClassName`, so they run in the node's default
    /// container runtime rather than a sandboxed one (gVisor, Kata Containers). This rule is
    /// opt-in: select it by id or name for clusters that run untrusted or multi-tenant
    /// workloads.
    ///
    /// ## Why is this bad?
    /// Containers of the default runtime share the node's kernel: one kernel exploit from a
    /// compromised container reaches the node and every other pod on it. A sandboxed runtime
    /// puts another kernel (or a virtual machine) in between.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: tenant-job
    ///   namespace: tenant-a
    /// spec:
    ///   template:
    ///     spec: # expect: POD019
    ///       containers:
    ///       - name: job
    ///         image: example.com/tenant/job:1.0
    /// ```
    ///
    /// ## Remediation
    /// Create a RuntimeClass for a sandboxed runtime installed on the nodes (for example
    /// `gvisor` with handler `runsc`) and set `runtimeClassName` on untrusted workloads.
    ///
    /// ## References
    /// - Kubernetes: Runtime Class
    /// - kubescape C-0297 Verify that untrusted workloads use sandboxed runtimes
    pub static RULE = {
        id: "POD019",
        name: "runtime-class",
        title: "Workload without a sandboxed runtime class",
        severity: Info,
        layer: Container,
        frameworks: [],
        remediation: "Set runtimeClassName to a sandboxed runtime (such as gVisor) on untrusted workloads.",
        status: Preview,
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod
        .spec
        .get("runtimeClassName")
        .and_then(|r| r.as_str())
        .is_none_or(str::is_empty)
    {
        ctx.report(
            pod.pointer.clone(),
            "the pod sets no runtimeClassName, so it shares the node's kernel",
        );
    }
}
