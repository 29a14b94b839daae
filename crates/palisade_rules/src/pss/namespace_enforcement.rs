//! PSS020 namespace-enforcement.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags Namespaces (other than `kube-system`, `kube-public` and `kube-node-lease`) that do
    /// not enforce a Pod Security Standards level: the label
    /// `pod-security.kubernetes.io/enforce` missing or `privileged`, or an
    /// `enforce-version` label that is neither `latest` nor `v1.N`. Without the label the
    /// cluster-wide default applies, which upstream is `privileged`.
    ///
    /// ## Why is this bad?
    /// Pod Security admission only protects namespaces that opt in: in a namespace without an
    /// enforced level, anyone who can create a pod can create a privileged one.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Namespace
    /// metadata:
    ///   name: shop
    ///   labels:
    ///     pod-security.kubernetes.io/enforce: privileged # expect: PSS020
    /// ```
    ///
    /// ## Remediation
    /// Label the namespace `pod-security.kubernetes.io/enforce: restricted` (or `baseline`
    /// where workloads need it), with `enforce-version: latest` or a pinned `v1.N`.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.2.1: Ensure that the cluster has at least one active policy
    ///   control mechanism in place
    /// - Kubernetes: Enforce Pod Security Standards with Namespace Labels
    pub static RULE = {
        id: "PSS020",
        name: "namespace-enforcement",
        title: "Namespace does not enforce Pod Security Standards",
        severity: High,
        layer: Cluster,
        frameworks: [Cis("5.2.1"), Nsa("C-0068")],
        remediation: "Label the namespace pod-security.kubernetes.io/enforce: restricted (or baseline).",
        hook: Hook::Object(check),
    }
}

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION: &str = "pod-security.kubernetes.io/enforce-version";

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind != "Namespace"
        || object
            .name()
            .is_none_or(|n| crate::SYSTEM_NAMESPACES.contains(&n))
    {
        return;
    }
    ctx.applicable();
    let labels = object.root.path(&["metadata", "labels"]);
    let label = |key: &str| {
        labels
            .and_then(|l| l.get(key))
            .and_then(|v| v.scalar_text())
    };
    let pointer = |key: &str| format!("/metadata/labels/{}", escape_pointer_segment(key));
    match label(ENFORCE).as_deref() {
        Some("baseline" | "restricted") => {}
        Some(level) => ctx.report(pointer(ENFORCE), format!("namespace enforces Pod Security level {level:?}")),
        None => ctx.report(pointer(ENFORCE), format!("namespace has no {ENFORCE} label, so the cluster default (privileged upstream) applies")),
    }
    if let Some(version) = label(ENFORCE_VERSION) {
        let valid = version == "latest"
            || version
                .strip_prefix("v1.")
                .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            ctx.report(
                pointer(ENFORCE_VERSION),
                format!("{ENFORCE_VERSION} {version:?} is not latest or v1.N, so the API server falls back to latest"),
            );
        }
    }
}
