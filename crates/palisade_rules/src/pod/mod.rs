//! Workload hardening beyond the Pod Security Standards: filesystem, resources, host mounts,
//! groups, namespaces, probes and exposed services.

pub mod cloud_credentials_host_path;
pub mod container_runtime_socket;
pub mod dashboard_login;
pub mod default_namespace;
pub mod deprecated_service_account;
pub mod duplicate_env;
pub mod helm_tiller;
pub mod limits_and_quotas;
pub mod low_user_id;
pub mod missing_probes;
pub mod missing_reference;
pub mod missing_resource_limits;
pub mod missing_resource_requests;
pub mod missing_security_context;
pub mod naked_pod;
pub mod net_raw;
pub mod no_linux_hardening;
pub mod options;
pub mod read_only_root_filesystem;
pub mod required_labels;
pub mod root_group;
pub mod runtime_class;
pub mod selector_mismatch;
pub mod sensitive_host_path;
pub mod ssh_port;
pub mod system_namespace_image;
pub mod writable_host_path;

use palisade_engine::Ctx;
use palisade_model::{ContainerKind, ContainerView, PodSpecView};

/// Containers that can carry `resources` and a root filesystem setting: init and regular
/// containers (ephemeral containers cannot set resources).
pub(crate) fn app_containers<'p, 'd, 'a>(
    pod: &'p PodSpecView<'d, 'a>,
) -> impl Iterator<Item = &'p ContainerView<'d, 'a>> {
    pod.containers()
        .iter()
        .filter(|c| c.kind != ContainerKind::Ephemeral)
}

/// Report every `hostPath` volume whose path `matches`, saying what it exposes.
pub(crate) fn report_host_paths(
    pod: &PodSpecView<'_, '_>,
    ctx: &mut Ctx<'_>,
    matches: impl Fn(&str) -> bool,
    exposes: &str,
) {
    for v in pod.host_path_volumes() {
        if matches(v.path) {
            ctx.report(
                pod.ptr(&format!("volumes/{}/hostPath", v.index)),
                format!(
                    "volume {:?} mounts {exposes} through hostPath {:?}",
                    v.name, v.path
                ),
            );
        }
    }
}

/// Whether `path` is `dir` or lies below it.
pub(crate) fn is_under(path: &str, dir: &str) -> bool {
    path == dir || (path.starts_with(dir) && path.as_bytes().get(dir.len()) == Some(&b'/'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_under_respects_path_boundaries() {
        assert!(super::is_under("/etc/kubernetes/pki", "/etc/kubernetes"));
        assert!(super::is_under("/etc/kubernetes", "/etc/kubernetes"));
        assert!(!super::is_under("/etc/kubernetes2", "/etc/kubernetes"));
    }
}
