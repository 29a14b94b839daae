//! POD017 required-labels.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags workloads whose `metadata.labels` lack a required label. The labels come from
    /// `palisade.toml` (`[rule-options] required-labels`); by default
    /// `app.kubernetes.io/name` and `app.kubernetes.io/instance`.
    ///
    /// ## Why is this bad?
    /// Labels are how owners, NetworkPolicies, monitoring and incident response find a
    /// workload. An unlabelled workload is hard to attribute and easy to leave out of a policy.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata: # expect: POD017
    ///   name: api
    /// spec:
    ///   template:
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example.com/api:1.0
    /// ```
    ///
    /// ## Remediation
    /// Add the labels, for example `app.kubernetes.io/name` and `app.kubernetes.io/instance`.
    ///
    /// ## References
    /// - Kubernetes: Recommended Labels
    /// - kubescape C-0076 Label usage for resources
    pub static RULE = {
        id: "POD017",
        name: "required-labels",
        title: "Workload without required labels",
        severity: Info,
        layer: Container,
        frameworks: [],
        remediation: "Add the required labels to the workload's metadata.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let labels = pod.object.path(&["metadata", "labels"]);
    let missing: Vec<&str> = ctx
        .options::<super::options::PodOptions>()
        .required_labels()
        .into_iter()
        .filter(|l| labels.and_then(|m| m.get(l)).is_none())
        .collect();
    if !missing.is_empty() {
        let text = missing.join(", ");
        ctx.report(
            "/metadata/labels",
            format!("{} has no {text} label", pod.kind),
        );
    }
}
