//! Generated NetworkPolicies: deny everything per namespace and allow only what Services and
//! observed flows say is needed. Every allow rule comes from one source, named with its policy:
//! - a Service: the pods of its namespace may reach the pods it selects on its target ports
//!   (and any address may, for `NodePort` and `LoadBalancer`);
//! - an observed flow: that workload (or address range) may reach that one;
//! - DNS: every pod may query the cluster DNS (`k8s-app: kube-dns` in `kube-system`) on port
//!   53.
//!
//! A workload is selected exactly: its pod labels, plus `DoesNotExist` for a label of every
//! other class of its namespace whose labels include all of them, so that a rule written for
//! `app: web` does not also admit `app: web, track: canary`. Workloads with the very same
//! labels cannot be told apart by any NetworkPolicy and share their rules.
//!
//! Policies are typed values, serialised by the caller (YAML, JSON) with serde.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use serde::Serialize;

use super::{Endpoint, EndpointError, Model, PROTOCOLS, PortRef};

// The NetworkPolicy manifest, fields in the order people write them (serialised with serde).

/// A NetworkPolicy manifest.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkPolicy {
    /// `networking.k8s.io/v1`.
    pub api_version: &'static str,
    /// `NetworkPolicy`.
    pub kind: &'static str,
    /// Name and namespace.
    pub metadata: Metadata,
    /// What it selects and allows.
    pub spec: Spec,
}

/// `metadata`.
#[derive(Debug, Clone, Serialize)]
pub struct Metadata {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`.
    pub namespace: String,
}

/// `spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    /// The pods the policy applies to.
    pub pod_selector: Selector,
    /// `Ingress`, `Egress` or both.
    pub policy_types: Vec<&'static str>,
    /// Allowed incoming connections.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ingress: Vec<RuleOut>,
    /// Allowed outgoing connections.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<RuleOut>,
}

/// A label selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Selector {
    /// `matchLabels`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions` (only `DoesNotExist` is generated).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<Expression>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Expression {
    /// The label key.
    pub key: String,
    /// The operator.
    pub operator: &'static str,
}

/// One peer of a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerOut {
    /// Namespaces of the peer pods (the policy's own when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<Selector>,
    /// The peer pods.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_selector: Option<Selector>,
    /// An address range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_block: Option<IpBlock>,
}

/// `ipBlock`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct IpBlock {
    /// The range.
    pub cidr: String,
}

/// One port of a rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PortOut {
    /// TCP, UDP or SCTP.
    pub protocol: String,
    /// A number or a named container port.
    pub port: PortValue,
    /// The last port of a range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_port: Option<u16>,
}

/// `port`: a number or a name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum PortValue {
    /// A port number.
    Number(u16),
    /// A named container port.
    Name(String),
}

/// One ingress or egress rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleOut {
    /// Ingress peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<Vec<PeerOut>>,
    /// Egress peers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Vec<PeerOut>>,
    /// Ports (every port when empty).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<PortOut>,
}

/// Ports of an allowance: `None` for every port.
pub type Ports = Option<Vec<PortOut>>;

/// The policy an allowance goes into.
struct Target {
    namespace: String,
    name: String,
    /// `spec.podSelector`.
    selector: Selector,
    /// Egress (else ingress).
    egress: bool,
    /// Where the policy comes from, for the comment above it.
    why: String,
}

/// One policy being assembled: what it selects, its direction, and per peer the ports.
struct Draft {
    selector: Selector,
    egress: bool,
    why: String,
    rules: BTreeMap<PeerOut, Ports>,
}

/// The policies being assembled, by (namespace, name).
#[derive(Default)]
struct Drafts {
    policies: BTreeMap<(String, String), Draft>,
}

impl Drafts {
    /// Allow `peer` on `ports` in the target policy (created when new).
    fn allow(&mut self, target: &Target, peer: PeerOut, ports: Ports) {
        let draft = self
            .policies
            .entry((target.namespace.clone(), target.name.clone()))
            .or_insert_with(|| Draft {
                selector: target.selector.clone(),
                egress: target.egress,
                why: target.why.clone(),
                rules: BTreeMap::new(),
            });
        let entry = draft.rules.entry(peer).or_insert_with(|| Some(Vec::new()));
        match (entry.as_mut(), ports) {
            (Some(have), Some(more)) => {
                have.extend(more);
                have.sort();
                have.dedup();
            }
            _ => *entry = None,
        }
    }
}

