//! PSS012 probe-host (baseline `hostProbesAndHostLifecycle`).

use palisade_engine::prelude::*;

use super::{q, text};

declare_rule! {
    /// ## What it does
    /// From policy v1.34, flags probes (`livenessProbe`, `readinessProbe`, `startupProbe`) and
    /// lifecycle handlers (`postStart`, `preStop`) whose `httpGet.host` or `tcpSocket.host` is
    /// set.
    ///
    /// ## Why is this bad?
    /// The kubelet performs probes and lifecycle calls from the node. A custom host turns the
    /// kubelet into a proxy that reaches addresses the pod itself could not, such as node-local
    /// services or cloud metadata endpoints.
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
    ///     livenessProbe:
    ///       httpGet:
    ///         host: 169.254.169.254 # expect: PSS012
    ///         path: /latest/meta-data
    ///         port: 80
    /// ```
    ///
    /// ## Remediation
    /// Remove `host` from probe and lifecycle handlers so they target the pod's own IP.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: Probes / Lifecycle Hooks (v1.34+)
    pub static RULE = {
        id: "PSS012",
        name: "probe-host",
        title: "Probe or lifecycle handler targets another host",
        severity: Medium,
        layer: Container,
        frameworks: [pss_baseline("hostProbesAndHostLifecycle")],
        remediation: "Remove host from httpGet and tcpSocket probe and lifecycle handlers.",
        pss: PssGate { since_minor: 34, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

const HANDLERS: &[&str] = &[
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle/postStart",
    "lifecycle/preStop",
];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    for c in pod.containers() {
        for handler in HANDLERS {
            let keys: Vec<&str> = handler.split('/').collect();
            let Some(node) = c.node.path(&keys) else {
                continue;
            };
            for action in ["httpGet", "tcpSocket"] {
                let host = text(node.get(action).and_then(|a| a.get("host")));
                if !host.is_empty() {
                    ctx.report_container(
                        c,
                        &format!("{handler}/{action}/host"),
                        format!(
                            "container {:?} sets {}.{action}.host to {}",
                            c.name,
                            handler.replace('/', "."),
                            q(&host)
                        ),
                    );
                }
            }
        }
    }
}
