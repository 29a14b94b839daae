//! Collecting a node's facts from its root.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use palisade_model::node::{FileRole, NodeFacts, NodeFile, Process};
use serde_json::Value;

use crate::kubelet::effective_kubelet_config;
use crate::root::{Root, join};

/// The components whose command lines are read from `/proc`.
const COMPONENTS: [&str; 6] = [
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "etcd",
    "kubelet",
    "kube-proxy",
];

/// The control-plane components, with their static pod manifest's file name and role.
const CONTROL_PLANE: [(&str, &str, FileRole); 4] = [
    (
        "kube-apiserver",
        "kube-apiserver.yaml",
        FileRole::ApiServerManifest,
    ),
    (
        "kube-controller-manager",
        "kube-controller-manager.yaml",
        FileRole::ControllerManagerManifest,
    ),
    (
        "kube-scheduler",
        "kube-scheduler.yaml",
        FileRole::SchedulerManifest,
    ),
    ("etcd", "etcd.yaml", FileRole::EtcdManifest),
];

/// Files under the PKI directory read at most (a directory of certificates, not a disk).
const MAX_PKI_ENTRIES: usize = 10_000;

/// Which checks apply: a control-plane node's, or a worker's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Runs the control plane (and usually a kubelet).
    Master,
    /// Runs workloads only.
    Worker,
}

/// The role asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleChoice {
    /// A control-plane node.
    Master,
    /// A worker.
    Worker,
    /// A control-plane node when a control-plane component runs or has a manifest there.
    Auto,
}

/// A configuration the rules read as a document: a static pod manifest, the kubelet's
/// effective configuration, or a component's command line as a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeDocument {
    /// Where it is shown to come from (a file on the node, or a description of a merge).
    pub path: String,
    /// Its text (YAML or JSON).
    pub text: String,
}

/// What was read from a node.
#[derive(Debug, Clone, Default)]
pub struct Collected {
    /// Files, processes, OS.
    pub facts: NodeFacts,
    /// Configurations the component rules read.
    pub documents: Vec<NodeDocument>,
    /// What could not be read or was read with a caveat, one sentence each.
    pub notes: Vec<String>,
    /// The role the checks were chosen for.
    pub role: Option<Role>,
    /// The API server's arguments, as checked (its process, else its manifest).
    pub apiserver: Option<Process>,
}

/// Why a root cannot be read at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// The root is not a directory.
    #[error("{0}: not a directory")]
    NotADirectory(PathBuf),
    /// Nothing of Kubernetes is there.
    #[error(
        "{0}: no Kubernetes node found there (no kubelet or control-plane process, configuration, manifest or kubeconfig)"
    )]
    NotANode(PathBuf),
}

