//! PSS005 host-path-volume (baseline `hostPathVolumes`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags pods with `hostPath` volumes.
    ///
    /// ## Why is this bad?
    /// A hostPath volume exposes the node's filesystem to the container. Mounting `/`,
    /// `/var/run/docker.sock`, `/etc` or the kubelet's directories is a direct path to node
    /// compromise, and even read-only mounts leak credentials and other tenants' data.
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
    ///   volumes:
    ///   - name: varlog
    ///     hostPath: # expect: PSS005
    ///       path: /var/log
    /// ```
    ///
    /// ## Remediation
    /// Replace the hostPath volume with a PersistentVolumeClaim, an emptyDir, or a CSI driver.
    ///
    /// ## References
    /// - Pod Security Standards, baseline: HostPath Volumes
    /// - CIS Kubernetes Benchmark 5.2.11
    pub static RULE = {
        id: "PSS005",
        name: "host-path-volume",
        title: "Pod mounts a hostPath volume",
        severity: High,
        layer: Container,
        frameworks: [pss_baseline("hostPathVolumes"), Cis("5.2.11"), Mitre("T1611")],
        remediation: "Replace the hostPath volume with a PersistentVolumeClaim, emptyDir or CSI volume.",
        pss: PssGate { since_minor: 0, overrides: &[] },
        hook: Hook::Pod(check),
    }
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(volumes) = pod.spec.get("volumes") else {
        return;
    };
    for (i, v) in volumes.items().enumerate() {
        if let Some(host_path) = v.get_some("hostPath") {
            let path = super::text(host_path.get("path"));
            let name = super::text(v.get("name"));
            ctx.report(
                pod.ptr(&format!("volumes/{i}/hostPath")),
                format!("volume {name:?} mounts hostPath {path:?}"),
            );
        }
    }
}
