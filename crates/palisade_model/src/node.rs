//! What a node check reads from a node's root: files with their modes and owners, and the
//! command lines of the Kubernetes components running there. A reader fills [`NodeFacts`]
//! (from a mounted root, or a fake root in tests); node rules ([`NodeFacts`] is their input)
//! never do IO.

use palisade_diagnostics::{NodeFileRef, Subject};

/// One node's facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeFacts {
    /// The node's name (its hostname), when known.
    pub node: Option<String>,
    /// Files of interest (component configurations, PKI, kubeconfigs), by absolute path on
    /// the node.
    pub files: Vec<NodeFile>,
    /// Kubernetes components running on the node, from their command lines.
    pub processes: Vec<Process>,
}

/// A file's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeFile {
    /// Absolute path on the node.
    pub path: String,
    /// Permission bits (`0o600`).
    pub mode: u32,
    /// Owner user id.
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
}

impl NodeFile {
    /// Whether the permissions are at most `max` (no bit set that `max` does not set):
    /// the CIS Benchmark's "permissions set to 600 or more restrictive".
    pub fn mode_at_most(&self, max: u32) -> bool {
        self.mode & 0o7777 & !max == 0
    }
}

/// A process and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// The executable's name (`kubelet`, `kube-apiserver`, `etcd`).
    pub name: String,
    /// Its arguments, without the executable.
    pub args: Vec<String>,
}

impl Process {
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

    /// The running component named `name`.
    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
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
        Process {
            name: "kubelet".into(),
            args: args.iter().map(|a| a.to_string()).collect(),
        }
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
        };
        assert!(facts.file("/etc/kubernetes/admin.conf").is_some());
        assert!(facts.process("kubelet").is_some());
        assert_eq!(
            facts.subject("/etc/kubernetes/admin.conf").display_name(),
            "cp-1:/etc/kubernetes/admin.conf"
        );
    }
}
