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

use crate::inventory::{LabelSelector, labels};
use crate::object::Object;

/// A protocol of a NetworkPolicy port.
pub type Protocol = String;

/// A pod (or a workload's pod template) as policies see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    /// `Kind/namespace/name` of the workload (or Pod).
    pub display: String,
    /// The namespace.
    pub namespace: String,
    /// The pod labels.
    pub labels: BTreeMap<String, String>,
    /// Named container ports: (name, port, protocol).
    pub ports: Vec<(String, u16, Protocol)>,
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

/// Pods, namespaces and policies of a scan or snapshot.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// Pods and pod templates.
    pub pods: Vec<Pod>,
    /// Namespace labels, `kubernetes.io/metadata.name` included.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// NetworkPolicies.
    pub policies: Vec<Policy>,
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
                                let cidr = b.get("cidr")?.as_str()?.parse().ok()?;
                                let except = b
                                    .get("except")
                                    .map(|e| {
                                        e.items().filter_map(|x| x.as_str()?.parse().ok()).collect()
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

impl Model {
    /// Add the pods, namespaces and policies among `object`. `namespace` is where objects
    /// without one go (`-n`, default `default`).
    pub fn add(&mut self, object: &Object<'_, '_>, default_namespace: &str) {
        let namespace = object.namespace().unwrap_or(default_namespace).to_string();
        let root = object.root;
        match &*object.kind {
            "Namespace" if object.api_version == "v1" => {
                let name = object.name().unwrap_or_default().to_string();
                let mut l = labels(root.path(&["metadata", "labels"]));
                l.insert("kubernetes.io/metadata.name".into(), name.clone());
                self.namespaces.insert(name, l);
            }
            "NetworkPolicy" if object.api_version.starts_with("networking.k8s.io/") => {
                let spec = root.get("spec");
                let types: Option<Vec<&str>> = spec
                    .and_then(|s| s.get("policyTypes"))
                    .map(|t| t.items().filter_map(|i| i.as_str()).collect());
                let has_egress = spec.and_then(|s| s.get("egress")).is_some();
                // policyTypes defaults to Ingress, plus Egress when egress rules are present.
                let (ingress, egress) = match &types {
                    Some(t) => (t.contains(&"Ingress"), t.contains(&"Egress")),
                    None => (true, has_egress),
                };
                self.policies.push(Policy {
                    namespace,
                    name: object.name().unwrap_or_default().to_string(),
                    selector: LabelSelector::of(spec.and_then(|s| s.get("podSelector"))),
                    ingress: ingress.then(|| rules(spec.and_then(|s| s.get("ingress")), "from")),
                    egress: egress.then(|| rules(spec.and_then(|s| s.get("egress")), "to")),
                });
            }
            _ => {
                let Some(pod) = object.pod_spec() else {
                    return;
                };
                let ports = pod
                    .containers()
                    .iter()
                    .flat_map(|c| c.node.get("ports").into_iter().flat_map(|p| p.items()))
                    .filter_map(|p| {
                        let name = p.get("name")?.as_str()?.to_string();
                        let port = u16::try_from(p.get("containerPort")?.as_i64()?).ok()?;
                        let protocol = p
                            .get("protocol")
                            .and_then(|x| x.as_str())
                            .unwrap_or("TCP")
                            .to_string();
                        Some((name, port, protocol))
                    })
                    .collect();
                self.pods.push(Pod {
                    display: object.object_ref().display_name(),
                    namespace,
                    labels: labels(pod.metadata.and_then(|m| m.get("labels"))),
                    ports,
                });
            }
        }
    }

    /// Add what another model collected (from another file).
    pub fn merge(&mut self, other: Model) {
        self.pods.extend(other.pods);
        self.namespaces.extend(other.namespaces);
        self.policies.extend(other.policies);
    }

    /// The labels of a namespace (only the automatic name label when no Namespace object).
    fn namespace_labels(&self, name: &str) -> BTreeMap<String, String> {
        self.namespaces.get(name).cloned().unwrap_or_else(|| {
            BTreeMap::from([("kubernetes.io/metadata.name".to_string(), name.to_string())])
        })
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

    /// Whether a rule's ports admit `port`/`protocol` on the destination.
    fn ports_match(rule: &Rule, destination: Option<&Pod>, port: u16, protocol: &str) -> bool {
        rule.ports.is_empty()
            || rule.ports.iter().any(|p| {
                p.protocol == protocol
                    && match &p.port {
                        None => true,
                        Some(PortRef::Number(n)) => match p.end_port {
                            Some(end) => (*n..=end).contains(&port),
                            None => *n == port,
                        },
                        // A named port resolves against the destination pod's container ports.
                        Some(PortRef::Name(name)) => destination.is_some_and(|d| {
                            d.ports
                                .iter()
                                .any(|(n, p, proto)| n == name && *p == port && proto == protocol)
                        }),
                    }
            })
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
                    && match direction {
                        Direction::Ingress => policy.ingress.is_some(),
                        Direction::Egress => policy.egress.is_some(),
                    }
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// One side of a connection: `None` when the pod is not isolated for the direction,
    /// else the rules that allow the peer (empty: denied) and the isolating policies.
    fn side(
        &self,
        pod: usize,
        direction: Direction,
        peer: Endpoint,
        destination: Option<&Pod>,
        port: u16,
        protocol: &str,
    ) -> Option<(Vec<DecidedBy>, Vec<String>)> {
        let isolating = self.isolating(pod, direction);
        if isolating.is_empty() {
            return None;
        }
        let mut allowed = Vec::new();
        for &i in &isolating {
            let policy = &self.policies[i];
            let rules = match direction {
                Direction::Ingress => policy.ingress.as_deref(),
                Direction::Egress => policy.egress.as_deref(),
            }
            .unwrap_or_default();
            for (k, rule) in rules.iter().enumerate() {
                let peer_ok = rule.peers.as_ref().is_none_or(|peers| {
                    peers.is_empty()
                        || peers
                            .iter()
                            .any(|p| self.peer_matches(p, &policy.namespace, peer))
                });
                if peer_ok && Self::ports_match(rule, destination, port, protocol) {
                    allowed.push(DecidedBy {
                        policy: format!("{}/{}", policy.namespace, policy.name),
                        direction,
                        rule: k,
                    });
                }
            }
        }
        let names = isolating
            .iter()
            .map(|&i| format!("{}/{}", self.policies[i].namespace, self.policies[i].name))
            .collect();
        Some((allowed, names))
    }

    /// Whether `from` may open a connection to `to` on `port`/`protocol`, and which rules
    /// decide it.
    pub fn reach(&self, from: Endpoint, to: Endpoint, port: u16, protocol: &str) -> Verdict {
        let destination = match to {
            Endpoint::Pod(i) => Some(&self.pods[i]),
            Endpoint::Ip(_) => None,
        };
        let egress = match from {
            Endpoint::Pod(i) => self.side(i, Direction::Egress, to, destination, port, protocol),
            Endpoint::Ip(_) => None,
        };
        let ingress = match to {
            Endpoint::Pod(i) => self.side(i, Direction::Ingress, from, destination, port, protocol),
            Endpoint::Ip(_) => None,
        };
        let mut verdict = Verdict {
            allowed: true,
            decided_by: Vec::new(),
            isolated_by: Vec::new(),
        };
        for (allowed, isolating) in [egress, ingress].into_iter().flatten() {
            if allowed.is_empty() {
                verdict.allowed = false;
                verdict.isolated_by.extend(isolating);
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

#[cfg(test)]
mod tests;
