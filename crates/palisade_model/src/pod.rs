//! The pod spec view shared by every workload kind.

use palisade_source::NodeRef;

use crate::object::Object;

/// Which list a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// `initContainers`.
    Init,
    /// `containers`.
    Regular,
    /// `ephemeralContainers`.
    Ephemeral,
}

impl ContainerKind {
    /// The pod spec field holding this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// One container of a pod spec.
#[derive(Debug, Clone)]
pub struct ContainerView<'d, 'a> {
    /// The container mapping.
    pub node: NodeRef<'d, 'a>,
    /// Its JSON pointer relative to the object.
    pub pointer: String,
    /// `name` (empty when missing).
    pub name: &'d str,
    /// Which list it is in.
    pub kind: ContainerKind,
}

impl<'d, 'a> ContainerView<'d, 'a> {
    /// `securityContext.<keys…>` of this container.
    pub fn security_context(&self, keys: &[&str]) -> Option<NodeRef<'d, 'a>> {
        self.node.get("securityContext")?.path(keys)
    }

    /// A pointer below this container.
    pub fn ptr(&self, suffix: &str) -> String {
        format!("{}/{}", self.pointer, suffix)
    }
}

/// The pod spec of a Pod, of any workload's pod template, or of a CronJob's job template.
#[derive(Debug, Clone)]
pub struct PodSpecView<'d, 'a> {
    /// The pod spec mapping.
    pub spec: NodeRef<'d, 'a>,
    /// Its JSON pointer relative to the object.
    pub pointer: String,
    /// The pod (template) metadata, if present.
    pub metadata: Option<NodeRef<'d, 'a>>,
    /// The JSON pointer of the pod (template) metadata.
    pub metadata_pointer: String,
    /// The kind of the object that carries the pod spec (`Deployment`, `Pod`, …).
    pub kind: String,
    /// The root of the object that carries the pod spec.
    pub object: NodeRef<'d, 'a>,
    /// The object's `metadata.namespace`.
    pub namespace: Option<&'d str>,
    containers: Vec<ContainerView<'d, 'a>>,
    components: std::cell::OnceCell<Vec<crate::component::ComponentFlags<'d>>>,
}

/// A `hostPath` volume of a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct HostPathVolume<'d> {
    /// Index in `spec.volumes`.
    pub index: usize,
    /// The volume name.
    pub name: &'d str,
    /// The host path, without trailing slashes (`/` stays `/`).
    pub path: &'d str,
}

impl<'d, 'a> PodSpecView<'d, 'a> {
    /// Find the pod spec of an object: `Pod.spec`, `PodTemplate.template.spec`,
    /// `spec.jobTemplate.spec.template.spec` (CronJob and look-alikes), or `spec.template.spec`
    /// (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, and custom
    /// workloads such as Argo Rollouts) when it has a `containers` list.
    pub fn of(object: &Object<'d, 'a>) -> Option<Self> {
        let root = object.root;
        let (template_path, spec_path): (&[&str], &[&str]) = if object.kind == "Pod" {
            (&[], &["spec"])
        } else if object.kind == "PodTemplate" {
            (&["template"], &["template", "spec"])
        } else if root
            .path(&["spec", "jobTemplate", "spec", "template", "spec"])
            .is_some()
        {
            (
                &["spec", "jobTemplate", "spec", "template"],
                &["spec", "jobTemplate", "spec", "template", "spec"],
            )
        } else {
            (&["spec", "template"], &["spec", "template", "spec"])
        };
        let spec = root.path(spec_path).filter(|s| s.is_map())?;
        if object.kind != "Pod" && !spec.get("containers").is_some_and(|c| c.is_seq()) {
            return None;
        }
        let mut metadata_path = template_path.to_vec();
        metadata_path.push("metadata");
        let pointer = join(spec_path);
        let mut containers = Vec::new();
        // The order Pod Security Admission visits them in.
        for kind in [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ] {
            let Some(list) = spec.get(kind.field()) else {
                continue;
            };
            for (i, node) in list.items().enumerate().filter(|(_, n)| n.is_map()) {
                containers.push(ContainerView {
                    node,
                    pointer: format!("{pointer}/{}/{i}", kind.field()),
                    name: node.get("name").and_then(|n| n.as_str()).unwrap_or(""),
                    kind,
                });
            }
        }
        Some(PodSpecView {
            spec,
            metadata: root.path(&metadata_path),
            metadata_pointer: join(&metadata_path),
            pointer,
            kind: object.kind.to_string(),
            object: root,
            namespace: object.namespace(),
            containers,
            components: std::cell::OnceCell::new(),
        })
    }

    /// The control-plane components this pod runs, with their flags (parsed once, shared by
    /// every control-plane rule).
    pub fn components(&self) -> &[crate::component::ComponentFlags<'d>] {
        self.components
            .get_or_init(|| crate::component::components(self))
    }