/// Read the node whose root is `dir`.
pub fn collect(dir: &Path, choice: RoleChoice) -> Result<Collected, NodeError> {
    if !dir.is_dir() {
        return Err(NodeError::NotADirectory(dir.to_path_buf()));
    }
    let root = Root::new(dir);
    let mut out = Collected::default();
    let users = names(&root, "/etc/passwd");
    let groups = names(&root, "/etc/group");
    out.facts.node = root
        .read("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    out.facts.os = root.read("/etc/os-release").ok().and_then(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix("PRETTY_NAME="))
            .map(|v| v.trim_matches('"').to_string())
    });
    out.facts.kernel = root
        .read("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| k.trim().to_string());
    let processes = processes(&root);
    out.facts.processes = processes.iter().map(|(_, p)| p.clone()).collect();
    let running = |name: &str| processes.iter().find(|(_, p)| p.name == name);

    let mut files = Files {
        root: &root,
        users: &users,
        groups: &groups,
        list: Vec::new(),
    };

    // The kubelet: its configuration (file, drop-ins, flags), kubeconfig, service drop-in.
    let kubelet = running("kubelet").map(|(_, p)| p);
    let config_path = kubelet
        .and_then(|k| k.flag("config"))
        .unwrap_or("/var/lib/kubelet/config.yaml")
        .to_string();
    let config_text = match root.read(&config_path) {
        Ok(text) => Some(text),
        Err(e) => {
            if kubelet.is_some_and(|k| k.flag("config").is_some()) {
                out.notes.push(format!(
                    "cannot read the kubelet's configuration {config_path}: {e}"
                ));
            }
            None
        }
    };
    files.add(&config_path, FileRole::KubeletConfig);
    let mut drop_ins = Vec::new();
    if let Some(dir) = kubelet.and_then(|k| k.flag("config-dir")) {
        for name in root.list(dir).into_iter().filter(|n| n.ends_with(".conf")) {
            let path = join(dir, &name);
            match root.read(&path) {
                Ok(text) => drop_ins.push(text),
                Err(e) => out
                    .notes
                    .push(format!("cannot read the kubelet drop-in {path}: {e}")),
            }
        }
    }
    let mut static_pods = "/etc/kubernetes/manifests".to_string();
    if config_text.is_some() || kubelet.is_some() {
        match effective_kubelet_config(config_text.as_deref(), &drop_ins, kubelet) {
            Ok(config) => {
                out.facts.kubelet_config = Some(config.value.clone());
                if let Some(path) = config.value.get("staticPodPath").and_then(Value::as_str) {
                    static_pods = path.to_string();
                }
                if let Some(ca) = config
                    .value
                    .pointer("/authentication/x509/clientCAFile")
                    .and_then(Value::as_str)
                {
                    files.add(ca, FileRole::KubeletClientCa);
                }
                let document = match (&config_text, config.overridden) {
                    (Some(text), false) => NodeDocument {
                        path: config_path.clone(),
                        text: text.clone(),
                    },
                    _ => {
                        let mut from = Vec::new();
                        if config_text.is_some() {
                            from.push(config_path.clone());
                        }
                        if !drop_ins.is_empty() {
                            from.push(format!("{} drop-ins", drop_ins.len()));
                        }
                        if !config.flags.is_empty() {
                            from.push(format!("flags {}", config.flags.join(" ")));
                        }
                        if config_text.is_none() {
                            from.push("the flags' defaults".to_string());
                        }
                        NodeDocument {
                            path: format!("kubelet configuration ({})", from.join(" + ")),
                            text: serde_json::to_string_pretty(&config.value).unwrap_or_default(),
                        }
                    }
                };
                out.documents.push(document);
            }
            Err(e) => out.notes.push(format!(
                "the kubelet's configuration {config_path} is not valid: {e}"
            )),
        }
    }
    files.add(
        kubelet
            .and_then(|k| k.flag("kubeconfig"))
            .unwrap_or("/etc/kubernetes/kubelet.conf"),
        FileRole::KubeletKubeconfig,
    );
    for path in [
        "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "/lib/systemd/system/kubelet.service.d/10-kubeadm.conf",
    ] {
        files.add(path, FileRole::KubeletServiceDropIn);
    }
    match running("kube-proxy").and_then(|(_, p)| p.flag("kubeconfig")) {
        Some(path) => files.add(path, FileRole::KubeProxyKubeconfig),
        None => {
            for path in [
                "/var/lib/kube-proxy/kubeconfig.conf",
                "/etc/kubernetes/kube-proxy.conf",
            ] {
                files.add(path, FileRole::KubeProxyKubeconfig);
            }
        }
    }
    for path in [
        "/run/containerd/containerd.sock",
        "/var/run/containerd/containerd.sock",
        "/run/crio/crio.sock",
        "/var/run/crio/crio.sock",
        "/run/docker.sock",
        "/var/run/docker.sock",
        "/run/cri-dockerd.sock",
        "/var/run/cri-dockerd.sock",
    ] {
        files.add(path, FileRole::RuntimeSocket);
    }
    for name in root.list("/etc/cni/net.d") {
        files.add(&join("/etc/cni/net.d", &name), FileRole::CniConfig);
    }

    // The control plane: manifests, running components, kubeconfigs, PKI, etcd's data.
    let mut control_plane = false;
    for (component, file, role) in CONTROL_PLANE {
        let manifest_path = join(&static_pods, file);
        let manifest = root.read(&manifest_path).ok();
        files.add(&manifest_path, role);
        let process = running(component);
        control_plane |= manifest.is_some() || process.is_some();
        if component == "kube-apiserver" {
            out.apiserver = process.map(|(_, p)| p.clone()).or_else(|| {
                manifest
                    .as_deref()
                    .and_then(manifest_args)
                    .map(|args| Process {
                        name: component.to_string(),
                        args,
                    })
            });
        }
        match (process, &manifest) {
            (Some((pid, p)), Some(text)) if !same_command(text, p) => {
                out.notes.push(format!(
                    "{component} runs with flags that differ from {manifest_path}: the running flags are checked"
                ));
                out.documents.push(process_document(*pid, p));
            }
            (_, Some(text)) => out.documents.push(NodeDocument {
                path: manifest_path.clone(),
                text: text.clone(),
            }),
            (Some((pid, p)), None) => out.documents.push(process_document(*pid, p)),
            (None, None) => {}
        }
    }
    for name in ["admin.conf", "super-admin.conf"] {
        files.add(&join("/etc/kubernetes", name), FileRole::AdminKubeconfig);
    }
    files.add(
        running("kube-scheduler")
            .and_then(|(_, p)| p.flag("kubeconfig"))
            .unwrap_or("/etc/kubernetes/scheduler.conf"),
        FileRole::SchedulerKubeconfig,
    );
    files.add(
        running("kube-controller-manager")
            .and_then(|(_, p)| p.flag("kubeconfig"))
            .unwrap_or("/etc/kubernetes/controller-manager.conf"),
        FileRole::ControllerManagerKubeconfig,
    );
    files.pki("/etc/kubernetes/pki", &mut out.notes);
    let data_dir = running("etcd")
        .and_then(|(_, p)| p.flag("data-dir").map(str::to_string))
        .or_else(|| {
            out.documents
                .iter()
                .find(|d| d.path.ends_with("/etcd.yaml"))
                .and_then(|d| flag_in_manifest(&d.text, "data-dir"))
        })
        .unwrap_or_else(|| "/var/lib/etcd".to_string());
    if control_plane {
        files.add(&data_dir, FileRole::EtcdDataDir);
    }

    if let Some(path) = out
        .apiserver
        .as_ref()
        .and_then(|p| p.flag("encryption-provider-config"))
    {
        match root.read(path) {
            Ok(text) => out.facts.secret_encryption = secret_providers(&text),
            Err(e) => out.notes.push(format!(
                "cannot read the EncryptionConfiguration {path}: {e}"
            )),
        }
    }
    let role = match choice {
        RoleChoice::Master => Role::Master,
        RoleChoice::Worker => Role::Worker,
        RoleChoice::Auto if control_plane => Role::Master,
        RoleChoice::Auto => Role::Worker,
    };
    let mut list = files.list;
    if role == Role::Worker {
        // A worker's checks are CIS section 4: the kubelet's and kube-proxy's files, and the
        // runtime's socket.
        list.retain(|f| {
            matches!(
                f.role,
                FileRole::KubeletConfig
                    | FileRole::KubeletClientCa
                    | FileRole::KubeletKubeconfig
                    | FileRole::KubeletServiceDropIn
                    | FileRole::KubeProxyKubeconfig
                    | FileRole::RuntimeSocket
                    | FileRole::CniConfig
            )
        });
        out.documents
            .retain(|d| !d.path.starts_with(&static_pods) && !d.path.starts_with("/proc/"));
    }
    out.facts.files = list;
    out.role = Some(role);
    let kubernetes = kubelet.is_some()
        || control_plane
        || !out.facts.files.is_empty()
        || !out.documents.is_empty();
    if !kubernetes {
        return Err(NodeError::NotANode(dir.to_path_buf()));
    }
    Ok(out)
}

