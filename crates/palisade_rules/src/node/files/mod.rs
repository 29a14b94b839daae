//! The CIS Benchmark's checks of a node's files (CIS 1.1 and 4.1): permissions and owners of
//! the component manifests, kubeconfigs, PKI, kubelet configuration, CNI configuration, the
//! etcd data directory and the container runtime's socket. The reader (`palisade_node`) says
//! what each file is ([`FileRole`]); one [`FileCheck`] per rule says what it must be.

pub mod admin_kubeconfig;
pub mod api_server_manifest;
pub mod cni_config;
pub mod controller_manager_kubeconfig;
pub mod controller_manager_manifest;
pub mod etcd_data_dir;
pub mod etcd_manifest;
pub mod kube_proxy_kubeconfig;
pub mod kubelet_client_ca;
pub mod kubelet_config;
pub mod kubelet_kubeconfig;
pub mod kubelet_service;
pub mod pki_certificates;
pub mod pki_keys;
pub mod pki_ownership;
pub mod runtime_socket;
pub mod scheduler_kubeconfig;
pub mod scheduler_manifest;

use palisade_engine::prelude::*;
use palisade_model::node::{FileRole, NodeFile};

/// Who must own a file.
pub(crate) enum Owner {
    /// Any owner (the check is about permissions only).
    Any,
    /// `root:root`.
    Root,
    /// User root, any group (a runtime socket's group grants access on purpose).
    RootUser,
    /// A named user and group (`etcd:etcd`), by the node's own names.
    Named(&'static str, &'static str),
}

/// What the files of some roles must be.
pub(crate) struct FileCheck {
    /// The files checked.
    pub roles: &'static [FileRole],
    /// The most open permissions allowed (`0o600`: "600 or more restrictive").
    pub max_mode: Option<u32>,
    /// Who must own them.
    pub owner: Owner,
}

impl FileCheck {
    /// One finding per file that is too open or owned by someone else, saying both.
    pub(crate) fn run(&self, facts: &NodeFacts, ctx: &mut SubjectCtx<'_>) {
        for file in facts.files.iter().filter(|f| self.roles.contains(&f.role)) {
            ctx.applicable();
            let mut wrong = Vec::new();
            if let Some(max) = self.max_mode
                && !file.mode_at_most(max)
            {
                wrong.push(format!(
                    "permissions {:o} (allowed: {max:o} or more restrictive)",
                    file.mode & 0o7777
                ));
            }
            if let Some(expected) = self.owner_problem(file) {
                wrong.push(format!("owner {} (expected {expected})", file.owner()));
            }
            if wrong.is_empty() {
                continue;
            }
            ctx.report(
                facts.subject(&file.path),
                "",
                format!("{} has {}", file.path, wrong.join(" and ")),
            );
        }
    }

    /// The owner expected, when the file's is not it.
    fn owner_problem(&self, file: &NodeFile) -> Option<String> {
        match self.owner {
            Owner::Any => None,
            Owner::Root => (!file.root_owned()).then(|| "root:root".to_string()),
            Owner::RootUser => (file.uid != 0).then(|| "root".to_string()),
            Owner::Named(user, group) => (file.user.as_deref() != Some(user)
                || file.group.as_deref() != Some(group))
            .then(|| format!("{user}:{group}")),
        }
    }
}
