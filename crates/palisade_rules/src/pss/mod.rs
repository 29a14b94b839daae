//! Pod Security Standards: every upstream Pod Security Admission check, at its levels and
//! versions. Semantics follow the upstream `policy/check_*.go` implementations exactly; where a
//! Go field is a pointer, "set" means present and not `null`.

pub mod admission_defaults;
pub mod allow_privilege_escalation;
pub mod apparmor_profile;
pub mod capabilities_baseline;
pub mod capabilities_restricted;
pub mod host_namespaces;
pub mod host_path_volumes;
pub mod host_ports;
pub mod host_probes;
pub mod namespace_enforcement;
pub mod privileged;
pub mod proc_mount;
pub mod proc_mount_restricted;
pub mod restricted_volumes;
pub mod run_as_non_root;
pub mod run_as_user;
pub mod seccomp_baseline;
pub mod seccomp_restricted;
pub mod selinux_options;
pub mod sysctls;
pub mod windows_host_process;

use palisade_source::NodeRef;

/// A scalar for a message: `"value"` for strings, the literal otherwise.
pub(crate) fn shown(node: Option<NodeRef<'_, '_>>) -> String {
    match node {
        None => "<unset>".to_string(),
        Some(n) => match (n.as_str(), n.scalar_text()) {
            (Some(s), _) => format!("{s:?}"),
            (None, Some(_)) if n.is_null() => "null".to_string(),
            (None, Some(t)) => t.into_owned(),
            (None, None) => "<object>".to_string(),
        },
    }
}

/// A string-typed field's value as Go would see it (absent or `null` is `""`).
pub(crate) fn text<'d>(node: Option<NodeRef<'d, '_>>) -> std::borrow::Cow<'d, str> {
    node.and_then(|n| n.scalar_text()).unwrap_or_default()
}

/// `"value"` with Go-style quoting, for messages.
pub(crate) fn q(s: &str) -> String {
    format!("{s:?}")
}

/// A valid seccomp profile type (both seccomp checks).
pub(crate) fn valid_seccomp_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

/// `spec.os.name == windows` exemption, active from v1.25 for the restricted checks that do
/// not apply to Windows pods.
pub(crate) fn windows_exempt(pod: &palisade_model::PodSpecView<'_, '_>, minor: u32) -> bool {
    minor >= 25 && pod.is_windows()
}

/// `spec.hostUsers: false` relaxation, active from v1.35.
pub(crate) fn user_namespace_relaxed(
    pod: &palisade_model::PodSpecView<'_, '_>,
    minor: u32,
) -> bool {
    minor >= 35 && pod.in_user_namespace()
}