/// The files found so far, each read once.
struct Files<'r> {
    root: &'r Root,
    users: &'r BTreeMap<u32, String>,
    groups: &'r BTreeMap<u32, String>,
    list: Vec<NodeFile>,
}

impl Files<'_> {
    /// Add the node's file at `path` as `role`, if it exists (and was not added already).
    fn add(&mut self, path: &str, role: FileRole) {
        let Some(meta) = self.root.metadata(path) else {
            return;
        };
        let real = self.root.resolve(path);
        if self
            .list
            .iter()
            .any(|f| f.role == role && self.root.resolve(&f.path) == real)
        {
            return;
        }
        self.list.push(NodeFile {
            path: path.to_string(),
            role,
            user: self.users.get(&meta.uid()).cloned(),
            group: self.groups.get(&meta.gid()).cloned(),
            mode: meta.mode() & 0o7777,
            uid: meta.uid(),
            gid: meta.gid(),
        });
    }

    /// Everything under the PKI directory, the directory itself included.
    fn pki(&mut self, dir: &str, notes: &mut Vec<String>) {
        if self.root.metadata(dir).is_none() {
            return;
        }
        self.add(dir, FileRole::PkiOther);
        let mut pending = vec![dir.to_string()];
        let mut seen = 0;
        while let Some(at) = pending.pop() {
            for name in self.root.list(&at) {
                seen += 1;
                if seen > MAX_PKI_ENTRIES {
                    notes.push(format!(
                        "{dir} holds more than {MAX_PKI_ENTRIES} entries; the rest are not checked"
                    ));
                    return;
                }
                let path = join(&at, &name);
                let Some(meta) = self.root.metadata(&path) else {
                    continue;
                };
                if meta.is_dir() {
                    self.add(&path, FileRole::PkiOther);
                    pending.push(path);
                } else if name.ends_with(".crt") {
                    self.add(&path, FileRole::PkiCertificate);
                } else if name.ends_with(".key") {
                    self.add(&path, FileRole::PkiKey);
                } else {
                    self.add(&path, FileRole::PkiOther);
                }
            }
        }
    }
}

