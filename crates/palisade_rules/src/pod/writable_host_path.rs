//! POD007 writable-host-path.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags volume mounts of `hostPath` volumes that are not `readOnly: true`, in every
    /// container (init and ephemeral included).
    ///
    /// ## Why is this bad?
    /// A writable host mount lets a compromised container change files on the node: plant
    /// binaries or cron jobs, alter configuration, or fill the node's disk. It is a classic
    /// persistence and escape technique.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: logs
    /// spec:
    ///   containers:
    ///   - name: shipper
    ///     image: example.com/shipper:1.0
    ///     volumeMounts:
    ///     - name: varlog # expect: POD007
    ///       mountPath: /var/log
    ///   volumes:
    ///   - name: varlog
    ///     hostPath:
    ///       path: /var/log
    /// ```
    ///
    /// ## Remediation
    /// Add `readOnly: true` to the volume mount, or replace the hostPath volume.
    ///
    /// ## References
    /// - kubescape C-0045 Writable hostPath mount (MITRE)
    /// - Microsoft Threat Matrix for Kubernetes: Writable hostPath mount (MS-TA9013)
    pub static RULE = {
        id: "POD007",
        name: "writable-host-path",
        title: "hostPath volume mounted writable",
        severity: High,
        layer: Container,
        frameworks: [Mitre("T1611")],
        remediation: "Add readOnly: true to the volume mount or replace the hostPath volume.",
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let host_paths = pod.host_path_volumes();
    if host_paths.is_empty() {
        return;
    }
    for c in pod.containers() {
        let Some(mounts) = c.node.get("volumeMounts") else {
            continue;
        };
        for (i, m) in mounts.items().enumerate() {
            let name = m.get("name").and_then(|n| n.as_str()).unwrap_or("");
            let Some(volume) = host_paths.iter().find(|v| v.name == name) else {
                continue;
            };
            if m.get("readOnly").and_then(|r| r.as_bool()) != Some(true) {
                ctx.report_container(
                    c,
                    &format!("volumeMounts/{i}"),
                    format!(
                        "container {:?} mounts hostPath {:?} (volume {name:?}) writable",
                        c.name, volume.path
                    ),
                );
            }
        }
    }
}
