//! POD023 deprecated-service-account-field.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags pod specs that use the deprecated `serviceAccount` field.
    ///
    /// ## Why is this bad?
    /// `serviceAccount` is a deprecated alias of `serviceAccountName`. Tools that only read the
    /// current field (policies, reviews, RBAC analysis) can misjudge which identity the pod
    /// runs as, especially when both are set differently.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: api
    /// spec:
    ///   serviceAccount: api # expect: POD023
    ///   containers:
    ///   - name: api
    ///     image: example.com/api:1.0
    /// ```
    ///
    /// ## Remediation
    /// Use `serviceAccountName`.
    ///
    /// ## References
    /// - kubescape C-0294 Deprecated service account field
    /// - Kubernetes API reference: PodSpec.serviceAccount
    pub static RULE = {
        id: "POD023",
        name: "deprecated-service-account-field",
        title: "Deprecated serviceAccount field",
        severity: Info,
        layer: Container,
        frameworks: [],
        remediation: "Use serviceAccountName instead of serviceAccount.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(old) = pod.spec.get("serviceAccount").and_then(|n| n.as_str()) else {
        return;
    };
    let new = pod.spec.get("serviceAccountName").and_then(|n| n.as_str());
    let message = match new {
        Some(n) if n != old => {
            format!("serviceAccount {old:?} disagrees with serviceAccountName {n:?}")
        }
        _ => format!("pod uses the deprecated serviceAccount field ({old:?})"),
    };
    ctx.report(pod.ptr("serviceAccount"), message);
}
