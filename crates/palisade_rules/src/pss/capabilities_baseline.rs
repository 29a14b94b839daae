//! PSS004 non-default-capabilities (baseline `capabilities_baseline`).

use palisade_engine::prelude::*;

use super::q;

declare_rule! {
    /// ## What it does
    /// Flags containers that add Linux capabilities beyond the container runtime's default set
    /// (`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`,
    /// `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`, `SETUID`, `SYS_CHROOT`).
    ///
    /// ## Why is this bad?
    /// Capabilities such as `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE` or `SYS_MODULE` give a
    /// container root-like powers over the kernel and the node, and are the usual first step of
    /// a container escape. Names are compared exactly, as upstream does: `CAP_SYS_ADMIN` or
    /// `sys_admin` are not in the default set either.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: vpn
    /// spec:
    ///   containers:
    ///   - name: vpn
    ///     image: example.com/vpn:1.0
    ///     securityContext:
    ///       capabilities:
    ///         add:
    ///         - NET_BIND_SERVICE
    ///         - NET_ADMIN # expect: PSS004
    /// ```
    ///
    /// ## Remediation
    /// Remove the capability from `securityContext.capabilities.add`; redesign the workload so
    /// that privileged operations happen outside the pod.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Capabilities
    /// - CIS Kubernetes Benchmark 5.2.8, 5.2.9
    pub static RULE = {
        id: "PSS004",
        name: "non-default-capabilities",
        title: "Container adds non-default capabilities",
        severity: High,
        layer: Container,
        frameworks: [pss_baseline("capabilities_baseline"), Cis("5.2.8"), Cis("5.2.9"), Nsa("C-0046"), Mitre("T1611")],
        remediation: "Remove capabilities outside the runtime's default set from securityContext.capabilities.add.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

/// The container runtime's default capability set.
pub(crate) const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        let Some(add) = c.security_context(&["capabilities", "add"]) else {
            continue;
        };
        for (i, cap) in add.items().enumerate() {
            let name = super::text(Some(cap));
            if !ALLOWED.contains(&&*name) {
                ctx.report_container(
                    c,
                    &format!("securityContext/capabilities/add/{i}"),
                    format!("container {:?} adds capability {}", c.name, q(&name)),
                );
            }
        }
    }
}