impl PeerOut {
    /// Pods of the policy's namespace.
    fn pods(selector: Selector) -> Self {
        PeerOut {
            namespace_selector: None,
            pod_selector: Some(selector),
            ip_block: None,
        }
    }

    /// An address range.
    fn cidr(cidr: String) -> Self {
        PeerOut {
            namespace_selector: None,
            pod_selector: None,
            ip_block: Some(IpBlock { cidr }),
        }
    }
}

impl Selector {
    /// `matchLabels` only.
    fn labels(labels: BTreeMap<String, String>) -> Self {
        Selector {
            match_labels: labels,
            match_expressions: Vec::new(),
        }
    }
}

impl NetworkPolicy {
    fn new(namespace: &str, name: &str, spec: Spec) -> Self {
        NetworkPolicy {
            api_version: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: Metadata {
                name: name.to_string(),
                namespace: namespace.to_string(),
            },
            spec,
        }
    }
}

/// A selector of exactly one label class of `namespace`: its labels, and `DoesNotExist` on a
/// label of each other class whose labels include them.
fn exact_selector(model: &Model, namespace: &str, labels: &BTreeMap<String, String>) -> Selector {
    let mut excluded = BTreeSet::new();
    let supersets: BTreeSet<&BTreeMap<String, String>> = model
        .pods
        .iter()
        .filter(|p| p.namespace == namespace && p.labels != *labels)
        .map(|p| &p.labels)
        .filter(|other| labels.iter().all(|(k, v)| other.get(k) == Some(v)))
        .collect();
    for other in supersets {
        // Already excluded by a key chosen for another class?
        if excluded.iter().any(|k: &String| other.contains_key(k)) {
            continue;
        }
        if let Some(k) = other.keys().find(|k| !labels.contains_key(*k)) {
            excluded.insert(k.clone());
        }
    }
    Selector {
        match_labels: labels.clone(),
        match_expressions: excluded
            .into_iter()
            .map(|key| Expression {
                key,
                operator: "DoesNotExist",
            })
            .collect(),
    }
}

/// `kubernetes.io/metadata.name: NS`.
fn namespace_selector(namespace: &str) -> Selector {
    Selector::labels(BTreeMap::from([(
        "kubernetes.io/metadata.name".to_string(),
        namespace.to_string(),
    )]))
}

/// A DNS-1123 name from parts.
fn policy_name(parts: &[&str]) -> String {
    let name: String = parts
        .join("-")
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    name.chars().take(253).collect()
}

/// One end of an observed flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// A workload of the model (index in [`Model::pods`]).
    Pod(usize),
    /// An address range.
    Net(IpNet),
}

/// An observed flow, resolved against the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    /// The client.
    pub from: End,
    /// The server.
    pub to: End,
    /// The ports, or every port.
    pub ports: Ports,
}

/// A port as a flow gives it: a number or `first-last`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSpec {
    /// One port.
    Number(u16),
    /// A number or `first-last`, as text.
    Text(String),
}

/// A flow as written, with the lines to blame when it does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSpec {
    /// `NS/NAME`, `Kind/NS/NAME`, `NAME`, an address or a CIDR.
    pub from: String,
    /// Likewise.
    pub to: String,
    /// The port, or every port.
    pub port: Option<PortSpec>,
    /// TCP (the default), UDP or SCTP.
    pub protocol: Option<String>,
    /// The line of the flow.
    pub line: usize,
    /// The line of its port.
    pub port_line: usize,
}

/// Why a flow does not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowErrorKind {
    /// An end names no workload, or several.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// Not a protocol NetworkPolicies know.
    #[error("protocol must be TCP, UDP or SCTP, not `{0}`")]
    Protocol(String),
    /// Not a port or a range.
    #[error("port must be a number (1-65535) or FIRST-LAST")]
    Port,
    /// Both ends are addresses: no policy could say anything.
    #[error("a flow needs a workload at one end")]
    NoWorkload,
}

/// A flow that does not resolve, at a line of its file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct FlowError {
    /// Where.
    pub line: usize,
    /// What.
    #[source]
    pub kind: FlowErrorKind,
}

