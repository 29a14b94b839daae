//! `palisade netpol generate`: NetworkPolicies that deny everything per namespace and allow
//! only what Services and observed flows say is needed.
//!
//! Every allow rule comes from one source, named in a comment above its policy:
//! - a Service: the pods of its namespace may reach the pods it selects on its target ports
//!   (and any address may, for `NodePort` and `LoadBalancer`);
//! - a flow of the `--flows` file: that workload (or address range) may reach that one;
//! - DNS: every pod may query the cluster DNS (`k8s-app: kube-dns` in `kube-system`) on port
//!   53, unless `--no-dns`.
//!
//! A workload is selected exactly: its pod labels, plus `DoesNotExist` for a label of every
//! other class of its namespace whose labels include all of them, so that a rule written for
//! `app: web` does not also admit `app: web, track: canary`. Workloads with the very same
//! labels cannot be told apart by any NetworkPolicy and share their rules.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;
use ipnet::IpNet;
use palisade_model::netpol::{Endpoint, Model, PortRef};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::{InputArgs, endpoint};
use crate::{EXIT_CLEAN, EXIT_ERROR};

/// `palisade netpol generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Observed flows (YAML or JSON): `flows: [{from: NS/NAME or CIDR, to: NS/NAME or CIDR,
    /// port: 443 or "8000-9000" (every port when absent), protocol: TCP}]`.
    #[arg(long, value_name = "FILE")]
    flows: Option<PathBuf>,

    /// Do not derive allow rules from Services.
    #[arg(long)]
    no_services: bool,

    /// Do not allow every pod to query the cluster DNS.
    #[arg(long)]
    no_dns: bool,
}

/// The flow file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowFile {
    flows: Vec<Flow>,
}

/// One observed flow.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Flow {
    from: Spanned<String>,
    to: Spanned<String>,
    #[serde(default)]
    port: Option<Spanned<PortSpec>>,
    #[serde(default)]
    protocol: Option<String>,
}

/// A port number or a `first-last` range.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum PortSpec {
    Number(u16),
    Text(String),
}

// The NetworkPolicy manifest, fields in the order people write them.

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct NetworkPolicy {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata,
    spec: Spec,
}

