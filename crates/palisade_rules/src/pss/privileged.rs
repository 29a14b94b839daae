//! PSS003 privileged-container (baseline `privileged`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers that set `securityContext.privileged: true`.
    ///
    /// ## Why is this bad?
    /// A privileged container has every capability, sees all host devices and runs without
    /// seccomp or AppArmor confinement: escaping to the node is a matter of mounting its disk.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: debug
    /// spec:
    ///   containers:
    ///   - name: shell
    ///     image: example.com/shell:1.0
    ///     securityContext:
    ///       privileged: true # expect: PSS003
    /// ```
    ///
    /// ## Remediation
    /// Remove `securityContext.privileged` (or set it to `false`); grant the specific
    /// capability the workload needs instead.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Privileged Containers
    /// - CIS Kubernetes Benchmark 5.2.2
    /// - MITRE ATT&CK T1611 Escape to Host
    pub static RULE = {
        id: "PSS003",
        name: "privileged-container",
        title: "Privileged container",
        severity: Critical,
        layer: Container,
        frameworks: [pss_baseline("privileged"), Cis("5.2.2"), Nsa("C-0057"), Mitre("T1611")],
        remediation: "Remove securityContext.privileged or set it to false; add only the specific capability the workload needs.",
        fix: Unsafe("a workload that needs host devices or kernel features only privileged mode gives stops working; it then needs the specific capabilities or devices instead"),
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        if c.security_context(&["privileged"])
            .and_then(|n| n.as_bool())
            == Some(true)
        {
            ctx.report_container(
                c,
                "securityContext/privileged",
                format!(
                    "container {:?} sets securityContext.privileged to true",
                    c.name
                ),
            );
            ctx.fix(Fix::set(c.ptr("securityContext/privileged"), "false"));
        }
    }
}
