//! The ordered list of every built-in rule.

use palisade_engine::Rule;

use crate::{image, network, pal, pod, pss, rbac, secrets};

/// Every built-in rule, grouped by family.
pub static REGISTRY: &[&Rule] = &[
    &pss::windows_host_process::RULE,
    &pss::host_namespaces::RULE,
    &pss::privileged::RULE,
    &pss::capabilities_baseline::RULE,
    &pss::host_path_volumes::RULE,
    &pss::host_ports::RULE,
    &pss::apparmor_profile::RULE,
    &pss::selinux_options::RULE,
    &pss::proc_mount::RULE,
    &pss::seccomp_baseline::RULE,
    &pss::sysctls::RULE,
    &pss::host_probes::RULE,
    &pss::restricted_volumes::RULE,
    &pss::allow_privilege_escalation::RULE,
    &pss::run_as_non_root::RULE,
    &pss::run_as_user::RULE,
    &pss::seccomp_restricted::RULE,
    &pss::capabilities_restricted::RULE,
    &pss::proc_mount_restricted::RULE,
    &pod::read_only_root_filesystem::RULE,
    &pod::missing_resource_limits::RULE,
    &pod::missing_resource_requests::RULE,
    &pod::container_runtime_socket::RULE,
    &pod::sensitive_host_path::RULE,
    &pod::writable_host_path::RULE,
    &pod::cloud_credentials_host_path::RULE,
    &pod::root_group::RULE,
    &pod::default_namespace::RULE,
    &pod::missing_probes::RULE,
    &pod::ssh_port::RULE,
    &image::latest_tag::RULE,
    &image::unpinned_image::RULE,
    &image::deprecated_registry::RULE,
    &image::sudo_in_command::RULE,
    &network::default_deny_ingress::RULE,
    &network::default_deny_egress::RULE,
    &network::allow_all_policy::RULE,
    &network::exposed_service::RULE,
    &network::service_external_ips::RULE,
    &network::ingress_without_tls::RULE,
    &network::exposed_host_workload::RULE,
    &rbac::cluster_admin_binding::RULE,
    &rbac::admin_equivalent::RULE,
    &rbac::wildcard::RULE,
    &rbac::read_secrets::RULE,
    &rbac::create_workloads::RULE,
    &rbac::bind_roles::RULE,
    &rbac::escalate_roles::RULE,
    &rbac::impersonate::RULE,
    &rbac::create_persistent_volumes::RULE,
    &rbac::nodes_proxy::RULE,
    &rbac::approve_csr::RULE,
    &rbac::webhook_configuration::RULE,
    &rbac::token_request::RULE,
    &rbac::pod_exec::RULE,
    &rbac::ephemeral_containers::RULE,
    &rbac::modify_namespaces::RULE,
    &rbac::anonymous_binding::RULE,
    &rbac::authenticated_binding::RULE,
    &rbac::workload_powers::RULE,
    &secrets::secret_in_env::RULE,
    &secrets::hardcoded_credential::RULE,
    &secrets::legacy_token_secret::RULE,
    &secrets::secret_in_manifest::RULE,
    &pal::suppression_without_reason::RULE,
    &pal::suppression_unknown_rule::RULE,
    &pal::duplicate_key::RULE,
    &pal::waiver_expired::RULE,
    &pal::waiver_unused::RULE,
];

/// Every built-in rule, in id order.
pub fn registry() -> &'static [&'static Rule] {
    REGISTRY
}

/// A rule by id or name (case-insensitive).
pub fn find_rule(id_or_name: &str) -> Option<&'static Rule> {
    REGISTRY.iter().copied().find(|r| {
        r.meta.id.eq_ignore_ascii_case(id_or_name) || r.meta.name.eq_ignore_ascii_case(id_or_name)
    })
}
