//! Control-plane component configuration read from static pod manifests: kube-apiserver,
//! kube-controller-manager, kube-scheduler and etcd flags (CIS Kubernetes Benchmark 1.2–1.4 and
//! 2). Each rule is one flag requirement, evaluated with the comparison kube-bench uses.

pub mod always_admit;
pub mod always_pull_images;
pub mod anonymous_api_live;
pub mod anonymous_auth;
pub mod apiserver_etcd_tls;
pub mod apiserver_profiling;
pub mod apiserver_tls;
pub mod audit_log_maxage;
pub mod audit_log_maxbackup;
pub mod audit_log_maxsize;
pub mod audit_log_path;
pub mod audit_policy_file;
mod authorization;
pub mod authorization_always_allow;
pub mod authorization_node;
pub mod authorization_rbac;
pub mod bound_token_settings;
pub mod client_ca;
pub mod controller_manager_bind_address;
pub mod controller_manager_profiling;
pub mod deny_external_ips;
pub mod encryption_provider;
pub mod encryption_provider_config;
pub mod etcd_auto_tls;
pub mod etcd_client_cert_auth;
pub mod etcd_no_client_cert_live;
pub mod etcd_peer_auto_tls;
pub mod etcd_peer_client_cert_auth;
pub mod etcd_peer_tls;
pub mod etcd_plaintext_live;
pub mod etcd_plaintext_urls;
pub mod etcd_secrets_live;
pub mod etcd_single_key_live;
pub mod etcd_tls;
pub mod etcd_trusted_ca;
pub mod event_rate_limit;
pub mod event_rate_limit_config;
pub mod extend_token_expiration;
pub mod image_policy_default_allow;
pub mod image_policy_webhook;
pub mod insecure_bind_address;
pub mod insecure_port;
pub mod kubelet_certificate_authority;
pub mod kubelet_client_certificate;
pub mod kubelet_server_certificate_rotation;
pub mod namespace_lifecycle;
pub mod node_restriction;
pub mod oidc_authentication;
pub mod pod_security_admission;
pub mod request_timeout;
pub mod root_ca_file;
pub mod scheduler_bind_address;
pub mod scheduler_profiling;
pub mod service_account_credentials;
pub mod service_account_key_file;
pub mod service_account_lookup;
pub mod service_account_plugin;
pub mod service_account_private_key;
pub mod terminated_pod_gc;
pub mod tls_cipher_suites;
pub mod tls_min_version;
pub mod token_auth_file;

use palisade_engine::prelude::*;
use palisade_model::component::{Component, ComponentFlags};

