//! POD003 missing-resource-requests.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags init and regular containers without `resources.requests.cpu` or
    /// `resources.requests.memory`.
    ///
    /// ## Why is this bad?
    /// Requests are what the scheduler reserves. Without them pods land on nodes that cannot
    /// hold them and are the first to be evicted under pressure; capacity planning and quota
    /// enforcement also depend on them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: worker
    /// spec:
    ///   containers:
    ///   - name: worker # expect: POD003
    ///     image: example.com/worker:1.0
    /// ```
    ///
    /// ## Remediation
    /// Set `resources.requests.cpu` and `resources.requests.memory` on every container.
    ///
    /// ## References
    /// - Kubernetes: Resource Management for Pods and Containers
    pub static RULE = {
        id: "POD003",
        name: "missing-resource-requests",
        title: "Container without CPU or memory requests",
        severity: Low,
        layer: Container,
        frameworks: [],
        remediation: "Set resources.requests.cpu and resources.requests.memory on every container.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    super::missing_resource_limits::report_missing(pod, ctx, "requests");
}
