//! The kubelet's effective configuration: its configuration file (`--config`), then the
//! drop-ins of `--config-dir` in name order, then its command-line flags, each over the last,
//! as the kubelet merges them. A kubelet run without a configuration file takes its flags'
//! defaults, which are not the file's: anonymous requests allowed, `AlwaysAllow`, the
//! read-only port 10255.

use palisade_model::node::Process;
use serde_json::{Map, Value, json};

/// Flags that set a field of the configuration: flag, field path, how the value reads.
const FLAGS: &[(&str, &[&str], Kind)] = &[
    (
        "anonymous-auth",
        &["authentication", "anonymous", "enabled"],
        Kind::Bool,
    ),
    (
        "authentication-token-webhook",
        &["authentication", "webhook", "enabled"],
        Kind::Bool,
    ),
    (
        "client-ca-file",
        &["authentication", "x509", "clientCAFile"],
        Kind::Text,
    ),
    ("authorization-mode", &["authorization", "mode"], Kind::Text),
    ("read-only-port", &["readOnlyPort"], Kind::Number),
    (
        "streaming-connection-idle-timeout",
        &["streamingConnectionIdleTimeout"],
        Kind::Text,
    ),
    (
        "make-iptables-util-chains",
        &["makeIPTablesUtilChains"],
        Kind::Bool,
    ),
    ("event-qps", &["eventRecordQPS"], Kind::Number),
    ("tls-cert-file", &["tlsCertFile"], Kind::Text),
    ("tls-private-key-file", &["tlsPrivateKeyFile"], Kind::Text),
    ("tls-min-version", &["tlsMinVersion"], Kind::Text),
    ("tls-cipher-suites", &["tlsCipherSuites"], Kind::List),
    ("rotate-certificates", &["rotateCertificates"], Kind::Bool),
    (
        "rotate-server-certificates",
        &["serverTLSBootstrap"],
        Kind::Bool,
    ),
    ("feature-gates", &["featureGates"], Kind::Gates),
    ("pod-max-pids", &["podPidsLimit"], Kind::Number),
    ("seccomp-default", &["seccompDefault"], Kind::Bool),
    (
        "protect-kernel-defaults",
        &["protectKernelDefaults"],
        Kind::Bool,
    ),
    ("pod-manifest-path", &["staticPodPath"], Kind::Text),
    ("manifest-url", &["staticPodURL"], Kind::Text),
];

/// What the kubelet's flags default to where its configuration file's fields default
/// otherwise: they apply when it runs without a file.
/// Values are JSON.
const FLAG_DEFAULTS: &[(FieldPath, &str)] = &[
    (&["authentication", "anonymous", "enabled"], "true"),
    (&["authentication", "webhook", "enabled"], "false"),
    (&["authorization", "mode"], "\"AlwaysAllow\""),
    (&["readOnlyPort"], "10255"),
];

/// A field of the configuration, as the keys leading to it.
type FieldPath = &'static [&'static str];

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Number,
    Text,
    List,
    Gates,
}

/// The kubelet's effective configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct KubeletConfig {
    /// The merged configuration (a `KubeletConfiguration` object).
    pub value: Value,
    /// Whether a drop-in or a flag changed what the file says (else the file is the
    /// configuration, and findings can point into it).
    pub overridden: bool,
    /// The flags that set a field, as `--name`.
    pub flags: Vec<String>,
}

