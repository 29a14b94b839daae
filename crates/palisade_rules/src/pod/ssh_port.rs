//! POD020 ssh-port.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags SSH ports (22 and 2222, TCP) declared as a container port or exposed by a Service
    /// (`port` or `targetPort`).
    ///
    /// ## Why is this bad?
    /// An SSH server inside a container is a second, unmanaged way in: its keys and passwords
    /// bypass Kubernetes authentication and audit, and it is a favourite target for brute force
    /// once exposed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: jumpbox
    /// spec:
    ///   type: LoadBalancer
    ///   ports:
    ///   - port: 22 # expect: POD020
    ///     targetPort: 2222
    /// ```
    ///
    /// ## Remediation
    /// Remove the SSH server; use `kubectl exec` or ephemeral debug containers, which go through
    /// the API server's authentication, authorization and audit.
    ///
    /// ## References
    /// - kubescape C-0042 SSH server running inside container (MITRE)
    /// - Microsoft Threat Matrix for Kubernetes: SSH server running inside container (MS-TA9010)
    pub static RULE = {
        id: "POD020",
        name: "ssh-port",
        title: "SSH port exposed",
        severity: Low,
        layer: Container,
        frameworks: [Mitre("T1021.004")],
        remediation: "Remove the SSH server; use kubectl exec or ephemeral debug containers.",
        hook: Hook::Object(check),
    }
}

const SSH_PORTS: [i64; 2] = [22, 2222];

fn is_tcp(port: NodeRef<'_, '_>) -> bool {
    port.get("protocol")
        .and_then(|p| p.as_str())
        .is_none_or(|p| p == "TCP")
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    if object.kind == "Service" {
        ctx.applicable();
        let Some(ports) = object.root.path(&["spec", "ports"]) else {
            return;
        };
        for (i, port) in ports.items().enumerate().filter(|(_, p)| is_tcp(*p)) {
            for field in ["port", "targetPort"] {
                if let Some(n) = port
                    .get(field)
                    .and_then(|n| n.as_i64())
                    .filter(|n| SSH_PORTS.contains(n))
                {
                    ctx.report(
                        format!("/spec/ports/{i}/{field}"),
                        format!("Service exposes SSH port {n} ({field})"),
                    );
                    break;
                }
            }
        }
        return;
    }
    let Some(pod) = object.pod_spec() else { return };
    ctx.applicable();
    for c in pod.containers() {
        let Some(ports) = c.node.get("ports") else {
            continue;
        };
        for (i, port) in ports.items().enumerate().filter(|(_, p)| is_tcp(*p)) {
            if let Some(n) = port
                .get("containerPort")
                .and_then(|n| n.as_i64())
                .filter(|n| SSH_PORTS.contains(n))
            {
                ctx.report_container(
                    c,
                    &format!("ports/{i}/containerPort"),
                    format!("container {:?} declares SSH port {n}", c.name),
                );
            }
        }
    }
}
