//! POD012: neither the pod nor the container has a security context.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a container when neither it nor its pod sets a `securityContext` (absent, `null`
    /// or `{}`).
    ///
    /// When PSS015 (runAsNonRoot) reports the same container, this finding is superseded: it is
    /// not listed, but it still fails CIS 5.6.3 in the compliance summary.
    ///
    /// ## Why is this bad?
    /// Without a security context every setting takes the runtime's default: the image's user
    /// (often root), privilege escalation allowed, the default capability set and a writable
    /// root filesystem. Nobody has decided how the container should run.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   securityContext: {}
    ///   containers:
    ///   - name: app # expect: POD012
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Set a pod `securityContext` (runAsNonRoot, seccompProfile) and a container
    /// `securityContext` (allowPrivilegeEscalation: false, capabilities drop ALL,
    /// readOnlyRootFilesystem).
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.6.3 (kubescape C-0211)
    pub static RULE = {
        id: "POD012",
        name: "missing-security-context",
        title: "No security context on the pod or container",
        severity: Low,
        layer: Container,
        frameworks: [Cis("5.6.3")],
        remediation: "Set securityContext on the pod and on each container.",
        superseded_by: ["PSS015"],
        hook: Hook::Pod(check),
    }
}

/// A `securityContext` that says something.
fn present(node: Option<NodeRef<'_, '_>>) -> bool {
    node.is_some_and(|n| !n.is_null() && (!n.is_map() || n.entries().len() > 0))
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if present(pod.spec.get("securityContext")) {
        return;
    }
    for c in pod.containers() {
        if !present(c.node.get("securityContext")) {
            ctx.report_container(
                c,
                "securityContext",
                format!(
                    "neither the pod nor container {:?} sets a securityContext",
                    c.name
                ),
            );
        }
    }
}
