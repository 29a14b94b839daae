//! PSS011 unsafe-sysctl (baseline `sysctls`).

use palisade_engine::prelude::*;

use super::{q, text};

declare_rule! {
    /// ## What it does
    /// Flags `spec.securityContext.sysctls` whose name is not in the policy version's safe set.
    /// v1.0 allows `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.tcp_syncookies`, `net.ipv4.ping_group_range` and
    /// `net.ipv4.ip_unprivileged_port_start`; v1.27 adds `net.ipv4.ip_local_reserved_ports`;
    /// v1.29 adds `net.ipv4.tcp_keepalive_time`, `tcp_fin_timeout`, `tcp_keepalive_intvl` and
    /// `tcp_keepalive_probes`; v1.32 adds `net.ipv4.tcp_rmem` and `tcp_wmem`; v1.37 adds
    /// `net.ipv4.tcp_slow_start_after_idle` and `tcp_notsent_lowat`.
    ///
    /// ## Why is this bad?
    /// Sysctls outside the safe set are not isolated per pod: they change kernel behaviour for
    /// every workload on the node or weaken kernel protections.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: db
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///     - name: kernel.shm_rmid_forced
    ///       value: "1"
    ///     - name: vm.overcommit_memory # expect: PSS011
    ///       value: "1"
    ///   containers:
    ///   - name: db
    ///     image: example.com/db:1.0
    /// ```
    ///
    /// ## Remediation
    /// Remove the sysctl, or set it on dedicated nodes through the node's configuration.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Sysctls
    /// - Kubernetes: Using sysctls in a Kubernetes Cluster
    pub static RULE = {
        id: "PSS011",
        name: "unsafe-sysctl",
        title: "Unsafe sysctl",
        severity: Medium,
        layer: Container,
        frameworks: [pss_baseline("sysctls")],
        remediation: "Remove sysctls outside the safe set from spec.securityContext.sysctls.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

/// Safe sysctls and the policy minor version that allowed each.
const SAFE: &[(&str, u32)] = &[
    ("kernel.shm_rmid_forced", 0),
    ("net.ipv4.ip_local_port_range", 0),
    ("net.ipv4.tcp_syncookies", 0),
    ("net.ipv4.ping_group_range", 0),
    ("net.ipv4.ip_unprivileged_port_start", 0),
    ("net.ipv4.ip_local_reserved_ports", 27),
    ("net.ipv4.tcp_keepalive_time", 29),
    ("net.ipv4.tcp_fin_timeout", 29),
    ("net.ipv4.tcp_keepalive_intvl", 29),
    ("net.ipv4.tcp_keepalive_probes", 29),
    ("net.ipv4.tcp_rmem", 32),
    ("net.ipv4.tcp_wmem", 32),
    ("net.ipv4.tcp_slow_start_after_idle", 37),
    ("net.ipv4.tcp_notsent_lowat", 37),
];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(sysctls) = pod.security_context(&["sysctls"]) else {
        return;
    };
    for (i, sysctl) in sysctls.items().enumerate() {
        let name = text(sysctl.get("name"));
        let safe = SAFE
            .iter()
            .any(|(n, since)| *n == name && *since <= ctx.pss_minor);
        if !safe {
            ctx.report(
                pod.ptr(&format!("securityContext/sysctls/{i}/name")),
                format!("pod sets sysctl {} outside the safe set", q(&name)),
            );
        }
    }
}