impl FlowSpec {
    /// Resolve the ends against `model` (names without a namespace are in `default_namespace`)
    /// and check the port.
    pub fn resolve(&self, model: &Model, default_namespace: &str) -> Result<Flow, FlowError> {
        let at = |line: usize| move |kind: FlowErrorKind| FlowError { line, kind };
        let end = |spec: &str| -> Result<End, FlowError> {
            if let Ok(net) = spec.parse::<IpNet>() {
                return Ok(End::Net(net));
            }
            match model.endpoint(spec, default_namespace) {
                Ok(Endpoint::Ip(ip)) => Ok(End::Net(IpNet::from(ip))),
                Ok(Endpoint::Pod(i)) => Ok(End::Pod(i)),
                Err(e) => Err(at(self.line)(e.into())),
            }
        };
        let (from, to) = (end(&self.from)?, end(&self.to)?);
        let ports = self.ports()?;
        if matches!((&from, &to), (End::Net(_), End::Net(_))) {
            return Err(at(self.line)(FlowErrorKind::NoWorkload));
        }
        Ok(Flow { from, to, ports })
    }

    fn ports(&self) -> Result<Ports, FlowError> {
        let protocol = (self.protocol.as_deref().unwrap_or("TCP")).to_ascii_uppercase();
        if !PROTOCOLS.contains(&protocol.as_str()) {
            return Err(FlowError {
                line: self.line,
                kind: FlowErrorKind::Protocol(protocol),
            });
        }
        let Some(port) = &self.port else {
            return Ok(None);
        };
        let bad = || FlowError {
            line: self.port_line,
            kind: FlowErrorKind::Port,
        };
        let number = |s: &str| s.trim().parse::<u16>().map_err(|_| bad());
        let (first, last) = match port {
            PortSpec::Number(n) => (*n, *n),
            PortSpec::Text(t) => match t.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None => (number(t)?, number(t)?),
            },
        };
        if first == 0 || last < first {
            return Err(bad());
        }
        Ok(Some(vec![PortOut {
            protocol,
            port: PortValue::Number(first),
            end_port: (last > first).then_some(last),
        }]))
    }
}

/// What to generate.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// Namespaces to write policies for.
    pub scope: BTreeSet<String>,
    /// Allow every pod to query the cluster DNS.
    pub dns: bool,
    /// Derive allow rules from Services.
    pub services: bool,
}

/// One generated policy and where its rules come from.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Why it exists (a Service, observed flows, DNS, default deny).
    pub why: String,
    /// The policy.
    pub policy: NetworkPolicy,
}

