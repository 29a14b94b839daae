//! PSS006 host-port (baseline `hostPorts`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags container ports with a non-zero `hostPort`.
    ///
    /// ## Why is this bad?
    /// A hostPort binds the port on the node's network interfaces, bypassing Services and
    /// NetworkPolicies, pins the pod to nodes where the port is free, and exposes the workload
    /// directly to whatever can reach the node.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: web
    /// spec:
    ///   containers:
    ///   - name: web
    ///     image: example.com/web:1.0
    ///     ports:
    ///     - containerPort: 8080
    ///       hostPort: 80 # expect: PSS006
    /// ```
    ///
    /// ## Remediation
    /// Remove `hostPort` and expose the workload through a Service (and an Ingress or
    /// Gateway for external traffic).
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Host Ports
    /// - CIS Kubernetes Benchmark 5.2.12
    pub static RULE = {
        id: "PSS006",
        name: "host-port",
        title: "Container binds a host port",
        severity: Medium,
        layer: Container,
        frameworks: [pss_baseline("hostPorts"), Cis("5.2.12"), Nsa("C-0044")],
        remediation: "Remove hostPort and expose the workload through a Service.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        let Some(ports) = c.node.get("ports") else {
            continue;
        };
        for (i, port) in ports.items().enumerate() {
            match port.get("hostPort").and_then(|p| p.as_i64()) {
                Some(0) | None => {}
                Some(host_port) => ctx.report_container(
                    c,
                    &format!("ports/{i}/hostPort"),
                    format!("container {:?} binds hostPort {host_port}", c.name),
                ),
            }
        }
    }
}
