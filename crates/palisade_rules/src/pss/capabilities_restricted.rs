//! PSS018 capabilities-not-dropped (restricted `capabilities_restricted`).

use palisade_engine::prelude::*;

use super::q;

declare_rule! {
    /// ## What it does
    /// From policy v1.22, requires every container to drop `ALL` capabilities
    /// (`securityContext.capabilities.drop` contains `ALL`, exactly) and to add none but
    /// `NET_BIND_SERVICE`. It replaces the baseline capabilities check (PSS004) at the
    /// restricted level. From v1.25 Windows pods are exempt. Adding a capability outside the
    /// runtime's default set is reported as high, like PSS004.
    ///
    /// ## Why is this bad?
    /// The runtime's default capability set still includes powers such as `DAC_OVERRIDE`,
    /// `SETUID` and `NET_RAW` that an attacker can use after a compromise; a workload rarely
    /// needs any of them.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    ///     securityContext:
    ///       capabilities:
    ///         drop: # expect: PSS018
    ///         - NET_RAW
    /// ```
    ///
    /// ## Remediation
    /// Set `securityContext.capabilities.drop: ["ALL"]` and add back only `NET_BIND_SERVICE` if
    /// the container binds a port below 1024.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Capabilities (v1.22+)
    /// - CIS Kubernetes Benchmark 5.2.9
    pub static RULE = {
        id: "PSS018",
        name: "capabilities-not-dropped",
        title: "Capabilities not dropped",
        severity: Medium,
        layer: Container,
        frameworks: [pss_restricted("capabilities_restricted"), Cis("5.2.9"), Nsa("C-0046")],
        remediation: "Set securityContext.capabilities.drop: [\"ALL\"] and add back only NET_BIND_SERVICE.",
        fix: Unsafe("a process that relies on a capability of the runtime default set (changing file ownership, switching users, binding ports below 1024, raw sockets) fails"),
        pss: PssGate { since_minor: 22, overrides: &[PssOverride { check: "capabilities_baseline", since_minor: 22 }] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if super::windows_exempt(pod, ctx.pss_minor) {
        return;
    }
    for c in pod.containers() {
        let Some(caps) = c
            .security_context(&["capabilities"])
            .filter(|n| !n.is_null())
        else {
            ctx.report_container(
                c,
                "securityContext/capabilities/drop",
                format!(
                    "container {:?} does not set securityContext.capabilities.drop to [\"ALL\"]",
                    c.name
                ),
            );
            ctx.fix(Fix::add(c.ptr("securityContext/capabilities/drop"), "ALL"));
            continue;
        };
        let drops_all = caps
            .get("drop")
            .is_some_and(|d| d.items().any(|i| i.as_str() == Some("ALL")));
        if !drops_all {
            ctx.report_container(
                c,
                "securityContext/capabilities/drop",
                format!(
                    "container {:?} does not drop \"ALL\" in securityContext.capabilities.drop",
                    c.name
                ),
            );
            ctx.fix(Fix::add(c.ptr("securityContext/capabilities/drop"), "ALL"));
        }
        let Some(add) = caps.get("add") else { continue };
        for (i, cap) in add.items().enumerate() {
            let name = super::text(Some(cap));
            if name != "NET_BIND_SERVICE" {
                // Capabilities beyond the runtime default keep the baseline check's severity.
                let baseline = &super::capabilities_baseline::RULE.meta;
                let severity = if super::capabilities_baseline::ALLOWED.contains(&&*name) {
                    RULE.meta.severity
                } else {
                    baseline.severity
                };
                ctx.report_container_as(
                    severity,
                    c,
                    &format!("securityContext/capabilities/add/{i}"),
                    format!(
                        "container {:?} adds capability {} (only NET_BIND_SERVICE is allowed)",
                        c.name,
                        q(&name)
                    ),
                );
            }
        }
    }
}
