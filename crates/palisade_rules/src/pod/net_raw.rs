//! POD026 net-raw-not-dropped.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags containers (init and ephemeral ones included) that keep the `NET_RAW`
    /// capability: `securityContext.capabilities.drop` lists neither `NET_RAW` nor `ALL`, or
    /// it drops `ALL` and `capabilities.add` puts `NET_RAW` (or `ALL`) back. Windows pods
    /// (`spec.os.name: windows`) are exempt, as in the Pod Security Standards.
    ///
    /// When PSS018 (capabilities, restricted: drop `ALL`) reports the same container, this
    /// finding is superseded: it is not listed, but it still fails CIS 5.2.8 in the compliance
    /// summary.
    ///
    /// ## Why is this bad?
    /// Container runtimes grant `NET_RAW` by default. It lets a process craft raw packets:
    /// spoof addresses, poison ARP and DNS caches of other pods on the node and intercept their
    /// traffic, and it widens the kernel's attack surface (CVE-2020-14386 needed it). Few
    /// workloads need it; `ping` works without it on current kernels.
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
    ///         drop: # expect: POD026
    ///         - SYS_ADMIN
    /// ```
    ///
    /// ## Remediation
    /// Drop `ALL` capabilities (or at least `NET_RAW`) in each container's
    /// `securityContext.capabilities.drop`, and do not add `NET_RAW` back.
    ///
    /// ## References
    /// - CIS Kubernetes Benchmark 5.2.8: Minimize the admission of containers with the NET_RAW
    ///   capability (5.2.7 in CIS 1.6 and 1.7)
    /// - Microsoft Threat Matrix for Kubernetes: ARP poisoning and IP spoofing (MS-TA9036)
    pub static RULE = {
        id: "POD026",
        name: "net-raw-not-dropped",
        title: "Container keeps the NET_RAW capability",
        severity: Medium,
        layer: Container,
        frameworks: [Cis("5.2.8"), Mitre("T1557")],
        remediation: "Drop ALL capabilities (or at least NET_RAW) and do not add NET_RAW back.",
        fix: Unsafe("tools that open raw sockets (ping on older kernels, tcpdump, some network agents) stop working without NET_RAW"),
        superseded_by: ["PSS018"],
        hook: Hook::Pod(check),
    }
}

/// The index of `cap` in a capability list; runtimes compare names case-insensitively.
fn position(list: Option<NodeRef<'_, '_>>, cap: &str) -> Option<usize> {
    list?
        .items()
        .position(|i| i.as_str().is_some_and(|c| c.eq_ignore_ascii_case(cap)))
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    if pod.is_windows() {
        return;
    }
    for c in pod.containers() {
        let caps = c.security_context(&["capabilities"]);
        let drop = caps.and_then(|k| k.get("drop"));
        // As container runtimes apply them: `add: [ALL]`, then `drop: [ALL]`, then each
        // added, then each dropped capability. A named drop always wins; after `drop: [ALL]`
        // only a named add brings NET_RAW back.
        if position(drop, "NET_RAW").is_some() {
            continue;
        }
        if position(drop, "ALL").is_none() {
            ctx.report_container(
                c,
                "securityContext/capabilities/drop",
                format!(
                    "container {:?} does not drop NET_RAW (or ALL) in securityContext.capabilities.drop",
                    c.name
                ),
            );
            ctx.fix(Fix::add(
                c.ptr("securityContext/capabilities/drop"),
                "NET_RAW",
            ));
        } else if let Some(i) = position(caps.and_then(|k| k.get("add")), "NET_RAW") {
            ctx.report_container(
                c,
                &format!("securityContext/capabilities/add/{i}"),
                format!(
                    "container {:?} drops ALL capabilities but adds NET_RAW back",
                    c.name
                ),
            );
        }
    }
}
