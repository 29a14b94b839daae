//! NetworkPolicy reachability with the exact `networking.k8s.io/v1` semantics.
//!
//! A pod is isolated for a direction only when some policy of its namespace selects it with
//! that policy type; a connection is allowed only when the source's egress and the
//! destination's ingress both allow it. Peers in one entry are ANDed (`podSelector` with
//! `namespaceSelector`), entries are ORed; an empty selector selects everything, an absent
//! `from`/`to` allows every peer; `ipBlock` matches addresses outside the inventory's pods (with
//! `except`); ports match by number, by name against the destination pod's container ports, by
//! `endPort` range, and by protocol (TCP by default).

use std::collections::BTreeMap;

use ipnet::IpNet;

use crate::labels::{LabelSelector, label_map as labels, namespace_labels};
use crate::object::Object;

mod endpoint;
pub mod generate;
mod matrix;
mod ports;
pub mod validate;

pub use endpoint::{DestinationError, EndpointError, parse_destination};
pub use matrix::{Class, Connection, IpRange, Matrix, Node};
pub use ports::{PROTOCOLS, PortSet};

/// A protocol of a NetworkPolicy port.
pub type Protocol = String;

/// A pod (or a workload's pod template) as policies see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    /// `Kind/namespace/name` of the workload (or Pod), with the namespace it is placed in.
    pub display: String,
    /// The kind of the workload (or `Pod`).
    pub kind: String,
    /// The name of the workload.
    pub name: String,
    /// The namespace.
    pub namespace: String,
    /// The pod labels.
    pub labels: BTreeMap<String, String>,
    /// The container ports.
    pub ports: Vec<ContainerPort>,
    /// The controller in `ownerReferences` (kind, name), for Pods and ReplicaSets of a
    /// snapshot.
    pub owner: Option<(String, String)>,
}

impl Pod {
    /// `namespace/name[Kind]`, how connections name workloads.
    pub fn workload(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }

    /// The workload that owns this Pod or ReplicaSet when it is not in the input: its
    /// controller, or for a ReplicaSet's Pod, the Deployment whose name the ReplicaSet's
    /// carries before `-<pod-template-hash>`.
    fn outside_owner(&self) -> Option<OwnerName> {
        let (kind, name) = self.owner.as_ref()?;
        // A mirror pod of a static pod: its Node is not a workload.
        if kind == "Node" {
            return None;
        }
        if kind == "ReplicaSet"
            && let Some(hash) = self.labels.get("pod-template-hash")
            && let Some(deployment) = name.strip_suffix(&format!("-{hash}"))
            && !deployment.is_empty()
        {
            return Some(("Deployment".into(), deployment.to_string()));
        }
        Some((kind.clone(), name.clone()))
    }
}

/// A container port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContainerPort {
    /// `name`, which policies may use instead of the number.
    pub name: Option<String>,
    /// `containerPort`.
    pub port: u16,
    /// `protocol` (TCP when unset).
    pub protocol: Protocol,
}

/// A Service: the pods it sends to and on which ports, from which `netpol generate` derives
/// allow rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// `spec.selector` (empty: the Service has no selected pods).
    pub selector: BTreeMap<String, String>,
    /// `targetPort` (the `port` when unset) and protocol of each port.
    pub ports: Vec<(PortRef, Protocol)>,
    /// `NodePort` or `LoadBalancer`: reachable from outside the cluster.
    pub exposed: bool,
}

/// A port clause of a policy rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRule {
    /// `protocol` (TCP when unset).
    pub protocol: Protocol,
    /// `port`: a number or a name; `None` for every port.
    pub port: Option<PortRef>,
    /// `endPort`, for a range starting at a numeric `port`.
    pub end_port: Option<u16>,
}

/// A port by number or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    /// A number.
    Number(u16),
    /// A container port name, resolved against the destination pod.
    Name(String),
}

/// One entry of `from` / `to`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Peer {
    /// `podSelector`.
    pub pods: Option<LabelSelector>,
    /// `namespaceSelector`.
    pub namespaces: Option<LabelSelector>,
    /// `ipBlock`: the CIDR and its exceptions.
    pub ip_block: Option<(IpNet, Vec<IpNet>)>,
}