/// Names by id from a passwd or group file (`name:x:id:…`).
fn names(root: &Root, path: &str) -> BTreeMap<u32, String> {
    root.read(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut parts = l.split(':');
            let name = parts.next()?;
            let id = parts.nth(1)?.parse().ok()?;
            Some((id, name.to_string()))
        })
        .collect()
}

/// The Kubernetes components running, from `/proc/PID/cmdline`, with their pid, in pid order.
fn processes(root: &Root) -> Vec<(u32, Process)> {
    let mut out: Vec<(u32, Process)> = root
        .list("/proc")
        .into_iter()
        .filter_map(|pid| pid.parse::<u32>().ok())
        .filter_map(|pid| {
            let raw = std::fs::read(root.resolve(&format!("/proc/{pid}/cmdline"))?).ok()?;
            let mut args = raw
                .split(|&b| b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).to_string());
            let program = args.next()?;
            let name = program.rsplit('/').next().unwrap_or(&program).to_string();
            COMPONENTS.contains(&name.as_str()).then(|| {
                (
                    pid,
                    Process {
                        name,
                        args: args.collect(),
                    },
                )
            })
        })
        .collect();
    out.sort_by_key(|(pid, _)| *pid);
    out
}

/// A component's command line as the pod the control-plane rules read.
fn process_document(pid: u32, p: &Process) -> NodeDocument {
    let mut command = vec![Value::from(p.name.clone())];
    command.extend(p.args.iter().cloned().map(Value::from));
    let pod = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": p.name, "namespace": "kube-system"},
        "spec": {"containers": [{"name": p.name, "image": p.name, "command": command}]},
    });
    NodeDocument {
        path: format!("/proc/{pid}/cmdline ({})", p.name),
        text: serde_json::to_string_pretty(&pod).unwrap_or_default(),
    }
}

/// The arguments of a static pod's first container (command after its executable, then args).
fn manifest_args(text: &str) -> Option<Vec<String>> {
    let pod: Value = serde_saphyr::from_str(text).ok()?;
    let container = pod.pointer("/spec/containers/0")?;
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut args = strings(container.get("command"));
    if !args.is_empty() {
        args.remove(0);
    }
    args.extend(strings(container.get("args")));
    Some(args)
}

/// Whether a process runs with the arguments its manifest gives it.
fn same_command(manifest: &str, p: &Process) -> bool {
    manifest_args(manifest).is_some_and(|args| args == p.args)
}

/// A flag's value in a static pod's command line.
fn flag_in_manifest(text: &str, flag: &str) -> Option<String> {
    let p = Process {
        name: String::new(),
        args: manifest_args(text)?,
    };
    p.flag(flag).map(str::to_string)
}

/// The providers an EncryptionConfiguration lists for `secrets`, in order.
fn secret_providers(text: &str) -> Option<Vec<String>> {
    let config: Value = serde_saphyr::from_str(text).ok()?;
    let resources = config.get("resources")?.as_array()?;
    let entry = resources.iter().find(|r| {
        r.get("resources")
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(|x| x == "secrets" || x == "*.*"))
    })?;
    Some(
        entry
            .get("providers")?
            .as_array()?
            .iter()
            .filter_map(|p| p.as_object()?.keys().next().cloned())
            .collect(),
    )
}
