//! PSS013 restricted-volume-type (restricted `restrictedVolumes`).

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags volumes whose source is not one of `configMap`, `csi`, `downwardAPI`, `emptyDir`,
    /// `ephemeral`, `image`, `persistentVolumeClaim`, `projected` or `secret`. At the restricted
    /// level it replaces the baseline hostPath check (PSS005).
    ///
    /// `hostPath` volumes are reported as high, like the baseline check PSS005.
    /// A volume with no source at all is allowed: the API server defaults it to `emptyDir`.
    ///
    /// ## Why is this bad?
    /// Inline volume sources such as `hostPath`, `nfs`, `iscsi`, `gitRepo` or cloud disks let a
    /// pod author reach storage directly, bypassing the PersistentVolume controls that cluster
    /// administrators use to govern storage access.
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
    ///   volumes:
    ///   - name: shared
    ///     nfs: # expect: PSS013
    ///       server: nfs.example.com
    ///       path: /exports
    /// ```
    ///
    /// ## Remediation
    /// Use a PersistentVolumeClaim backed by a PersistentVolume or StorageClass instead of the
    /// inline volume source.
    ///
    /// ## References
    /// - Pod Security Standards, restricted: Volume Types
    pub static RULE = {
        id: "PSS013",
        name: "restricted-volume-type",
        title: "Restricted volume type",
        severity: Medium,
        layer: Container,
        frameworks: [pss_restricted("restrictedVolumes")],
        remediation: "Use a PersistentVolumeClaim (or configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral, image) instead of the inline volume source.",
        pss: PssGate { since_minor: 0, overrides: &[PssOverride { check: "hostPathVolumes", since_minor: 0 }] },
        hook: Hook::Pod(check),
    }
}

const ALLOWED: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Every other volume source the API knows. A volume with none of the known sources is
/// defaulted to `emptyDir` by the API server, so it is allowed.
const RESTRICTED: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(volumes) = pod.spec.get("volumes") else {
        return;
    };
    for (i, v) in volumes.items().enumerate() {
        if ALLOWED.iter().any(|k| v.get_some(k).is_some()) {
            continue;
        }
        let Some(kind) = RESTRICTED.iter().find(|k| v.get_some(k).is_some()) else {
            continue;
        };
        let name = super::text(v.get("name"));
        // hostPath keeps the severity of the baseline check this one replaces.
        let severity = if *kind == "hostPath" {
            super::host_path_volumes::RULE.meta.severity
        } else {
            RULE.meta.severity
        };
        ctx.report_as(
            severity,
            pod.ptr(&format!("volumes/{i}/{kind}")),
            format!("volume {name:?} uses restricted volume type {kind:?}"),
        );
    }
}