/// One ingress or egress rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rule {
    /// The peers (`None`: the field is absent, every peer).
    pub peers: Option<Vec<Peer>>,
    /// The ports (empty: every port).
    pub ports: Vec<PortRule>,
}

/// A NetworkPolicy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
    /// `spec.podSelector`.
    pub selector: LabelSelector,
    /// Ingress rules, when the policy isolates for ingress.
    pub ingress: Option<Vec<Rule>>,
    /// Egress rules, when the policy isolates for egress.
    pub egress: Option<Vec<Rule>>,
    /// Where it is written (`path:line`).
    pub at: String,
}

/// Ingress or egress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Into the destination pod.
    Ingress,
    /// Out of the source pod.
    Egress,
}

impl Direction {
    /// `ingress` or `egress`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// The directions a NetworkPolicy isolates, as the API server defaults `policyTypes`: the
/// listed ones, else (unset or empty) Ingress, plus Egress when the policy has an egress rule.
/// The one implementation the inventory, the reachability model and the rules share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyTypes {
    /// The policy isolates its pods' incoming connections.
    pub ingress: bool,
    /// The policy isolates its pods' outgoing connections.
    pub egress: bool,
}

impl PolicyTypes {
    /// The directions of a policy's `spec`.
    pub fn of(spec: Option<palisade_source::NodeRef<'_, '_>>) -> Self {
        let types: Vec<&str> = (spec.and_then(|s| s.get("policyTypes")))
            .map(|t| t.items().filter_map(|i| i.as_str()).collect())
            .unwrap_or_default();
        if types.is_empty() {
            let has_egress =
                (spec.and_then(|s| s.get("egress"))).is_some_and(|e| e.items().len() > 0);
            return PolicyTypes {
                ingress: true,
                egress: has_egress,
            };
        }
        PolicyTypes {
            ingress: types.contains(&"Ingress"),
            egress: types.contains(&"Egress"),
        }
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// A pod of the model (index in [`Model::pods`]).
    Pod(usize),
    /// An address outside the model's pods.
    Ip(std::net::IpAddr),
}

/// A rule that decides a connection: the policy (`namespace/name`), the direction and the
/// index of the rule in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DecidedBy {
    /// `namespace/name`.
    pub policy: String,
    /// Ingress or egress.
    pub direction: Direction,
    /// Index of the rule in the policy's `ingress` or `egress`.
    pub rule: usize,
}

/// The answer for one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the connection is allowed.
    pub allowed: bool,
    /// The rules that allow it (when allowed) in each isolated direction; when denied, empty
    /// for the direction that denies.
    pub decided_by: Vec<DecidedBy>,
    /// Policies isolating the side that denies (when denied).
    pub isolated_by: Vec<String>,
}

/// One side of a connection that a pod's policies isolate.
struct Side {
    /// Egress of the source or ingress of the destination.
    direction: Direction,
    /// The isolating policies (indexes).
    isolating: Vec<usize>,
    /// Their rules that admit the peer, ports aside: (policy, rule) indexes.
    admitting: Vec<(usize, usize)>,
}

/// Pods, namespaces and policies of a scan or snapshot.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Pods and pod templates.
    pub pods: Vec<Pod>,
    /// Namespace labels, `kubernetes.io/metadata.name` included.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// NetworkPolicies.
    pub policies: Vec<Policy>,
    /// Services.
    pub services: Vec<Service>,
    /// Pods and ReplicaSets [`Model::fold_owned`] removed, by `Kind/namespace/name`, with the
    /// index of the workload that stands for them.
    pub folded: BTreeMap<String, usize>,
    /// NetworkPolicies of the input that are not applied: rejected by the API server's
    /// validation, or replaced by a later manifest of the same name.
    pub ignored: Vec<IgnoredPolicy>,
}

/// A NetworkPolicy of the input that the model leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredPolicy {
    /// `namespace/name`.
    pub policy: String,
    /// Where it is written (`path:line`).
    pub at: String,
    /// Why: the API server's validation errors, or the manifest that replaces it.
    pub reason: String,
}

