//! POD015 naked-pod.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Pods that no controller owns: `kind: Pod` without an `ownerReferences` entry
    /// marked `controller: true`. Static pods (mirror pods, with the
    /// `kubernetes.io/config.mirror` annotation, and control-plane manifests such as
    /// kube-apiserver's) and Helm hooks (`helm.sh/hook`, run once by Helm) are not reported.
    ///
    /// ## Why is this bad?
    /// Nothing recreates a naked pod when it or its node fails, and nothing rolls it out again
    /// when its template changes: it drifts from the manifests and is easy to forget, with
    /// whatever access it has.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: # expect: POD015
    ///   name: debug
    ///   namespace: shop
    /// spec:
    ///   containers:
    ///   - name: debug
    ///     image: example.com/tools:1.0
    /// ```
    ///
    /// ## Remediation
    /// Run the pod through a Deployment, StatefulSet, DaemonSet or Job, and delete pods that
    /// were only needed once.
    ///
    /// ## References
    /// - kubescape C-0073 Naked pods
    /// - Kubernetes: Configuration best practices, naked pods
    pub static RULE = {
        id: "POD015",
        name: "naked-pod",
        title: "Pod without a controller",
        severity: Low,
        layer: Container,
        frameworks: [],
        remediation: "Run the pod through a Deployment, StatefulSet, DaemonSet or Job.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Pod" || object.api_version != "v1" {
        return;
    }
    if object.annotation("kubernetes.io/config.mirror").is_some()
        || object.annotation("helm.sh/hook").is_some()
        || object
            .pod_spec()
            .is_some_and(|pod| !pod.components().is_empty())
    {
        return;
    }
    ctx.applicable();
    let controlled = object
        .root
        .path(&["metadata", "ownerReferences"])
        .is_some_and(|refs| {
            refs.items()
                .any(|r| r.get("controller").and_then(|c| c.as_bool()) == Some(true))
        });
    if !controlled {
        ctx.report(
            "/metadata",
            format!(
                "Pod {:?} has no controller to recreate or update it",
                object.name().unwrap_or("")
            ),
        );
    }
}