/// A flag requirement.
pub(crate) enum Check {
    /// The flag must equal `value`; when unset, the component default applies (`unset_ok`).
    Equals {
        flag: &'static str,
        value: &'static str,
        unset_ok: bool,
    },
    /// Every flag must be set.
    Set(&'static [&'static str]),
    /// At least one of the flags must be set.
    SetAny(&'static [&'static str]),
    /// The flag, when set, must not have any of these values.
    NotIn {
        flag: &'static str,
        bad: &'static [&'static str],
    },
    /// The duration flag (Go syntax, e.g. `1m30s`), when set, must be at most `max_seconds`.
    DurationAtMost {
        flag: &'static str,
        max_seconds: f64,
    },
    /// The flag must not be set.
    Unset(&'static str),
    /// The comma-separated flag must contain `item`.
    Contains {
        flag: &'static str,
        item: &'static str,
        unset_ok: bool,
    },
    /// The comma-separated flag must not contain `item` (unset never contains it unless the
    /// component default does: `default_has`).
    Lacks {
        flag: &'static str,
        item: &'static str,
        default_has: bool,
    },
    /// The numeric flag must be set and at least `min`.
    AtLeast { flag: &'static str, min: i64 },
    /// Every URL in these flags must be `https://`.
    HttpsOnly(&'static [&'static str]),
    /// Every item of the flag, when set, must be in `allowed`.
    Subset {
        flag: &'static str,
        allowed: &'static [&'static str],
    },
    /// The address flag must be a loopback address; unset, the component listens on
    /// `default`.
    Loopback {
        flag: &'static str,
        default: &'static str,
    },
    /// A requirement the variants above cannot express: the pointer and message of a
    /// failure.
    Custom(fn(&ComponentFlags<'_>) -> Option<(String, String)>),
}

/// Where to report about `flag`: the argument that sets it, else the list of flags.
pub(crate) fn flag_pointer(c: &ComponentFlags<'_>, flag: &str) -> String {
    c.get(flag)
        .map_or_else(|| c.list_pointer.clone(), |f| f.pointer.clone())
}

pub(crate) fn check_one(c: &ComponentFlags<'_>, check: &Check) -> Option<(String, String)> {
    let bin = c.component.binary();
    let at = |flag: &str| flag_pointer(c, flag);
    match *check {
        Check::Equals {
            flag,
            value,
            unset_ok,
        } => match c.value(flag) {
            Some(v) if v == value => None,
            Some(v) => Some((
                at(flag),
                format!("{bin} sets --{flag}={v}; it must be {value}"),
            )),
            None if unset_ok => None,
            None => Some((
                at(flag),
                format!("{bin} does not set --{flag}={value} (the default is unsafe)"),
            )),
        },
        Check::Set(flags) => {
            let missing: Vec<String> = flags
                .iter()
                .filter(|f| c.value(f).is_none_or(str::is_empty))
                .map(|f| format!("--{f}"))
                .collect();
            (!missing.is_empty()).then(|| {
                (
                    c.list_pointer.clone(),
                    format!("{bin} does not set {}", missing.join(" and ")),
                )
            })
        }
        Check::SetAny(flags) => flags
            .iter()
            .all(|f| c.value(f).is_none_or(str::is_empty))
            .then(|| {
                let names: Vec<String> = flags.iter().map(|f| format!("--{f}")).collect();
                (
                    c.list_pointer.clone(),
                    format!("{bin} sets none of {}", names.join(", ")),
                )
            }),
        Check::NotIn { flag, bad } => c
            .value(flag)
            .filter(|v| bad.contains(&v.trim()))
            .map(|v| (at(flag), format!("{bin} sets --{flag}={v}"))),
        Check::DurationAtMost { flag, max_seconds } => c
            .value(flag)
            .filter(|v| go_duration_seconds(v).is_some_and(|s| s > max_seconds))
            .map(|v| {
                (
                    at(flag),
                    format!(
                        "{bin} sets --{flag}={v}, longer than {}",
                        shown_seconds(max_seconds)
                    ),
                )
            }),
        Check::Unset(flag) => c
            .get(flag)
            .map(|f| (f.pointer.clone(), format!("{bin} sets --{flag}"))),
        Check::Contains {
            flag,
            item,
            unset_ok,
        } => {
            if c.list_contains(flag, item) || (unset_ok && c.value(flag).is_none()) {
                None
            } else {
                Some((at(flag), format!("{bin} --{flag} does not include {item}")))
            }
        }
        Check::Lacks {
            flag,
            item,
            default_has,
        } => match c.value(flag) {
            Some(_) if c.list_contains(flag, item) => {
                Some((at(flag), format!("{bin} --{flag} includes {item}")))
            }
            None if default_has => Some((
                at(flag),
                format!("{bin} does not set --{flag}, whose default includes {item}"),
            )),
            _ => None,
        },
        Check::AtLeast { flag, min } => match c.value(flag).map(|v| v.parse::<i64>()) {
            Some(Ok(n)) if n >= min => None,
            Some(_) => Some((at(flag), format!("{bin} sets --{flag} below {min}"))),
            None => Some((
                at(flag),
                format!("{bin} does not set --{flag} (at least {min})"),
            )),
        },
        Check::HttpsOnly(flags) => flags.iter().find_map(|flag| {
            let plain: Vec<&str> = c
                .value(flag)?
                .split(',')
                .map(str::trim)
                .filter(|u| !u.is_empty() && !u.starts_with("https://"))
                .collect();
            (!plain.is_empty()).then(|| {
                (
                    at(flag),
                    format!("{bin} --{flag} has plaintext URLs {}", plain.join(", ")),
                )
            })
        }),
        Check::Subset { flag, allowed } => {
            let bad: Vec<&str> = c
                .value(flag)?
                .split(',')
                .map(str::trim)
                .filter(|s| !allowed.contains(s))
                .collect();
            (!bad.is_empty()).then(|| {
                (
                    at(flag),
                    format!("{bin} --{flag} allows {}", bad.join(", ")),
                )
            })
        }
        Check::Loopback { flag, default } => match c.value(flag) {
            Some(v) if is_loopback(v) => None,
            Some(v) => Some((
                at(flag),
                format!("{bin} sets --{flag}={v}, not a loopback address such as 127.0.0.1"),
            )),
            None => Some((
                at(flag),
                format!(
                    "{bin} does not set --{flag}, so it listens on {default}; set it to 127.0.0.1"
                ),
            )),
        },
        Check::Custom(check) => check(c),
    }
}

/// Whether an address flag's value is a loopback IP (`127.0.0.0/8`, `::1`).
pub(crate) fn is_loopback(value: &str) -> bool {
    value
        .trim()
        .parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Evaluate a requirement on every container of `component` in the pod.
pub(crate) fn evaluate(
    pod: &PodSpecView<'_, '_>,
    ctx: &mut Ctx<'_>,
    component: Component,
    check: &Check,
) {
    evaluate_all(pod, ctx, &[component], std::slice::from_ref(check));
}

/// Evaluate requirements on every container in the pod that runs one of `components`.
pub(crate) fn evaluate_all(
    pod: &PodSpecView<'_, '_>,
    ctx: &mut Ctx<'_>,
    components: &[Component],
    checks: &[Check],
) {
    ctx.not_applicable();
    for c in pod
        .components()
        .iter()
        .filter(|c| components.contains(&c.component))
    {
        ctx.applicable();
        for check in checks {
            if let Some((pointer, message)) = check_one(c, check) {
                ctx.report(pointer, message);
            }
        }
    }
}

/// The inline `configuration` of every `plugins` entry named `plugin` in an
/// `AdmissionConfiguration` (`apiserver.config.k8s.io` or `apiserver.k8s.io`), with its JSON
/// pointer. Marks the rule applicable when there is one. Plugins configured through `path`
/// (a separate file) are not visible here.
pub(crate) fn admission_plugin_configs<'d, 'a>(
    object: &Object<'d, 'a>,
    ctx: &mut Ctx<'_>,
    plugin: &str,
) -> Vec<(String, NodeRef<'d, 'a>)> {
    let group = object.api_version.split('/').next().unwrap_or("");
    if object.kind != "AdmissionConfiguration"
        || !matches!(group, "apiserver.config.k8s.io" | "apiserver.k8s.io")
    {
        return Vec::new();
    }
    let Some(plugins) = object.root.get("plugins") else {
        return Vec::new();
    };
    let configs: Vec<(String, NodeRef<'d, 'a>)> = plugins
        .items()
        .enumerate()
        .filter(|(_, p)| p.get("name").and_then(|n| n.as_str()) == Some(plugin))
        .filter_map(|(i, p)| {
            let config = p.get("configuration").filter(|c| c.is_map())?;
            Some((format!("/plugins/{i}/configuration"), config))
        })
        .collect();
    if !configs.is_empty() {
        ctx.applicable();
    }
    configs
}

/// TLS versions older than 1.2, as Go components (`VersionTLS11`) and etcd (`TLS1.1`) spell
/// them: the control-plane components and the kubelet must not accept them.
pub(crate) const WEAK_TLS_VERSIONS: &[&str] = &["VersionTLS10", "VersionTLS11", "TLS1.0", "TLS1.1"];

/// The length of a Go duration (`300s`, `1h30m`, `1.5h`, `500ms`) in seconds; `None` when the
/// text is not one (the component would refuse to start).
pub(crate) fn go_duration_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut any = false;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += number * scale;
        any = true;
    }
    any.then_some(if negative { -total } else { total })
}

