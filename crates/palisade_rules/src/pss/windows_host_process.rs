//! PSS001 windows-host-process (baseline `windowsHostProcess`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags pods and containers that set `securityContext.windowsOptions.hostProcess: true`.
    ///
    /// ## Why is this bad?
    /// A Windows HostProcess container runs directly on the node with the host's network and
    /// process namespaces and full access to the host, which is privileged access to the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   os:
    ///     name: windows
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true # expect: PSS001
    ///   containers:
    ///   - name: agent
    ///     image: example.com/agent:1.0
    /// ```
    ///
    /// ## Remediation
    /// Remove `windowsOptions.hostProcess` (or set it to `false`) on the pod and every container.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: HostProcess
    /// - Kubernetes: Create a Windows HostProcess Pod
    pub static RULE = {
        id: "PSS001",
        name: "windows-host-process",
        title: "Windows HostProcess container",
        severity: High,
        layer: Container,
        frameworks: [pss_baseline("windowsHostProcess"), Cis("5.2.10"), Mitre("T1611")],
        remediation: "Remove securityContext.windowsOptions.hostProcess or set it to false on the pod and every container.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

const FIELD: [&str; 2] = ["windowsOptions", "hostProcess"];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod.security_context(&FIELD).and_then(|n| n.as_bool()) == Some(true) {
        ctx.report(
            pod.ptr("securityContext/windowsOptions/hostProcess"),
            "pod sets securityContext.windowsOptions.hostProcess to true",
        );
    }
    for c in pod.containers() {
        if c.security_context(&FIELD).and_then(|n| n.as_bool()) == Some(true) {
            ctx.report_container(
                c,
                "securityContext/windowsOptions/hostProcess",
                format!(
                    "container {:?} sets securityContext.windowsOptions.hostProcess to true",
                    c.name
                ),
            );
        }
    }
}
