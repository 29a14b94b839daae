//! Kubelet configuration (`KubeletConfiguration`, `kubelet.config.k8s.io`) as it appears in
//! scanned files: authentication, authorization, ports, certificates and kernel settings
//! (CIS Kubernetes Benchmark 4.2). Unset fields take the v1beta1 defaults.

pub mod anonymous_api_live;
pub mod anonymous_auth;
pub mod anonymous_contradiction;
pub mod authorization_mode;
pub mod client_ca;
pub mod event_record_qps;
pub mod iptables_util_chains;
pub mod pod_pids_limit;
pub mod protect_kernel_defaults;
pub mod read_only_port;
pub mod read_only_port_live;
pub mod rotate_certificates;
pub mod seccomp_default;
pub mod server_certificate_rotation;
pub mod serving_certificate;
pub mod static_pod_url;
pub mod streaming_idle_timeout;
pub mod tls_cipher_suites;
pub mod tls_min_version;
pub mod token_webhook;

use palisade_engine::prelude::*;

/// Whether the kubelet's effective configuration, as read from the node, allows anonymous
/// requests (`None` when it was not read).
pub(crate) fn configured_anonymous(facts: &NodeFacts) -> Option<bool> {
    facts
        .kubelet_config
        .as_ref()?
        .pointer("/authentication/anonymous/enabled")
        .and_then(|v| v.as_bool())
        .or(Some(false))
}

/// A requirement on one field of the configuration.
pub(crate) enum Check {
    /// The field must have this value; unset is fine when the default is safe.
    Equals {
        path: &'static [&'static str],
        value: &'static str,
        unset_ok: bool,
    },
    /// The field must not have any of these values (unset is fine).
    NotIn {
        path: &'static [&'static str],
        bad: &'static [&'static str],
    },
    /// Every field must be set, unless `unless` (a field) is `true`.
    Set {
        paths: &'static [&'static [&'static str]],
        unless: Option<&'static [&'static str]>,
    },
    /// The field must not be set.
    Unset(&'static [&'static str]),
    /// Every item of the list field, when set, must be in `allowed`.
    Subset {
        path: &'static [&'static str],
        allowed: &'static [&'static str],
    },
}

fn pointer(path: &[&str]) -> String {
    path.iter().map(|p| format!("/{p}")).collect()
}

fn dotted(path: &[&str]) -> String {
    path.join(".")
}

/// Evaluate a requirement on a KubeletConfiguration object.
pub(crate) fn evaluate(object: &Object<'_, '_>, ctx: &mut Ctx<'_>, check: &Check) {
    if object.kind != "KubeletConfiguration"
        || !object.api_version.starts_with("kubelet.config.k8s.io/")
    {
        return;
    }
    ctx.applicable();
    let text = |path: &[&str]| {
        object
            .root
            .path(path)
            .filter(|n| !n.is_null())
            .and_then(|n| n.scalar_text())
    };
    match *check {
        Check::Equals {
            path,
            value,
            unset_ok,
        } => match text(path) {
            Some(v) if v == value => {}
            Some(v) => ctx.report(
                pointer(path),
                format!("{} is {v}; it must be {value}", dotted(path)),
            ),
            None if unset_ok => {}
            None => ctx.report(
                pointer(path),
                format!("{} is not set to {value}", dotted(path)),
            ),
        },
        Check::NotIn { path, bad } => {
            if let Some(v) = text(path).filter(|v| bad.contains(&v.as_ref())) {
                ctx.report(pointer(path), format!("{} is {v}", dotted(path)));
            }
        }
        Check::Set { paths, unless } => {
            if unless.is_some_and(|u| text(u).as_deref() == Some("true")) {
                return;
            }
            let missing: Vec<String> = paths
                .iter()
                .filter(|p| text(p).is_none_or(|v| v.is_empty()))
                .map(|p| dotted(p))
                .collect();
            if let Some(first) = paths.iter().find(|p| text(p).is_none_or(|v| v.is_empty())) {
                ctx.report(pointer(first), format!("{} not set", missing.join(" and ")));
            }
        }
        Check::Unset(path) => {
            if text(path).is_some_and(|v| !v.is_empty()) {
                ctx.report(pointer(path), format!("{} is set", dotted(path)));
            }
        }
        Check::Subset { path, allowed } => {
            let Some(list) = object.root.path(path) else {
                return;
            };
            let bad: Vec<&str> = list
                .items()
                .filter_map(|i| i.as_str())
                .filter(|s| !allowed.contains(s))
                .collect();
            if !bad.is_empty() {
                ctx.report(
                    pointer(path),
                    format!("{} allows {}", dotted(path), bad.join(", ")),
                );
            }
        }
    }
}
