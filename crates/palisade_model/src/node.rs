//! What a node check reads from a node's root: files with their modes and owners, and the
//! command lines of the Kubernetes components running there. A reader fills [`NodeFacts`]
//! (from a mounted root, or a fake root in tests); node rules ([`NodeFacts`] is their input)
//! never do IO.

use palisade_diagnostics::{NodeFileRef, Subject};
use serde::Deserialize;

/// One node's facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NodeFacts {
    /// The node's name (its hostname), when known.
    pub node: Option<String>,
    /// The operating system (`PRETTY_NAME` of os-release), when known.
    pub os: Option<String>,
    /// The kernel release, when known.
    pub kernel: Option<String>,
    /// Files of interest (component configurations, PKI, kubeconfigs), by absolute path on
    /// the node.
    pub files: Vec<NodeFile>,
    /// Kubernetes components running on the node, from their command lines.
    pub processes: Vec<Process>,
    /// The kubelet's effective configuration (file, drop-ins and flags merged), when read.
    pub kubelet_config: Option<serde_json::Value>,
    /// What the components' endpoints answered when probed.
    pub endpoints: Vec<Endpoint>,
    /// The providers the API server's EncryptionConfiguration lists for Secrets, in order
    /// (the first encrypts), when it was read.
    pub secret_encryption: Option<Vec<String>>,
}

/// What a component's endpoint answered to a probe that asked as nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Endpoint {
    /// `kubelet`, `kubelet-read-only` or `kube-apiserver`.
    pub component: String,
    /// `host:port` or URL probed.
    pub address: String,
    /// Why it could not be probed (refused, timed out), when it could not.
    pub error: Option<String>,
    /// The status of each anonymous request, by path.
    pub anonymous: Vec<Answer>,
    /// etcd: whether it served a client over plain HTTP (gRPC without TLS).
    pub plaintext: Option<bool>,
    /// etcd: whether it served a TLS client that presented no certificate.
    pub without_client_certificate: Option<bool>,
    /// etcd: what a sample of the Secrets it stores looks like.
    pub secrets: Option<SecretSample>,
}

/// How a sample of the Secrets etcd holds is stored (values are never kept).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SecretSample {
    /// Secrets read.
    pub sampled: usize,
    /// Of those, stored without encryption.
    pub plaintext: usize,
    /// Encryption providers in use (`aescbc`, `kms v2`, …) with the key names each used.
    pub providers: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
}

/// The status an anonymous request got.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Answer {
    /// The path asked.
    pub path: String,
    /// The HTTP status.
    pub status: u16,
}

impl Endpoint {
    /// The paths that answered an anonymous request with a success.
    pub fn open_paths(&self) -> Vec<&str> {
        self.anonymous
            .iter()
            .filter(|a| (200..300).contains(&a.status))
            .map(|a| a.path.as_str())
            .collect()
    }
}

/// What a file is to the node's Kubernetes components: what the CIS Benchmark's file checks
/// are about. The reader decides it (from the components' flags, else kubeadm's defaults), so
/// that rules never guess from paths.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    /// The kube-apiserver static pod manifest.
    ApiServerManifest,
    /// The kube-controller-manager static pod manifest.
    ControllerManagerManifest,
    /// The kube-scheduler static pod manifest.
    SchedulerManifest,
    /// The etcd static pod manifest.
    EtcdManifest,
    /// A CNI configuration file.
    CniConfig,
    /// `admin.conf` or `super-admin.conf`.
    AdminKubeconfig,
    /// The scheduler's kubeconfig.
    SchedulerKubeconfig,
    /// The controller manager's kubeconfig.
    ControllerManagerKubeconfig,
    /// A certificate under the Kubernetes PKI directory.
    PkiCertificate,
    /// A private key under the Kubernetes PKI directory.
    PkiKey,
    /// Anything else under the Kubernetes PKI directory (the directory itself included).
    PkiOther,
    /// The etcd data directory.
    EtcdDataDir,
    /// The kubelet's systemd drop-in.
    KubeletServiceDropIn,
    /// kube-proxy's kubeconfig.
    KubeProxyKubeconfig,
    /// The kubelet's kubeconfig.
    KubeletKubeconfig,
    /// The CA the kubelet verifies client certificates with.
    KubeletClientCa,
    /// The kubelet's configuration file.
    KubeletConfig,
    /// A container runtime's API socket.
    RuntimeSocket,
}

/// A file's metadata.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeFile {
    /// Absolute path on the node.
    pub path: String,
    /// What the file is.
    pub role: FileRole,
    /// Owner's name from the node's `/etc/passwd`, when it has one.
    #[serde(default)]
    pub user: Option<String>,
    /// Group's name from the node's `/etc/group`, when it has one.
    #[serde(default)]
    pub group: Option<String>,
    /// Permission bits (`0o600`); read from a number or an octal string (`"600"`).
    #[serde(deserialize_with = "octal_mode")]
    pub mode: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
}