fn port_rule(node: palisade_source::NodeRef<'_, '_>) -> PortRule {
    let port = node.get("port").and_then(|p| match p.as_i64() {
        Some(n) => u16::try_from(n).ok().map(PortRef::Number),
        None => p.as_str().map(|s| PortRef::Name(s.to_string())),
    });
    PortRule {
        protocol: node
            .get("protocol")
            .and_then(|p| p.as_str())
            .unwrap_or("TCP")
            .to_string(),
        port,
        end_port: node
            .get("endPort")
            .and_then(|p| p.as_i64())
            .and_then(|n| u16::try_from(n).ok()),
    }
}

fn rules(node: Option<palisade_source::NodeRef<'_, '_>>, peers_key: &str) -> Vec<Rule> {
    node.map(|n| {
        n.items()
            .map(|r| Rule {
                peers: r.get(peers_key).filter(|p| !p.is_null()).map(|p| {
                    p.items()
                        .map(|peer| Peer {
                            pods: peer.get("podSelector").map(|s| LabelSelector::of(Some(s))),
                            namespaces: peer
                                .get("namespaceSelector")
                                .map(|s| LabelSelector::of(Some(s))),
                            ip_block: peer.get("ipBlock").and_then(|b| {
                                let cidr = validate::parse_cidr(b.get("cidr")?.as_str()?)?;
                                let except = b
                                    .get("except")
                                    .map(|e| {
                                        e.items()
                                            .filter_map(|x| validate::parse_cidr(x.as_str()?))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                Some((cidr, except))
                            }),
                        })
                        .collect()
                }),
                ports: r
                    .get("ports")
                    .map(|p| p.items().map(port_rule).collect())
                    .unwrap_or_default(),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A container port entry (`name`, `containerPort` or `port`, `protocol`).
fn container_port(p: palisade_source::NodeRef<'_, '_>, number_key: &str) -> Option<ContainerPort> {
    Some(ContainerPort {
        name: p.get("name").and_then(|n| n.as_str()).map(str::to_string),
        port: u16::try_from(p.get(number_key)?.as_i64()?).ok()?,
        protocol: p
            .get("protocol")
            .and_then(|x| x.as_str())
            .unwrap_or("TCP")
            .to_string(),
    })
}

/// The labels and named ports of the pods an object runs, when it runs pods a NetworkPolicy
/// can select: any object with a pod spec (ports of its containers and of its sidecar init
/// containers, which keep running; other init containers have exited when traffic flows), a
/// KubeVirt VirtualMachineInstance (its virt-launcher pod carries the VMI's labels and the
/// ports of its interfaces), and any object whose `spec.template.metadata.labels` become its
/// pods' labels (a KubeVirt VirtualMachine, other operators' workloads).
fn workload_pods(
    object: &Object<'_, '_>,
) -> Option<(BTreeMap<String, String>, Vec<ContainerPort>)> {
    if let Some(pod) = object.pod_spec() {
        let ports = pod
            .containers()
            .iter()
            .filter(|c| match c.kind {
                crate::ContainerKind::Regular => true,
                crate::ContainerKind::Init => {
                    c.node.get("restartPolicy").and_then(|r| r.as_str()) == Some("Always")
                }
                crate::ContainerKind::Ephemeral => false,
            })
            .flat_map(|c| c.node.get("ports").into_iter().flat_map(|p| p.items()))
            .filter_map(|p| container_port(p, "containerPort"))
            .collect();
        return Some((labels(pod.metadata.and_then(|m| m.get("labels"))), ports));
    }
    let root = object.root;
    let kubevirt = object.api_version.starts_with("kubevirt.io/");
    let interface_ports = |spec: Option<palisade_source::NodeRef<'_, '_>>| -> Vec<ContainerPort> {
        spec.and_then(|s| s.path(&["domain", "devices", "interfaces"]))
            .into_iter()
            .flat_map(|i| i.items())
            .flat_map(|i| i.get("ports").into_iter().flat_map(|p| p.items()))
            .filter_map(|p| container_port(p, "port"))
            .collect()
    };
    if kubevirt && object.kind == "VirtualMachineInstance" {
        return Some((
            labels(root.path(&["metadata", "labels"])),
            interface_ports(root.get("spec")),
        ));
    }
    let template = root.path(&["spec", "template"]).filter(|t| t.is_map())?;
    let metadata = template.get("metadata").filter(|m| m.is_map())?;
    let ports = if kubevirt {
        interface_ports(template.get("spec"))
    } else {
        Vec::new()
    };
    Some((labels(metadata.get("labels")), ports))
}

/// Pod labels.
type Labels = BTreeMap<String, String>;

/// The workload outside the input that replicas fold into: (kind, name).
type OwnerName = (String, String);

/// Replicas fold together when namespace, owner, labels and ports all agree.
type ReplicaKey = (String, OwnerName, Labels, Vec<ContainerPort>);

/// Labels that differ from replica to replica (StatefulSet pod names and indexes) or from
/// rollout to rollout (template hashes): replicas fold into one workload without them, unless
/// a selector of the model reads them.
const VOLATILE_LABELS: [&str; 5] = [
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
];

/// What one object contributes to the NetworkPolicy model: the record [`Model::add`] keeps,
/// so that an index of objects (`crate::cluster::ClusterIndex`) can hold it per object and
/// build the model from its records.
#[derive(Debug, Clone)]
pub enum NetpolPart {
    /// A Namespace and its labels (`kubernetes.io/metadata.name` included).
    Namespace(String, BTreeMap<String, String>),
    /// A Service.
    Service(Service),
    /// A NetworkPolicy the API server accepts.
    Policy(Policy),
    /// A NetworkPolicy the API server rejects.
    Rejected(IgnoredPolicy),
    /// Pods, or a workload's pod template.
    Pod(Pod),
}

impl NetpolPart {
    /// The record of `object`, if it has one. `default_namespace` is where objects without
    /// one go (`-n`, default `default`); `path` and `document` say where it is written.
    pub fn of(
        object: &Object<'_, '_>,
        default_namespace: &str,
        path: &palisade_diagnostics::ArcStr,
        document: u32,
    ) -> Option<NetpolPart> {
        let namespace = crate::resources::placed_namespace(
            &object.api_version,
            &object.kind,
            object.namespace(),
            default_namespace,
        )
        .to_string();
        let root = object.root;
        Some(match &*object.kind {
            "Namespace" if object.api_version == "v1" => {
                let name = object.name().unwrap_or_default().to_string();
                let l = namespace_labels(&name, labels(root.path(&["metadata", "labels"])));
                NetpolPart::Namespace(name, l)
            }
            "Service" if object.api_version == "v1" => {
                let spec = root.get("spec");
                let ports = spec
                    .and_then(|s| s.get("ports"))
                    .into_iter()
                    .flat_map(|p| p.items())
                    .filter_map(|p| {
                        let target = p.get("targetPort").or_else(|| p.get("port"))?;
                        let target = match target.as_i64() {
                            Some(n) => PortRef::Number(u16::try_from(n).ok()?),
                            None => PortRef::Name(target.as_str()?.to_string()),
                        };
                        let protocol = p.get("protocol").and_then(|x| x.as_str()).unwrap_or("TCP");
                        Some((target, protocol.to_string()))
                    })
                    .collect();
                let kind = spec
                    .and_then(|s| s.get("type"))
                    .and_then(|t| t.as_str())
                    .unwrap_or("ClusterIP");
                NetpolPart::Service(Service {
                    namespace,
                    name: object.name().unwrap_or_default().to_string(),
                    selector: labels(spec.and_then(|s| s.get("selector"))),
                    ports,
                    exposed: matches!(kind, "NodePort" | "LoadBalancer"),
                })
            }
            "NetworkPolicy" if object.api_version.starts_with("networking.k8s.io/") => {
                let spec = root.get("spec");
                let name = object.name().unwrap_or_default().to_string();
                let at = object.location(path, document, "/metadata/name");
                let at = match &at.span {
                    Some(span) => format!("{}:{}", span.path, span.line),
                    None => object.object_ref().display_name(),
                };
                let errors = validate::validate(spec);
                if !errors.is_empty() {
                    let reason: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                    return Some(NetpolPart::Rejected(IgnoredPolicy {
                        policy: format!("{namespace}/{name}"),
                        at,
                        reason: format!("the API server rejects it: {}", reason.join("; ")),
                    }));
                }
                let PolicyTypes { ingress, egress } = PolicyTypes::of(spec);
                NetpolPart::Policy(Policy {
                    namespace,
                    name,
                    selector: LabelSelector::of(spec.and_then(|s| s.get("podSelector"))),
                    ingress: ingress.then(|| rules(spec.and_then(|s| s.get("ingress")), "from")),
                    egress: egress.then(|| rules(spec.and_then(|s| s.get("egress")), "to")),
                    at,
                })
            }
            _ => {
                let (labels, ports) = workload_pods(object)?;
                let owner = root
                    .path(&["metadata", "ownerReferences"])
                    .into_iter()
                    .flat_map(|o| o.items())
                    .find(|o| o.get("controller").and_then(|c| c.as_bool()) == Some(true))
                    .and_then(|o| {
                        let kind = o.get("kind")?.as_str()?;
                        let name = o.get("name")?.as_str()?;
                        Some((kind.to_string(), name.to_string()))
                    });
                let name = object.name().unwrap_or("<unnamed>").to_string();
                NetpolPart::Pod(Pod {
                    display: format!("{}/{namespace}/{name}", object.kind),
                    kind: object.kind.to_string(),
                    name,
                    namespace,
                    labels,
                    ports,
                    owner,
                })
            }
        })
    }
}

impl Model {
    /// Add the pods, namespaces and policies among `object` ([`NetpolPart::of`]). A
    /// NetworkPolicy the API server would reject is recorded as ignored, not added.
    pub fn add(
        &mut self,
        object: &Object<'_, '_>,
        default_namespace: &str,
        path: &palisade_diagnostics::ArcStr,
        document: u32,
    ) {
        if let Some(part) = NetpolPart::of(object, default_namespace, path, document) {
            self.push(part);
        }
    }

    /// Add one object's record, after those added before it (a NetworkPolicy replaces an
    /// earlier one of the same namespace and name).
    pub fn push(&mut self, part: NetpolPart) {
        match part {
            NetpolPart::Namespace(name, labels) => {
                self.namespaces.insert(name, labels);
            }
            NetpolPart::Service(s) => self.services.push(s),
            NetpolPart::Policy(p) => self.push_policy(p),
            NetpolPart::Rejected(i) => self.ignored.push(i),
            NetpolPart::Pod(p) => self.pods.push(p),
        }
    }

    /// The model of the records, in order, with replicas folded into their workloads
    /// ([`Model::fold_owned`]).
    pub fn of_parts(parts: impl IntoIterator<Item = NetpolPart>) -> Model {
        let mut model = Model::default();
        // Policies by (namespace, name), so that replacing stays linear.
        let mut policies: std::collections::HashMap<(String, String), usize> = Default::default();
        for part in parts {
            match part {
                NetpolPart::Policy(p) => {
                    let key = (p.namespace.clone(), p.name.clone());
                    let at = policies.get(&key).copied();
                    if at.is_none() {
                        policies.insert(key, model.policies.len());
                    }
                    model.put_policy(at, p);
                }
                other => model.push(other),
            }
        }
        model.fold_owned();
        model
    }

    /// Add a policy; one of the same namespace and name already there is replaced, as
    /// `kubectl apply` of both manifests in order would leave the later one.
    fn push_policy(&mut self, policy: Policy) {
        let at = self
            .policies
            .iter()
            .position(|p| p.namespace == policy.namespace && p.name == policy.name);
        self.put_policy(at, policy);
    }

    /// Put a policy at index `at` (replacing what is there) or at the end.
    fn put_policy(&mut self, at: Option<usize>, policy: Policy) {
        match at {
            Some(i) => {
                let old = std::mem::replace(&mut self.policies[i], policy);
                self.ignored.push(IgnoredPolicy {
                    policy: old.id(),
                    at: old.at,
                    reason: format!(
                        "replaced by the NetworkPolicy of the same name at {}",
                        self.policies[i].at
                    ),
                });
            }
            None => self.policies.push(policy),
        }
    }

    /// Fold the Pods, ReplicaSets and Jobs of a snapshot into the workloads that own them, so
    /// that a Deployment counts once rather than once per ReplicaSet and Pod. A controller in
    /// the model stands for what it owns. When the controller is not in the input (a
    /// `kubectl get pods -A -o yaml` export), the replicas with the same labels and ports
    /// become one workload named after it: a DaemonSet's or StatefulSet's own name, or a
    /// Deployment's, read from its ReplicaSet's name and the `pod-template-hash` label (and
    /// folded into that Deployment when it is in the input). Labels that differ from replica
    /// to replica or from rollout to rollout (template hashes, StatefulSet pod names) are set
    /// aside unless a selector reads them. Mirror pods (owned by their Node) stay pods.
    /// [`Model::folded`] maps the removed names to the workload that stands for them.
    pub fn fold_owned(&mut self) {
        let n = self.pods.len();
        let index: BTreeMap<(&str, &str, &str), usize> = self
            .pods
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.namespace.as_str(), p.kind.as_str(), p.name.as_str()), i))
            .collect();
        let owner_of = |i: usize| {
            let p = &self.pods[i];
            p.owner
                .as_ref()
                .and_then(|(kind, name)| index.get(&(p.namespace.as_str(), kind, name)).copied())
        };
        // The top controller of each pod. Chains are short; a cycle (or a chain longer than
        // any real one) leaves the pod standing for itself.
        let top: Vec<usize> = (0..n)
            .map(|i| {
                let mut at = i;
                for _ in 0..32 {
                    match owner_of(at) {
                        Some(o) if o != at => at = o,
                        _ => return at,
                    }
                }
                i
            })
            .collect();
        let read_keys = self.selector_keys();
        let volatile: Vec<&str> = VOLATILE_LABELS
            .into_iter()
            .filter(|k| !read_keys.contains(*k))
            .collect();
        let mut stands_for = top.clone();
        let mut renamed: Vec<Option<(OwnerName, Labels)>> = vec![None; n];
        let mut groups: BTreeMap<ReplicaKey, usize> = BTreeMap::new();
        for i in 0..n {
            if top[i] != i || owner_of(i).is_some() {
                continue;
            }
            let Some(owner) = self.pods[i].outside_owner() else {
                continue;
            };
            let p = &self.pods[i];
            if let Some(&o) = index.get(&(p.namespace.as_str(), owner.0.as_str(), owner.1.as_str()))
            {
                stands_for[i] = top[o];
                continue;
            }
            let mut labels = p.labels.clone();
            for k in &volatile {
                labels.remove(*k);
            }
            let key = (
                p.namespace.clone(),
                owner.clone(),
                labels.clone(),
                p.ports.clone(),
            );
            match groups.get(&key) {
                Some(&first) => stands_for[i] = first,
                None => {
                    groups.insert(key, i);
                    renamed[i] = Some((owner, labels));
                }
            }
        }
        // What a pod folds into may fold further (a workload found by its derived name).
        for i in 0..n {
            for _ in 0..4 {
                let next = stands_for[stands_for[i]];
                if next == stands_for[i] {
                    break;
                }
                stands_for[i] = next;
            }
        }
        let kept: Vec<usize> = (0..n).filter(|&i| stands_for[i] == i).collect();
        let new_index: BTreeMap<usize, usize> = kept
            .iter()
            .enumerate()
            .map(|(new, &old)| (old, new))
            .collect();
        let mut folded = BTreeMap::new();
        for i in 0..n {
            if (stands_for[i] != i || renamed[i].is_some())
                && let Some(&k) = new_index.get(&stands_for[i])
            {
                folded.insert(self.pods[i].display.clone(), k);
            }
        }
        let mut pods = std::mem::take(&mut self.pods);
        for (i, pod) in pods.iter_mut().enumerate() {
            if let Some(((kind, name), labels)) = renamed[i].take() {
                pod.display = format!("{kind}/{}/{name}", pod.namespace);
                pod.kind = kind;
                pod.name = name;
                pod.labels = labels;
                pod.owner = None;
            }
        }
        let mut keep = vec![false; n];
        for &k in &kept {
            keep[k] = true;
        }
        let mut k = keep.iter();
        pods.retain(|_| k.next().copied().unwrap_or(false));
        self.pods = pods;
        self.folded.extend(folded);
    }

    /// Every label key a pod selector of the model's policies or a Service selector reads.
    fn selector_keys(&self) -> std::collections::BTreeSet<String> {
        let mut keys = std::collections::BTreeSet::new();
        let mut add = |s: &LabelSelector| {
            keys.extend(s.match_labels.keys().cloned());
            keys.extend(s.expressions.iter().map(|r| r.key.clone()));
        };
        for service in &self.services {
            add(&LabelSelector {
                match_labels: service.selector.clone(),
                expressions: Vec::new(),
            });
        }
        for p in &self.policies {
            add(&p.selector);
            for rule in p.ingress.iter().chain(&p.egress).flatten() {
                for peer in rule.peers.iter().flatten() {
                    if let Some(s) = &peer.pods {
                        add(s);
                    }
                }
            }
        }
        keys
    }

    /// The labels of a namespace (only the automatic name label when no Namespace object).
    fn namespace_labels(&self, name: &str) -> BTreeMap<String, String> {
        (self.namespaces.get(name).cloned())
            .unwrap_or_else(|| namespace_labels(name, BTreeMap::new()))
    }

    /// Whether `peer` of a policy in `policy_ns` matches the endpoint.
    fn peer_matches(&self, peer: &Peer, policy_ns: &str, endpoint: Endpoint) -> bool {
        match endpoint {
            Endpoint::Ip(ip) => peer.ip_block.as_ref().is_some_and(|(cidr, except)| {
                cidr.contains(&ip) && !except.iter().any(|e| e.contains(&ip))
            }),
            Endpoint::Pod(i) => {
                if peer.ip_block.is_some() {
                    return false;
                }
                let pod = &self.pods[i];
                let namespace_ok = match &peer.namespaces {
                    Some(sel) => sel.matches(&self.namespace_labels(&pod.namespace)),
                    None => pod.namespace == policy_ns,
                };
                let pod_ok = peer
                    .pods
                    .as_ref()
                    .is_none_or(|sel| sel.matches(&pod.labels));
                namespace_ok && pod_ok
            }
        }
    }

    /// Whether a rule's ports admit `port`/`protocol` on a destination with `ports`
    /// (`None` for an address outside the model).
    fn ports_match(
        rule: &Rule,
        destination: Option<&[ContainerPort]>,
        port: u16,
        protocol: &str,
    ) -> bool {
        Self::rule_ports(rule, destination).contains(protocol, port)
    }

    /// The ports a rule admits towards a destination with container `ports` (`None`: an
    /// address outside the model, where a named port resolves to nothing).
    pub(crate) fn rule_ports(rule: &Rule, destination: Option<&[ContainerPort]>) -> PortSet {
        if rule.ports.is_empty() {
            return PortSet::all();
        }
        let mut set = PortSet::default();
        for p in &rule.ports {
            match &p.port {
                None => set.insert_protocol(&p.protocol),
                Some(PortRef::Number(n)) => set.insert(&p.protocol, *n, p.end_port.unwrap_or(*n)),
                // A named port resolves against the destination pod's container ports.
                Some(PortRef::Name(name)) => {
                    for c in destination.unwrap_or_default() {
                        if c.name.as_deref() == Some(name) && c.protocol == p.protocol {
                            set.insert(&c.protocol, c.port, c.port);
                        }
                    }
                }
            }
        }
        set
    }

    /// The policies that isolate `pod` for `direction`, with their indexes.
    fn isolating(&self, pod: usize, direction: Direction) -> Vec<usize> {
        let p = &self.pods[pod];
        self.policies
            .iter()
            .enumerate()
            .filter(|(_, policy)| {
                policy.namespace == p.namespace
                    && policy.selector.matches(&p.labels)
                    && policy.rules(direction).is_some()
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether a rule admits `peer` (ports aside).
    fn rule_admits(&self, rule: &Rule, policy_ns: &str, peer: Endpoint) -> bool {
        rule.peers.as_ref().is_none_or(|peers| {
            peers.is_empty() || peers.iter().any(|p| self.peer_matches(p, policy_ns, peer))
        })
    }

    /// One side of a connection: `None` when `pod` is not isolated for `direction`.
    fn side(&self, pod: usize, direction: Direction, peer: Endpoint) -> Option<Side> {
        let isolating = self.isolating(pod, direction);
        if isolating.is_empty() {
            return None;
        }
        let mut admitting = Vec::new();
        for &i in &isolating {
            let policy = &self.policies[i];
            for (k, rule) in policy
                .rules(direction)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if self.rule_admits(rule, &policy.namespace, peer) {
                    admitting.push((i, k));
                }
            }
        }
        Some(Side {
            direction,
            isolating,
            admitting,
        })
    }

    /// Both sides of a connection: the source's egress and the destination's ingress.
    fn sides(&self, from: Endpoint, to: Endpoint) -> [Option<Side>; 2] {
        let egress = match from {
            Endpoint::Pod(i) => self.side(i, Direction::Egress, to),
            Endpoint::Ip(_) => None,
        };
        let ingress = match to {
            Endpoint::Pod(i) => self.side(i, Direction::Ingress, from),
            Endpoint::Ip(_) => None,
        };
        [egress, ingress]
    }

    /// The rule `k` of policy `i` for a direction.
    fn rule(&self, direction: Direction, (i, k): (usize, usize)) -> &Rule {
        &self.policies[i].rules(direction).unwrap_or_default()[k]
    }

    /// The container ports of an endpoint (`None` for an address).
    fn destination_ports(&self, to: Endpoint) -> Option<&[ContainerPort]> {
        match to {
            Endpoint::Pod(i) => Some(&self.pods[i].ports),
            Endpoint::Ip(_) => None,
        }
    }

    /// Every port and protocol `from` may use towards `to`.
    pub fn allowed_ports(&self, from: Endpoint, to: Endpoint) -> PortSet {
        let destination = self.destination_ports(to);
        let mut allowed = PortSet::all();
        for side in self.sides(from, to).into_iter().flatten() {
            let mut ports = PortSet::default();
            for &at in &side.admitting {
                ports.union(&Self::rule_ports(
                    self.rule(side.direction, at),
                    destination,
                ));
            }
            allowed = allowed.intersect(&ports);
        }
        allowed
    }

    /// Whether `from` may open a connection to `to` on `port`/`protocol`, and which rules
    /// decide it.
    pub fn reach(&self, from: Endpoint, to: Endpoint, port: u16, protocol: &str) -> Verdict {
        let destination = self.destination_ports(to);
        let mut verdict = Verdict {
            allowed: true,
            decided_by: Vec::new(),
            isolated_by: Vec::new(),
        };
        for side in self.sides(from, to).into_iter().flatten() {
            let allowed: Vec<DecidedBy> = side
                .admitting
                .iter()
                .filter(|&&at| {
                    Self::ports_match(self.rule(side.direction, at), destination, port, protocol)
                })
                .map(|&(i, k)| DecidedBy {
                    policy: self.policies[i].id(),
                    direction: side.direction,
                    rule: k,
                })
                .collect();
            if allowed.is_empty() {
                verdict.allowed = false;
                verdict
                    .isolated_by
                    .extend(side.isolating.iter().map(|&i| self.policies[i].id()));
            } else {
                verdict.decided_by.extend(allowed);
            }
        }
        if !verdict.allowed {
            verdict.decided_by.clear();
        }
        verdict
    }
}

impl Policy {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The rules of a direction, when the policy isolates for it.
    pub fn rules(&self, direction: Direction) -> Option<&[Rule]> {
        match direction {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests;