/// Merge the configuration `file` (its text, when the kubelet has one), the `drop_ins` (texts,
/// in name order) and the flags of `kubelet`.
pub fn effective_kubelet_config(
    file: Option<&str>,
    drop_ins: &[String],
    kubelet: Option<&Process>,
) -> Result<KubeletConfig, String> {
    let mut value = match file {
        Some(text) => parse(text)?,
        None => {
            let mut base = json!({});
            for (path, default) in FLAG_DEFAULTS {
                set(
                    &mut base,
                    path,
                    serde_json::from_str(default).unwrap_or(Value::Null),
                );
            }
            base
        }
    };
    let mut overridden = false;
    for text in drop_ins {
        merge(&mut value, parse(text)?);
        overridden = true;
    }
    let mut flags = Vec::new();
    if let Some(kubelet) = kubelet {
        for (flag, path, kind) in FLAGS {
            let Some(text) = kubelet.flag(flag) else {
                continue;
            };
            let v = match kind {
                Kind::Bool => json!(matches!(text, "true" | "1" | "t" | "T" | "TRUE" | "True")),
                Kind::Number => text
                    .parse::<i64>()
                    .map(Value::from)
                    .or_else(|_| text.parse::<f64>().map(Value::from))
                    .unwrap_or_else(|_| json!(text)),
                Kind::Text => json!(text),
                Kind::List => json!(
                    text.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                ),
                Kind::Gates => {
                    let mut gates = Map::new();
                    for pair in text.split(',') {
                        if let Some((k, v)) = pair.split_once('=') {
                            gates.insert(k.trim().to_string(), json!(v.trim() == "true"));
                        }
                    }
                    Value::Object(gates)
                }
            };
            if matches!(kind, Kind::Gates) {
                let mut patch = json!({});
                set(&mut patch, path, v);
                merge(&mut value, patch);
            } else {
                set(&mut value, path, v);
            }
            flags.push(format!("--{flag}"));
            overridden = true;
        }
    }
    if let Value::Object(map) = &mut value {
        map.entry("apiVersion")
            .or_insert_with(|| json!("kubelet.config.k8s.io/v1beta1"));
        map.entry("kind")
            .or_insert_with(|| json!("KubeletConfiguration"));
    }
    Ok(KubeletConfig {
        value,
        overridden: overridden || file.is_none(),
        flags,
    })
}

fn parse(text: &str) -> Result<Value, String> {
    let value: Value = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Ok(json!({})),
        _ => Err("not a KubeletConfiguration object".to_string()),
    }
}

/// Set a field, creating the objects on its path.
fn set(value: &mut Value, path: &[&str], v: Value) {
    let mut at = value;
    for key in &path[..path.len() - 1] {
        if !at.get(*key).is_some_and(Value::is_object) {
            at[*key] = json!({});
        }
        at = &mut at[*key];
    }
    at[path[path.len() - 1]] = v;
}

/// Objects merge field by field; anything else replaces.
fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubelet(args: &[&str]) -> Process {
        Process::new("kubelet", args)
    }

    #[test]
    fn flags_win_over_drop_ins_which_win_over_the_file() {
        let file = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous: {enabled: false}\n  webhook: {enabled: true}\nreadOnlyPort: 0\nfeatureGates: {A: true}\n";
        let drop_ins = vec!["readOnlyPort: 10255\nfeatureGates: {B: false}\n".to_string()];
        let c = effective_kubelet_config(
            Some(file),
            &drop_ins,
            Some(&kubelet(&[
                "--anonymous-auth=true",
                "--feature-gates=C=true",
                "--config=/x",
            ])),
        )
        .unwrap();
        assert!(c.overridden);
        assert_eq!(c.value["authentication"]["anonymous"]["enabled"], true);
        assert_eq!(c.value["authentication"]["webhook"]["enabled"], true);
        assert_eq!(c.value["readOnlyPort"], 10255);
        assert_eq!(
            c.value["featureGates"],
            json!({"A": true, "B": false, "C": true})
        );
        assert_eq!(c.flags, ["--anonymous-auth", "--feature-gates"]);

        let plain =
            effective_kubelet_config(Some(file), &[], Some(&kubelet(&["--config=/x"]))).unwrap();
        assert!(!plain.overridden, "the file is the configuration");
    }

    #[test]
    fn without_a_file_the_flag_defaults_apply() {
        let c =
            effective_kubelet_config(None, &[], Some(&kubelet(&["--read-only-port=0"]))).unwrap();
        assert_eq!(c.value["authentication"]["anonymous"]["enabled"], true);
        assert_eq!(c.value["authorization"]["mode"], "AlwaysAllow");
        assert_eq!(c.value["readOnlyPort"], 0);
        assert_eq!(c.value["kind"], "KubeletConfiguration");
    }

    #[test]
    fn a_file_that_is_not_an_object_is_an_error() {
        assert!(effective_kubelet_config(Some("- a\n- b\n"), &[], None).is_err());
    }
}
