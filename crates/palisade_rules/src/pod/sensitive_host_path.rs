//! POD006 sensitive-host-path.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes of the node's most sensitive directories: the root filesystem
    /// `/`, `/etc`, `/proc`, `/root`, the kubelet's directory `/var/lib/kubelet` with its client
    /// certificates (`pki`) and every pod's volumes, Secrets included (`pods`), Kubernetes
    /// configuration and static pod manifests (`/etc/kubernetes`) and etcd's data
    /// (`/var/lib/etcd`). Narrower mounts below `/`, `/etc` and `/var/lib/kubelet` (such as
    /// `/etc/ssl/certs` or the CSI `plugins` directories) are not flagged.
    ///
    /// ## Why is this bad?
    /// These paths hold node credentials, kubelet client certificates, static pod manifests
    /// (write one and the kubelet runs it privileged) and every secret in etcd. Read access
    /// leaks cluster credentials; write access is node and control-plane takeover.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    /// spec:
    ///   containers:
    ///   - name: agent
    ///     image: example.com/agent:1.0
    ///   volumes:
    ///   - name: kube
    ///     hostPath: # expect: POD006
    ///       path: /etc/kubernetes/
    /// ```
    ///
    /// ## Remediation
    /// Mount only the specific, non-sensitive files the workload needs, read-only, or get the
    /// data through the API instead.
    ///
    /// ## References
    /// - Falco rule: Create Sensitive Mount Pod
    /// - Microsoft Threat Matrix for Kubernetes: Writable hostPath mount (MS-TA9013)
    pub static RULE = {
        id: "POD006",
        name: "sensitive-host-path",
        title: "Sensitive host directory mounted",
        severity: Critical,
        layer: Container,
        frameworks: [Mitre("T1611"), Mitre("T1552.001")],
        remediation: "Remove the hostPath volume or mount only specific non-sensitive files, read-only.",
        hook: Hook::Pod(check),
    }
}

/// Exactly these paths (their subdirectories are common, narrower mounts).
const EXACT: &[&str] = &["/", "/etc", "/var/lib/kubelet"];
/// These paths and everything below them.
const TREES: &[&str] = &[
    "/proc",
    "/root",
    "/etc/kubernetes",
    "/var/lib/etcd",
    "/var/lib/kubelet/pki",
    "/var/lib/kubelet/pods",
];

fn is_sensitive(path: &str) -> bool {
    EXACT.contains(&path) || TREES.iter().any(|t| super::is_under(path, t))
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    super::report_host_paths(pod, ctx, is_sensitive, "a sensitive host directory");
}
