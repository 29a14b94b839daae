//! Control-plane components in static pod manifests and their command-line flags.

use crate::pod::{ContainerView, PodSpecView};

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
    /// The value was written in the same argument (`--name=value`).
    pub joined: bool,
}

/// The `--flags` of a container's command line, `command` then `args` (later flags win, as
/// in Go's flag parsing, which Kubernetes components and most cluster add-ons use).
#[derive(Debug, Clone)]
pub struct CommandLine<'d> {
    /// Pointer of the list that holds the flags (`command`, else `args`).
    pub list_pointer: String,
    flags: Vec<Flag<'d>>,
}

/// A container that runs a control-plane component, with its flags.
#[derive(Debug, Clone)]
pub struct ComponentFlags<'d> {
    /// Which component.
    pub component: Component,
    /// The container's name.
    pub container: &'d str,
    /// The container's image, whose tag usually names the release (`v1.23.5`).
    pub image: Option<&'d str>,
    /// Its flags.
    pub line: CommandLine<'d>,
}

impl<'d> std::ops::Deref for ComponentFlags<'d> {
    type Target = CommandLine<'d>;

    fn deref(&self) -> &CommandLine<'d> {
        &self.line
    }
}

impl ComponentFlags<'_> {
    /// The Kubernetes minor release the image tag names (`23` for `v1.23.5` or
    /// `1.23.5-eks-1-23-6`); `None` for tags that are no `1.N` release (`latest`, digests).
    pub fn minor_version(&self) -> Option<u32> {
        let tag = crate::ImageRef::parse(self.image?).tag?;
        let rest = tag.strip_prefix('v').unwrap_or(tag).strip_prefix("1.")?;
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        rest[..end].parse().ok()
    }
}

impl<'d> CommandLine<'d> {
    /// The flags of a container: `--name=value`, `--name value` (when the next item is not
    /// itself a flag) or a bare `--name`.
    pub fn of(c: &ContainerView<'d, '_>) -> Self {
        let command = c.node.get("command").filter(|n| n.is_seq());
        let args = c.node.get("args").filter(|n| n.is_seq());
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
                            joined: true,
                        }),
                        None => {
                            // `--flag value` when the next item is not itself a flag (a
                            // negative number is a value: no flag is named by a digit).
                            let next = items
                                .get(i + 1)
                                .copied()
                                .flatten()
                                .filter(|n| !n.starts_with('-') || negative_number(n));
                            if next.is_some() {
                                i += 1;
                            }
                            flags.push(Flag {
                                name: arg,
                                value: next,
                                pointer,
                                joined: false,
                            });
                        }
                    }
                }
                i += 1;
            }
        }
        CommandLine {
            list_pointer,
            flags,
        }
    }

    /// The last occurrence of a flag.
    pub fn get(&self, name: &str) -> Option<&Flag<'d>> {
        self.flags.iter().rev().find(|f| f.name == name)
    }

    /// The last occurrence of any of several names of one setting (a flag and its deprecated
    /// aliases, such as `--insecure-port` and `--port`): the components' flag parser lets the
    /// last one written win.
    pub fn last_of(&self, names: &[&str]) -> Option<&Flag<'d>> {
        self.flags.iter().rev().find(|f| names.contains(&f.name))
    }

    /// Whether a boolean flag is on, as Go's flag packages read it: `--name` alone is on (a
    /// boolean flag never takes the next argument as its value), `--name=value` is on when
    /// `strconv.ParseBool` reads the value as true.
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name).is_some_and(|f| {
            !f.joined || matches!(f.value, Some("1" | "t" | "T" | "true" | "TRUE" | "True"))
        })
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
        out.push(ComponentFlags {
            component,
            container: c.name,
            image: c.node.get("image").and_then(|i| i.as_str()),
            line: CommandLine::of(c),
        });
    }
    out
}

/// `-1`, `-0.5`: an argument that is a value, although it starts with a dash.
fn negative_number(arg: &str) -> bool {
    arg.strip_prefix('-')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
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
        assert_eq!(api.minor_version(), Some(35));
    }

    /// The flags of the first component in a one-pod stream.
    fn with_flags(text: &str, check: impl Fn(&ComponentFlags<'_>)) {
        let docs = parse_stream(text, &Limits::default());
        let objects = objects_in(docs[0].as_ref().unwrap());
        check(&components(objects.objects[0].pod_spec().unwrap())[0]);
    }

    #[test]
    fn negative_numbers_are_values_and_aliases_resolve_to_the_last() {
        let pod = "kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: c\n";
        with_flags(
            &format!(
                "{pod}    image: registry.k8s.io/kube-apiserver:v1.18.20\n    command: [kube-apiserver, --port=0, --insecure-port, '-1', --insecure-port, '8080', --port, '9090', --profiling]\n"
            ),
            |c| {
                assert_eq!(c.get("insecure-port").unwrap().value, Some("8080"));
                assert_eq!(
                    c.last_of(&["insecure-port", "port"]).unwrap().value,
                    Some("9090")
                );
                assert_eq!(c.value("profiling"), Some("true"));
                assert_eq!(c.minor_version(), Some(18));
                assert!(c.is_true("profiling"));
            },
        );
        with_flags(
            &format!(
                "{pod}    image: kube-controller-manager\n    args: [--terminated-pod-gc-threshold, '-1', --v, '-x']\n"
            ),
            |c| {
                assert_eq!(c.value("terminated-pod-gc-threshold"), Some("-1"));
                assert_eq!(c.value("v"), Some("true"), "-x is not a number");
                assert_eq!(c.minor_version(), None, "no tag, no release");
            },
        );
    }

    #[test]
    fn boolean_flags_read_as_go_reads_them() {
        with_flags(
            "kind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: c\n    image: kube-scheduler\n    args: [--a, --b=false, --c=True, --d, 'false', --e=yes]\n",
            |c| {
                assert!(c.is_true("a"));
                assert!(!c.is_true("b"));
                assert!(c.is_true("c"));
                assert!(
                    c.is_true("d"),
                    "a boolean flag does not take the next argument"
                );
                assert!(!c.is_true("e"), "ParseBool does not read yes");
                assert!(!c.is_true("f"), "unset");
            },
        );
    }

    #[test]
    fn release_from_image_tags() {
        let minor = |image: &str| {
            ComponentFlags {
                component: Component::ApiServer,
                container: "c",
                image: Some(image),
                line: CommandLine {
                    list_pointer: String::new(),
                    flags: Vec::new(),
                },
            }
            .minor_version()
        };
        assert_eq!(minor("registry.k8s.io/kube-apiserver:v1.23.5"), Some(23));
        assert_eq!(
            minor(
                "602401143452.dkr.ecr.us-west-2.amazonaws.com/eks/kube-apiserver:1.19.15-eks-1-19-8"
            ),
            Some(19)
        );
        assert_eq!(minor("k8s.gcr.io/kube-apiserver:v1.9.0"), Some(9));
        assert_eq!(minor("k8s.gcr.io/kube-apiserver:latest"), None);
        assert_eq!(minor("k8s.gcr.io/kube-apiserver@sha256:abcd"), None);
        assert_eq!(minor("localhost:5000/kube-apiserver"), None);
    }
}