/// A mode as a number, or as the octal digits people write (`"600"`, `"0o600"`).
fn octal_mode<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Mode {
        Number(u32),
        Text(String),
    }
    match Mode::deserialize(d)? {
        Mode::Number(n) => Ok(n),
        Mode::Text(t) => {
            let digits = t.trim_start_matches("0o");
            u32::from_str_radix(digits, 8)
                .map_err(|_| serde::de::Error::custom(format!("{t:?} is not an octal mode")))
        }
    }
}

impl NodeFile {
    /// Whether the owner is `root:root` (uid and gid 0).
    pub fn root_owned(&self) -> bool {
        self.uid == 0 && self.gid == 0
    }

    /// `user:group`, by name where the node has one, else by id.
    pub fn owner(&self) -> String {
        format!(
            "{}:{}",
            self.user.clone().unwrap_or_else(|| self.uid.to_string()),
            self.group.clone().unwrap_or_else(|| self.gid.to_string())
        )
    }

    /// Whether the permissions are at most `max` (no bit set that `max` does not set):
    /// the CIS Benchmark's "permissions set to 600 or more restrictive".
    pub fn mode_at_most(&self, max: u32) -> bool {
        self.mode & 0o7777 & !max == 0
    }
}

/// A process and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Process {
    /// The executable's name (`kubelet`, `kube-apiserver`, `etcd`).
    pub name: String,
    /// Its arguments, without the executable.
    pub args: Vec<String>,
}

impl Process {
    /// A process named `name` with `args`.
    pub fn new(name: &str, args: &[&str]) -> Process {
        Process {
            name: name.to_string(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// The value of `--name`, written `--name=value` or `--name value`; the last occurrence
    /// wins, as with the components' flag parser. A boolean flag given alone reads `true`.
    pub fn flag(&self, name: &str) -> Option<&str> {
        let mut found = None;
        let mut args = self.args.iter().peekable();
        while let Some(arg) = args.next() {
            let Some(rest) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
                continue;
            };
            match rest.split_once('=') {
                Some((key, value)) if key == name => found = Some(value),
                None if rest == name => {
                    found = match args.peek() {
                        Some(next) if !next.starts_with('-') => args.next().map(String::as_str),
                        _ => Some("true"),
                    };
                }
                _ => {}
            }
        }
        found
    }
}

impl NodeFacts {
    /// The file at `path`, when it was read.
    pub fn file(&self, path: &str) -> Option<&NodeFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The files that play `role`.
    pub fn files_of(&self, role: FileRole) -> impl Iterator<Item = &NodeFile> {
        self.files.iter().filter(move |f| f.role == role)
    }

    /// The running component named `name`.
    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
    }

    /// The probed endpoints of `component`.
    pub fn endpoints_of<'s>(&'s self, component: &'s str) -> impl Iterator<Item = &'s Endpoint> {
        self.endpoints
            .iter()
            .filter(move |e| e.component == component)
    }

    /// The finding subject for an endpoint.
    pub fn endpoint_subject(endpoint: &Endpoint) -> Subject {
        Subject::Endpoint(palisade_diagnostics::EndpointRef {
            component: endpoint.component.as_str().into(),
            address: endpoint.address.as_str().into(),
        })
    }

    /// The finding subject for a file of this node.
    pub fn subject(&self, path: &str) -> Subject {
        Subject::NodeFile(NodeFileRef {
            node: self.node.as_deref().map(Into::into),
            path: path.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubelet(args: &[&str]) -> Process {
        Process::new("kubelet", args)
    }

    #[test]
    fn flags_read_as_the_components_parse_them() {
        let p = kubelet(&[
            "--anonymous-auth=true",
            "--config",
            "/var/lib/kubelet/config.yaml",
            "--rotate-certificates",
            "--read-only-port=10255",
            "--anonymous-auth=false",
        ]);
        assert_eq!(p.flag("anonymous-auth"), Some("false"));
        assert_eq!(p.flag("config"), Some("/var/lib/kubelet/config.yaml"));
        assert_eq!(p.flag("rotate-certificates"), Some("true"));
        assert_eq!(p.flag("read-only-port"), Some("10255"));
        assert_eq!(p.flag("authorization-mode"), None);
    }

    #[test]
    fn modes_compare_as_the_benchmark_says() {
        let file = |mode| NodeFile {
            path: "/etc/kubernetes/admin.conf".into(),
            role: FileRole::AdminKubeconfig,
            user: None,
            group: None,
            mode,
            uid: 0,
            gid: 0,
        };
        assert!(file(0o600).mode_at_most(0o600));
        assert!(file(0o400).mode_at_most(0o600));
        assert!(!file(0o644).mode_at_most(0o600));
        assert!(!file(0o4600).mode_at_most(0o600));
        let facts = NodeFacts {
            node: Some("cp-1".into()),
            files: vec![file(0o644)],
            processes: vec![kubelet(&[])],
            ..NodeFacts::default()
        };
        assert!(facts.file("/etc/kubernetes/admin.conf").is_some());
        assert!(facts.process("kubelet").is_some());
        assert_eq!(
            facts.subject("/etc/kubernetes/admin.conf").display_name(),
            "cp-1:/etc/kubernetes/admin.conf"
        );
    }
}