    /// Every container: init containers, containers, then ephemeral containers.
    pub fn containers(&self) -> &[ContainerView<'d, 'a>] {
        &self.containers
    }

    /// `spec.securityContext.<keys…>`.
    pub fn security_context(&self, keys: &[&str]) -> Option<NodeRef<'d, 'a>> {
        self.spec.get("securityContext")?.path(keys)
    }

    /// A pointer below the pod spec.
    pub fn ptr(&self, suffix: &str) -> String {
        format!("{}/{}", self.pointer, suffix)
    }

    /// The pod (template) annotations.
    pub fn annotations(&self) -> impl Iterator<Item = (&'d str, NodeRef<'d, 'a>)> + use<'d, 'a> {
        self.metadata
            .and_then(|m| m.get("annotations"))
            .into_iter()
            .flat_map(|a| a.entries())
    }

    /// The `hostPath` volumes.
    pub fn host_path_volumes(&self) -> Vec<HostPathVolume<'d>> {
        let Some(volumes) = self.spec.get("volumes") else {
            return Vec::new();
        };
        volumes
            .items()
            .enumerate()
            .filter_map(|(index, v)| {
                let host_path = v.get_some("hostPath")?;
                let path = host_path.get("path").and_then(|p| p.as_str()).unwrap_or("");
                let trimmed = path.trim_end_matches('/');
                Some(HostPathVolume {
                    index,
                    name: v.get("name").and_then(|n| n.as_str()).unwrap_or(""),
                    path: if trimmed.is_empty() && path.starts_with('/') {
                        "/"
                    } else {
                        trimmed
                    },
                })
            })
            .collect()
    }

    /// Whether the pod runs to completion (a Job or CronJob, or `restartPolicy` other than
    /// `Always`) rather than as a long-running service.
    pub fn runs_to_completion(&self) -> bool {
        matches!(self.kind.as_str(), "Job" | "CronJob")
            || self
                .spec
                .get("restartPolicy")
                .and_then(|r| r.as_str())
                .is_some_and(|r| r != "Always")
    }

    /// `securityContext.<key>` as it applies to container `c`: the container's own value, else
    /// the pod's (for the fields both levels have, such as `runAsUser` and `runAsNonRoot`; a
    /// `null` counts as unset, as the API server reads it).
    pub fn effective_security_context(
        &self,
        c: &ContainerView<'d, 'a>,
        key: &str,
    ) -> Option<NodeRef<'d, 'a>> {
        c.security_context(&[key])
            .filter(|n| !n.is_null())
            .or_else(|| self.security_context(&[key]).filter(|n| !n.is_null()))
    }

    /// Whether `spec.os.name` is `windows`.
    pub fn is_windows(&self) -> bool {
        self.spec.path(&["os", "name"]).and_then(|n| n.as_str()) == Some("windows")
    }

    /// Whether the pod runs in a user namespace (`spec.hostUsers: false`).
    pub fn in_user_namespace(&self) -> bool {
        self.spec.get("hostUsers").and_then(|n| n.as_bool()) == Some(false)
    }
}

fn join(keys: &[&str]) -> String {
    keys.iter().map(|k| format!("/{k}")).collect()
}

#[cfg(test)]
mod tests {
    use crate::objects_in;
    use palisade_source::{Limits, parse_stream};

    fn view(text: &str) -> Option<(String, Vec<String>, String)> {
        let docs = parse_stream(text, &Limits::default());
        let doc = docs[0].as_ref().unwrap();
        let objs = objects_in(doc);
        let pod = objs.objects[0].pod_spec()?;
        Some((
            pod.pointer.clone(),
            pod.containers().iter().map(|c| c.pointer.clone()).collect(),
            pod.metadata_pointer.clone(),
        ))
    }

    #[test]
    fn finds_the_pod_spec_in_every_workload_shape() {
        let (p, c, m) = view("apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a}]\n  initContainers: [{name: i}]\n").unwrap();
        assert_eq!(p, "/spec");
        assert_eq!(c, vec!["/spec/initContainers/0", "/spec/containers/0"]);
        assert_eq!(m, "/metadata");
        let (p, _, m) = view("apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a}]\n").unwrap();
        assert_eq!(p, "/spec/jobTemplate/spec/template/spec");
        assert_eq!(m, "/spec/jobTemplate/spec/template/metadata");
        let (p, _, _) = view("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  template:\n    spec:\n      containers: [{name: a}]\n").unwrap();
        assert_eq!(p, "/spec/template/spec");
        let (p, _, m) = view(
            "apiVersion: v1\nkind: PodTemplate\ntemplate:\n  spec:\n    containers: [{name: a}]\n",
        )
        .unwrap();
        assert_eq!(
            (p.as_str(), m.as_str()),
            ("/template/spec", "/template/metadata")
        );
        assert!(view("apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n").is_none());
        assert!(
            view("apiVersion: x/v1\nkind: Thing\nspec:\n  template:\n    spec: {replicas: 1}\n")
                .is_none()
        );
    }
}
