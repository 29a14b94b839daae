//! Control-plane components in static pod manifests and their command-line flags.

use crate::pod::PodSpecView;

/// A Kubernetes control-plane component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    /// kube-apiserver.
    ApiServer,
    /// kube-controller-manager.
    ControllerManager,
    /// kube-scheduler.
    Scheduler,
    /// etcd.
    Etcd,
}

impl Component {
    /// The binary name.
    pub fn binary(self) -> &'static str {
        match self {
            Component::ApiServer => "kube-apiserver",
            Component::ControllerManager => "kube-controller-manager",
            Component::Scheduler => "kube-scheduler",
            Component::Etcd => "etcd",
        }
    }

    fn from_binary(name: &str) -> Option<Self> {
        let base = name.rsplit('/').next().unwrap_or(name);
        [
            Component::ApiServer,
            Component::ControllerManager,
            Component::Scheduler,
            Component::Etcd,
        ]
        .into_iter()
        .find(|c| c.binary() == base)
    }
}

/// One flag as written: `--name=value`, `--name value` or a bare `--name`.
#[derive(Debug, Clone)]
pub struct Flag<'d> {
    /// The name without dashes.
    pub name: &'d str,
    /// The value (`None` for a bare boolean flag).
    pub value: Option<&'d str>,
    /// JSON pointer of the argument, relative to the object.
    pub pointer: String,
}

/// A container that runs a control-plane component, with its flags (later flags win, as in
/// the components' own parsing).
#[derive(Debug, Clone)]
pub struct ComponentFlags<'d> {
    /// Which component.
    pub component: Component,
    /// The container's name.
    pub container: &'d str,
    /// Pointer of the list that holds the flags (`command`, else `args`).
    pub list_pointer: String,
    flags: Vec<Flag<'d>>,
}

impl<'d> ComponentFlags<'d> {
    /// The last occurrence of a flag.
    pub fn get(&self, name: &str) -> Option<&Flag<'d>> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// The value of a flag (`Some("true")` for a bare boolean flag).
    pub fn value(&self, name: &str) -> Option<&'d str> {
        self.get(name).map(|f| f.value.unwrap_or("true"))
    }

    /// Whether a comma-separated list flag contains `item`.
    pub fn list_contains(&self, name: &str, item: &str) -> bool {
        self.value(name)
            .is_some_and(|v| v.split(',').any(|i| i.trim() == item))
    }
}

/// The control-plane components run by a pod spec (static pod manifests of kubeadm and
/// similar installers), recognised by the command's executable or, without a command, the
/// image name.
pub fn components<'d>(pod: &PodSpecView<'d, '_>) -> Vec<ComponentFlags<'d>> {
    let mut out = Vec::new();
    for c in pod.containers() {
        let command = c.node.get("command").filter(|n| n.is_seq());
        let args = c.node.get("args").filter(|n| n.is_seq());
        let by_command = command
            .and_then(|cmd| cmd.at(0))
            .and_then(|a| a.as_str())
            .and_then(Component::from_binary);
        let by_image = || {
            let image = c.node.get("image")?.as_str()?;
            let repo = crate::ImageRef::parse(image).repository;
            Component::from_binary(repo.rsplit('/').next().unwrap_or(repo))
        };
        let Some(component) = by_command.or_else(by_image) else {
            continue;
        };
        let mut flags = Vec::new();
        let mut list_pointer = c.ptr("command");
        for (field, list) in [("command", command), ("args", args)] {
            let Some(list) = list else { continue };
            if field == "args" && command.is_none() {
                list_pointer = c.ptr("args");
            }
            let items: Vec<Option<&'d str>> = list.items().map(|i| i.as_str()).collect();
            let mut i = 0;
            while i < items.len() {
                if let Some(arg) = items[i].and_then(|a| a.strip_prefix("--")) {
                    let pointer = c.ptr(&format!("{field}/{i}"));
                    match arg.split_once('=') {
                        Some((name, value)) => flags.push(Flag {
                            name,
                            value: Some(value),
                            pointer,
                        }),
                        None => {
                            // `--flag value` when the next item is not itself a flag.
                            let next = items
                                .get(i + 1)
                                .copied()
                                .flatten()
                                .filter(|n| !n.starts_with('-'));
                            if next.is_some() {
                                i += 1;
                            }
                            flags.push(Flag {
                                name: arg,
                                value: next,
                                pointer,
                            });
                        }
                    }
                }
                i += 1;
            }
        }
        out.push(ComponentFlags {
            component,
            container: c.name,
            list_pointer,
            flags,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects_in;
    use palisade_source::{Limits, parse_stream};

    #[test]
    fn reads_flags_of_static_pods() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: kube-apiserver, namespace: kube-system}\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.35.0\n    command:\n    - kube-apiserver\n    - --authorization-mode=Node,RBAC\n    - --profiling\n    - --secure-port\n    - \"6443\"\n    - --profiling=false\n  - name: sidecar\n    image: busybox\n";
        let docs = parse_stream(text, &Limits::default());
        let objects = objects_in(docs[0].as_ref().unwrap());
        let pod = objects.objects[0].pod_spec().unwrap();
        let found = components(pod);
        assert_eq!(found.len(), 1);
        let api = &found[0];
        assert_eq!(api.component, Component::ApiServer);
        assert!(api.list_contains("authorization-mode", "RBAC"));
        assert_eq!(
            api.value("profiling"),
            Some("false"),
            "the last occurrence wins"
        );
        assert_eq!(api.value("secure-port"), Some("6443"));
        assert_eq!(
            api.get("authorization-mode").unwrap().pointer,
            "/spec/containers/0/command/1"
        );
        assert_eq!(api.value("token-auth-file"), None);
    }
}
