//! POD011: no Linux hardening at all on a container.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a container with none of the Linux hardening mechanisms: no seccomp profile (on
    /// the container or the pod), no AppArmor profile (field or annotation), no SELinux options
    /// (container or pod) and no dropped capabilities. Windows pods are skipped.
    ///
    /// When PSS017 (seccomp, restricted) reports the same container, this finding is
    /// superseded: it is not listed, but it still fails NSA C-0055 in the compliance summary.
    ///
    /// ## Why is this bad?
    /// Each mechanism narrows what a compromised process can ask of the kernel. With none of
    /// them, the container relies on namespaces alone, and a kernel exploit or a misused
    /// capability reaches the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   containers:
    ///   - name: app # expect: POD011
    ///     image: example.com/app:1.0
    /// ```
    ///
    /// ## Remediation
    /// Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod and drop `ALL`
    /// capabilities in each container; add AppArmor or SELinux where the nodes support them.
    ///
    /// ## References
    /// - NSA/CISA Kubernetes Hardening Guide: Linux hardening (kubescape C-0055)
    pub static RULE = {
        id: "POD011",
        name: "no-linux-hardening",
        title: "Container without any Linux hardening",
        severity: Medium,
        layer: Container,
        frameworks: [Nsa("C-0055"), Mitre("T1611")],
        remediation: "Set a RuntimeDefault seccomp profile and drop ALL capabilities; add AppArmor or SELinux where available.",
        superseded_by: ["PSS017"],
        hook: Hook::Pod(check),
    }
}

fn set(node: Option<NodeRef<'_, '_>>) -> bool {
    node.is_some_and(|n| !n.is_null())
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod.is_windows() {
        return;
    }
    let pod_wide = set(pod.security_context(&["seccompProfile"]))
        || set(pod.security_context(&["appArmorProfile"]))
        || set(pod.security_context(&["seLinuxOptions"]));
    if pod_wide {
        return;
    }
    for c in pod.containers() {
        let annotation = format!("container.apparmor.security.beta.kubernetes.io/{}", c.name);
        let hardened = set(c.security_context(&["seccompProfile"]))
            || set(c.security_context(&["appArmorProfile"]))
            || set(c.security_context(&["seLinuxOptions"]))
            || c.security_context(&["capabilities", "drop"])
                .is_some_and(|d| d.items().len() > 0)
            || pod.annotations().any(|(k, _)| k == annotation);
        if !hardened {
            ctx.report_container(
                c,
                "securityContext",
                format!(
                    "container {:?} has no seccomp, AppArmor or SELinux profile and drops no capability",
                    c.name
                ),
            );
        }
    }
}