/// The policies for `options.scope`: per namespace a default deny, then its allow policies
/// by name.
pub fn generate(model: &Model, options: &GenerateOptions, flows: &[Flow]) -> Vec<Generated> {
    let scope = &options.scope;
    let mut drafts = Drafts::default();
    if options.dns {
        allow_dns(&mut drafts, scope);
    }
    if options.services {
        allow_services(&mut drafts, model, scope);
    }
    for flow in flows {
        allow_flow(&mut drafts, model, scope, flow);
    }
    let mut out = Vec::new();
    for ns in scope {
        let deny = Spec {
            pod_selector: Selector::default(),
            policy_types: vec!["Ingress", "Egress"],
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        out.push(Generated {
            why: "deny every connection that no other policy allows".into(),
            policy: NetworkPolicy::new(ns, "default-deny", deny),
        });
        let of_namespace = drafts
            .policies
            .range((ns.clone(), String::new())..)
            .take_while(|((n, _), _)| n == ns);
        for ((_, name), draft) in of_namespace {
            let rules: Vec<RuleOut> = draft
                .rules
                .iter()
                .map(|(peer, ports)| RuleOut {
                    from: (!draft.egress).then(|| vec![peer.clone()]),
                    to: draft.egress.then(|| vec![peer.clone()]),
                    ports: ports.clone().unwrap_or_default(),
                })
                .collect();
            let (ingress, egress, types) = if draft.egress {
                (Vec::new(), rules, vec!["Egress"])
            } else {
                (rules, Vec::new(), vec!["Ingress"])
            };
            let spec = Spec {
                pod_selector: draft.selector.clone(),
                policy_types: types,
                ingress,
                egress,
            };
            out.push(Generated {
                why: draft.why.clone(),
                policy: NetworkPolicy::new(ns, name, spec),
            });
        }
    }
    out
}

/// Every pod of each namespace may query the cluster DNS.
fn allow_dns(drafts: &mut Drafts, scope: &BTreeSet<String>) {
    let dns = PeerOut {
        namespace_selector: Some(namespace_selector("kube-system")),
        pod_selector: Some(Selector::labels(BTreeMap::from([(
            "k8s-app".into(),
            "kube-dns".into(),
        )]))),
        ip_block: None,
    };
    let ports: Vec<PortOut> = ["UDP", "TCP"]
        .map(|p| PortOut {
            protocol: p.into(),
            port: PortValue::Number(53),
            end_port: None,
        })
        .into();
    for ns in scope {
        let target = Target {
            namespace: ns.clone(),
            name: "allow-dns-egress".into(),
            selector: Selector::default(),
            egress: true,
            why: "every pod may query the cluster DNS".into(),
        };
        drafts.allow(&target, dns.clone(), Some(ports.clone()));
    }
}

/// The pods of a Service's namespace may reach the pods it selects on its target ports; every
/// address may too when it is exposed.
fn allow_services(drafts: &mut Drafts, model: &Model, scope: &BTreeSet<String>) {
    for svc in &model.services {
        if !scope.contains(&svc.namespace) || svc.selector.is_empty() || svc.ports.is_empty() {
            continue;
        }
        let selected = Selector::labels(svc.selector.clone());
        let ports: Vec<PortOut> = svc
            .ports
            .iter()
            .map(|(port, protocol)| PortOut {
                protocol: protocol.clone(),
                port: match port {
                    PortRef::Number(n) => PortValue::Number(*n),
                    PortRef::Name(n) => PortValue::Name(n.clone()),
                },
                end_port: None,
            })
            .collect();
        let why = format!("Service {}/{}", svc.namespace, svc.name);
        let ingress = Target {
            namespace: svc.namespace.clone(),
            name: policy_name(&["service", &svc.name, "ingress"]),
            selector: selected.clone(),
            egress: false,
            why: why.clone(),
        };
        let outside = ["0.0.0.0/0", "::/0"]
            .into_iter()
            .filter(|_| svc.exposed)
            .map(|cidr| PeerOut::cidr(cidr.into()));
        for peer in std::iter::once(PeerOut::pods(Selector::default())).chain(outside) {
            drafts.allow(&ingress, peer, Some(ports.clone()));
        }
        let egress = Target {
            namespace: svc.namespace.clone(),
            name: policy_name(&["service", &svc.name, "egress"]),
            selector: Selector::default(),
            egress: true,
            why,
        };
        drafts.allow(&egress, PeerOut::pods(selected), Some(ports));
    }
}

/// An observed flow: ingress on the destination, egress on the source, each when in scope.
fn allow_flow(drafts: &mut Drafts, model: &Model, scope: &BTreeSet<String>, flow: &Flow) {
    // The peer `end` as written in a policy of `namespace`.
    let peer_in = |end: &End, namespace: &str| match end {
        End::Net(net) => PeerOut::cidr(net.to_string()),
        End::Pod(i) => {
            let pod = &model.pods[*i];
            PeerOut {
                namespace_selector: (pod.namespace != namespace)
                    .then(|| namespace_selector(&pod.namespace)),
                pod_selector: Some(exact_selector(model, &pod.namespace, &pod.labels)),
                ip_block: None,
            }
        }
    };
    for (at, peer, egress) in [(&flow.to, &flow.from, false), (&flow.from, &flow.to, true)] {
        let End::Pod(i) = at else {
            continue;
        };
        let pod = &model.pods[*i];
        if !scope.contains(&pod.namespace) {
            continue;
        }
        let (direction, word) = if egress {
            ("egress", "from")
        } else {
            ("ingress", "to")
        };
        let target = Target {
            namespace: pod.namespace.clone(),
            name: policy_name(&["flows", &pod.kind, &pod.name, direction]),
            selector: exact_selector(model, &pod.namespace, &pod.labels),
            egress,
            why: format!("observed flows {word} {}", pod.workload()),
        };
        drafts.allow(&target, peer_in(peer, &pod.namespace), flow.ports.clone());
    }
}

#[cfg(test)]
mod tests;
