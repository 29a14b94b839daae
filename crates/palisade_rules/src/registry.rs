//! The ordered list of every built-in rule.

use palisade_engine::Rule;

use crate::{pal, pss};

/// Every built-in rule, in id order.
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
    &pal::suppression_without_reason::RULE,
    &pal::suppression_unknown_rule::RULE,
    &pal::duplicate_key::RULE,
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