/// `90s`, `10m` or `2h`, for messages.
fn shown_seconds(seconds: f64) -> String {
    if seconds >= 3600.0 && seconds % 3600.0 == 0.0 {
        format!("{}h", seconds / 3600.0)
    } else if seconds >= 60.0 && seconds % 60.0 == 0.0 {
        format!("{}m", seconds / 60.0)
    } else {
        format!("{seconds}s")
    }
}

#[cfg(test)]
mod tests {
    use super::go_duration_seconds as d;
    use super::is_loopback;

    #[test]
    fn loopback_addresses() {
        for a in ["127.0.0.1", "127.1.2.3", "::1", " 127.0.0.1"] {
            assert!(is_loopback(a), "{a}");
        }
        for a in ["0.0.0.0", "10.0.0.5", "::", "localhost", ""] {
            assert!(!is_loopback(a), "{a}");
        }
    }

    #[test]
    fn parses_go_durations() {
        assert_eq!(d("60s"), Some(60.0));
        assert_eq!(d("1m0s"), Some(60.0));
        assert_eq!(d("1h30m"), Some(5400.0));
        assert_eq!(d("1.5h"), Some(5400.0));
        assert_eq!(d("500ms"), Some(0.5));
        assert_eq!(d("0"), Some(0.0));
        assert_eq!(d("-5s"), Some(-5.0));
        assert_eq!(d("3600"), None, "Go requires a unit");
        assert_eq!(d("5 minutes"), None);
        assert_eq!(d(""), None);
    }
}
