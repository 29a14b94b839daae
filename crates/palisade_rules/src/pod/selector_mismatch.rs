//! POD024 selector-mismatch.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Deployments, StatefulSets, DaemonSets and ReplicaSets whose
    /// `spec.selector.matchLabels` are not all present, with the same values, in the pod
    /// template's labels.
    ///
    /// ## Why is this bad?
    /// The API server rejects such a workload, so the manifest cannot be applied as written; a
    /// near miss that does apply (after a later edit) can make the controller adopt or orphan
    /// pods it was not meant to manage.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: apps/v1
    /// kind: Deployment
    /// metadata:
    ///   name: api
    /// spec:
    ///   selector: # expect: POD024
    ///     matchLabels: {app: api}
    ///   template:
    ///     metadata:
    ///       labels: {app: web}
    ///     spec:
    ///       containers:
    ///       - name: api
    ///         image: example.com/api:1.0
    /// ```
    ///
    /// ## Remediation
    /// Make the selector's labels a subset of the template's labels.
    ///
    /// ## References
    /// - kubescape C-0296 Mismatched selectors
    /// - Kubernetes: Deployments, selector
    pub static RULE = {
        id: "POD024",
        name: "selector-mismatch",
        title: "Selector does not match the pod template",
        severity: Low,
        layer: Container,
        frameworks: [],
        remediation: "Make spec.selector.matchLabels a subset of the pod template's labels.",
        hook: Hook::Pod(check),
    }
}

const KINDS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if !KINDS.contains(&pod.kind.as_str()) {
        ctx.not_applicable();
        return;
    }
    let Some(selector) = pod
        .spec
        .document()
        .root()
        .and_then(|r| r.path(&["spec", "selector", "matchLabels"]))
    else {
        return;
    };
    let labels = pod.metadata.and_then(|m| m.get("labels"));
    let missing: Vec<String> = selector
        .entries()
        .filter(|(k, v)| {
            labels.and_then(|l| l.get(k)).and_then(|l| l.scalar_text()) != v.scalar_text()
        })
        .map(|(k, v)| format!("{k}={}", v.scalar_text().unwrap_or_default()))
        .collect();
    if !missing.is_empty() {
        ctx.report(
            "/spec/selector",
            format!(
                "{} selector {} matches no label of its pod template",
                pod.kind,
                missing.join(", ")
            ),
        );
    }
}
