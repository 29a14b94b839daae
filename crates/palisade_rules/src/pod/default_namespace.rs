//! POD014 default-namespace.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags workloads (objects with a pod spec) whose `metadata.namespace` is `default`.
    /// Objects without a namespace are not flagged: where they land depends on how they are
    /// applied.
    ///
    /// ## Why is this bad?
    /// Namespaces are the unit of RBAC, network policy, quotas and Pod Security admission.
    /// Everything in `default` shares one set of those controls, which is rarely hardened and
    /// often widely accessible.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    ///   namespace: default # expect: POD014
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example.com/api:1.0
    /// ```
    ///
    /// ## Remediation
    /// Deploy the workload into a dedicated namespace with its own RBAC, network policies and
    /// Pod Security level.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.6.4: The default namespace should not be used
    pub static RULE = {
        id: "POD014",
        name: "default-namespace",
        title: "Workload in the default namespace",
        severity: Low,
        layer: Cluster,
        frameworks: [Cis("5.6.4")],
        remediation: "Deploy the workload into a dedicated namespace.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod.namespace == Some("default") {
        ctx.report(
            "/metadata/namespace",
            format!("{} runs in the default namespace", pod.kind),
        );
    }
}