#[derive(Debug, Clone, Serialize)]
struct Metadata {
    name: String,
    namespace: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Spec {
    pod_selector: Selector,
    policy_types: Vec<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ingress: Vec<RuleOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    egress: Vec<RuleOut>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    match_labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    match_expressions: Vec<Expression>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
struct Expression {
    key: String,
    operator: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
struct PeerOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace_selector: Option<Selector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_selector: Option<Selector>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_block: Option<IpBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
struct IpBlock {
    cidr: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
struct PortOut {
    protocol: String,
    port: PortValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
enum PortValue {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone, Serialize)]
struct RuleOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<Vec<PeerOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<Vec<PeerOut>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ports: Vec<PortOut>,
}

/// Ports of an allowance: `None` for every port.
type Ports = Option<Vec<PortOut>>;

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

/// An end of a flow: a workload (pod index) or an address range.
enum End {
    Pod(usize),
    Net(IpNet),
}

fn parse_end(model: &Model, spec: &Spanned<String>, ns: &str, file: &str) -> Result<End> {
    if let Ok(net) = spec.value.parse::<IpNet>() {
        return Ok(End::Net(net));
    }
    match endpoint(model, &spec.value, ns) {
        Ok(Endpoint::Ip(ip)) => Ok(End::Net(IpNet::from(ip))),
        Ok(Endpoint::Pod(i)) => Ok(End::Pod(i)),
        Err(e) => bail!("{file}:{}: {e}", spec.referenced.line()),
    }
}

fn parse_ports(flow: &Flow, file: &str) -> Result<Ports> {
    let protocol = flow
        .protocol
        .as_deref()
        .unwrap_or("TCP")
        .to_ascii_uppercase();
    if !palisade_model::netpol::PROTOCOLS.contains(&protocol.as_str()) {
        bail!(
            "{file}:{}: protocol must be TCP, UDP or SCTP, not `{protocol}`",
            flow.from.referenced.line()
        );
    }
    let Some(port) = &flow.port else {
        return Ok(None);
    };
    let bad = || {
        anyhow::anyhow!(
            "{file}:{}: port must be a number (1-65535) or FIRST-LAST",
            port.referenced.line()
        )
    };
    let (first, last) = match &port.value {
        PortSpec::Number(n) => (*n, *n),
        PortSpec::Text(t) => match t.split_once('-') {
            Some((a, b)) => (
                a.trim().parse().map_err(|_| bad())?,
                b.trim().parse().map_err(|_| bad())?,
            ),
            None => {
                let n = t.trim().parse().map_err(|_| bad())?;
                (n, n)
            }
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

/// Largest flow file read.
const MAX_FLOWS_FILE: u64 = 64 << 20;

fn read_flows(path: &PathBuf) -> Result<Vec<Flow>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > MAX_FLOWS_FILE {
        bail!(
            "{}: larger than {} MiB",
            path.display(),
            MAX_FLOWS_FILE >> 20
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let parsed: FlowFile =
        serde_saphyr::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(parsed.flows)
}

pub(super) fn run(a: &GenerateArgs) -> Result<u8> {
    let (model, errors) = a.input.load()?;
    let flows = match &a.flows {
        Some(p) => read_flows(p)?,
        None => Vec::new(),
    };
    // Namespaces to write policies for: -n, else those with workloads, system ones aside.
    let scope: BTreeSet<String> = match &a.input.namespace {
        Some(ns) => BTreeSet::from([ns.clone()]),
        None => model
            .pods
            .iter()
            .map(|p| p.namespace.clone())
            .filter(|ns| !palisade_rules::SYSTEM_NAMESPACES.contains(&ns.as_str()))
            .collect(),
    };
    let mut drafts = Drafts::default();
    if !a.no_dns {
        allow_dns(&mut drafts, &scope);
    }
    if !a.no_services {
        allow_services(&mut drafts, &model, &scope);
    }
    let file = a
        .flows
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    for flow in &flows {
        let ns = a.input.default_namespace();
        allow_flow(&mut drafts, &model, &scope, flow, ns, &file)?;
    }
    let mut out = std::io::stdout().lock();
    for ns in &scope {
        let deny = Spec {
            pod_selector: Selector::default(),
            policy_types: vec!["Ingress", "Egress"],
            ingress: Vec::new(),
            egress: Vec::new(),
        };
        let why = "deny every connection that no other policy allows";
        write_policy(&mut out, why, &NetworkPolicy::new(ns, "default-deny", deny))?;
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
            write_policy(&mut out, &draft.why, &NetworkPolicy::new(ns, name, spec))?;
        }
    }
    Ok(if errors { EXIT_ERROR } else { EXIT_CLEAN })
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
fn allow_flow(
    drafts: &mut Drafts,
    model: &Model,
    scope: &BTreeSet<String>,
    flow: &Flow,
    default_ns: &str,
    file: &str,
) -> Result<()> {
    let from = parse_end(model, &flow.from, default_ns, file)?;
    let to = parse_end(model, &flow.to, default_ns, file)?;
    let ports = parse_ports(flow, file)?;
    if matches!((&from, &to), (End::Net(_), End::Net(_))) {
        bail!(
            "{file}:{}: a flow needs a workload at one end",
            flow.from.referenced.line()
        );
    }
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
    for (at, peer, egress) in [(&to, &from, false), (&from, &to, true)] {
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
        drafts.allow(&target, peer_in(peer, &pod.namespace), ports.clone());
    }
    Ok(())
}

fn write_policy(out: &mut impl Write, why: &str, policy: &NetworkPolicy) -> Result<()> {
    let yaml = serde_saphyr::to_string(policy).context("cannot write YAML")?;
    write!(out, "---\n# {why}\n{yaml}")?;
    Ok(())
}
