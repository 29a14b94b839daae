//! POD005 container-runtime-socket.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Flags `hostPath` volumes that expose the node's container runtime: the Docker,
    /// containerd, CRI-O or cri-dockerd sockets, or the runtime directories that hold them
    /// (`/var/run`, `/run`, `/var/run/docker`, `/run/containerd`, …).
    ///
    /// ## Why is this bad?
    /// Whoever can talk to the runtime socket can start a privileged container on the node with
    /// the host's filesystem mounted: full node compromise, invisible to Kubernetes admission.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: builder
    /// spec:
    ///   containers:
    ///   - name: builder
    ///     image: example.com/builder:1.0
    ///   volumes:
    ///   - name: docker
    ///     hostPath: # expect: POD005
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// ## Remediation
    /// Build images without the node's runtime (rootless BuildKit, Kaniko) and remove the
    /// volume.
    ///
    /// ## References
    /// - kubescape C-0074 Container runtime socket mounted
    /// - Falco rule: Create Sensitive Mount Pod
    pub static RULE = {
        id: "POD005",
        name: "container-runtime-socket",
        title: "Container runtime socket mounted",
        severity: Critical,
        layer: Container,
        frameworks: [Mitre("T1611"), Mitre("T1610")],
        remediation: "Remove the hostPath volume; build images without the node's container runtime.",
        hook: Hook::Pod(check),
    }
}

const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
];
const DIRECTORIES: &[&str] = &[
    "/run",
    "/var/run",
    "/run/docker",
    "/var/run/docker",
    "/run/containerd",
    "/var/run/containerd",
    "/run/crio",
    "/var/run/crio",
    "/run/cri-dockerd",
    "/var/run/cri-dockerd",
];

/// Whether a host path is (or contains) a container runtime socket.
fn exposes_runtime(path: &str) -> bool {
    SOCKETS.iter().any(|s| path.rsplit('/').next() == Some(s)) || DIRECTORIES.contains(&path)
}

fn check(pod: &PodSpecView<'_, '_>, ctx: &mut Ctx<'_>) {
    super::report_host_paths(pod, ctx, exposes_runtime, "the container runtime");
}
