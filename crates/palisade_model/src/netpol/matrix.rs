//! The connectivity of every workload, computed once per equivalence class.
//!
//! Policies see a pod only through its namespace, its labels and its named ports, so pods
//! that share all three are indistinguishable: they form a class, and the matrix is computed
//! between classes. Addresses outside the model are split into the ranges between the
//! boundaries of every `ipBlock` (and `except`) of the policies; every address of a range is
//! treated alike by every policy.
//!
//! Each policy rule's peers are resolved to classes and ranges once; each isolated class then
//! accumulates, per peer, the ports its rules admit. A connection's ports are the intersection
//! of the source's egress and the destination's ingress (everything on a side no policy
//! isolates), so the cost follows the number of rule-to-peer matches, not classes squared
//! times rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;
use rayon::prelude::*;

use super::{ContainerPort, Direction, Endpoint, Model, Rule};
use crate::netpol::PortSet;

/// Pods that every policy treats alike: one namespace, one label set, one set of container
/// ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// The namespace.
    pub namespace: String,
    /// The pod labels.
    pub labels: BTreeMap<String, String>,
    /// The container ports.
    pub ports: Vec<ContainerPort>,
    /// Indexes of the member pods in [`Model::pods`].
    pub members: Vec<usize>,
}

/// An inclusive range of addresses outside the model's pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpRange {
    /// The first address.
    pub first: IpAddr,
    /// The last address.
    pub last: IpAddr,
}

impl fmt::Display for IpRange {
    /// A CIDR when the range is one (`10.0.0.0/8`), else `first-last`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last, bits) = match (self.first, self.last) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                (u128::from(a.to_bits()), u128::from(b.to_bits()), 32)
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => (a.to_bits(), b.to_bits(), 128),
            _ => return write!(f, "{}-{}", self.first, self.last),
        };
        let size = last.wrapping_sub(first).wrapping_add(1);
        // A CIDR: the size is a power of two (0 = the whole IPv6 space) and the start aligned.
        let prefix = if size == 0 {
            Some(0)
        } else if size.is_power_of_two() && first % size == 0 {
            Some(bits - size.trailing_zeros())
        } else {
            None
        };
        match prefix {
            Some(p) => write!(f, "{}/{p}", self.first),
            None => write!(f, "{}-{}", self.first, self.last),
        }
    }
}

impl IpRange {
    /// Whether `next` starts right after this range, in the same address family.
    fn adjoins(&self, next: &IpRange) -> bool {
        match (self.last, next.first) {
            (IpAddr::V4(a), IpAddr::V4(b)) => a.to_bits().checked_add(1) == Some(b.to_bits()),
            (IpAddr::V6(a), IpAddr::V6(b)) => a.to_bits().checked_add(1) == Some(b.to_bits()),
            _ => false,
        }
    }

    /// Whether the range holds `ip`.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.first, self.last, ip) {
            (IpAddr::V4(a), IpAddr::V4(b), IpAddr::V4(x)) => (a..=b).contains(&x),
            (IpAddr::V6(a), IpAddr::V6(b), IpAddr::V6(x)) => (a..=b).contains(&x),
            _ => false,
        }
    }
}

/// One end of a connection in the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    /// A class (index in [`Matrix::classes`]).
    Class(usize),
    /// A range of addresses (index in [`Matrix::ranges`]), while computing.
    Range(usize),
    /// Addresses: in [`Matrix::connections`], adjoining ranges with the same ports merged.
    Addresses(IpRange),
}

/// An allowed connection between classes or ranges, and the ports it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The source.
    pub from: Node,
    /// The destination.
    pub to: Node,
    /// The ports and protocols allowed (never empty).
    pub ports: PortSet,
}

/// The connectivity of a model.
#[derive(Debug, Clone, Default)]
pub struct Matrix {
    /// The classes of pods, sorted by namespace, labels and ports.
    pub classes: Vec<Class>,
    /// The address ranges outside the model that policies tell apart, in order, IPv4 first.
    pub ranges: Vec<IpRange>,
    /// The allowed connections, sorted by source and destination. Addresses are never both
    /// ends (connections between them do not cross a pod) and appear as
    /// [`Node::Addresses`]: for each class, adjoining ranges with the same ports are merged.
    pub connections: Vec<Connection>,
}

/// The classes and ranges a rule's peers match.
#[derive(Debug, Default)]
struct Peers {
    classes: Vec<usize>,
    ranges: Vec<usize>,
}

/// The ranges between the boundaries of every `ipBlock` CIDR and exception.
fn ip_ranges(model: &Model) -> Vec<IpRange> {
    let mut v4: BTreeSet<u32> = BTreeSet::from([0]);
    let mut v6: BTreeSet<u128> = BTreeSet::from([0]);
    let blocks = model
        .policies
        .iter()
        .flat_map(|p| p.ingress.iter().chain(&p.egress).flatten())
        .flat_map(|r| r.peers.iter().flatten())
        .filter_map(|peer| peer.ip_block.as_ref());
    for (cidr, except) in blocks {
        for net in std::iter::once(cidr).chain(except) {
            match net {
                IpNet::V4(n) => {
                    v4.insert(n.network().to_bits());
                    if let Some(end) = n.broadcast().to_bits().checked_add(1) {
                        v4.insert(end);
                    }
                }
                IpNet::V6(n) => {
                    v6.insert(n.network().to_bits());
                    if let Some(end) = n.broadcast().to_bits().checked_add(1) {
                        v6.insert(end);
                    }
                }
            }
        }
    }
    let ends4 = v4.iter().skip(1).map(|e| e - 1).chain([u32::MAX]);
    let ends6 = v6.iter().skip(1).map(|e| e - 1).chain([u128::MAX]);
    let four = v4.iter().zip(ends4).map(|(&a, b)| IpRange {
        first: IpAddr::V4(Ipv4Addr::from_bits(a)),
        last: IpAddr::V4(Ipv4Addr::from_bits(b)),
    });
    let six = v6.iter().zip(ends6).map(|(&a, b)| IpRange {
        first: IpAddr::V6(Ipv6Addr::from_bits(a)),
        last: IpAddr::V6(Ipv6Addr::from_bits(b)),
    });
    four.chain(six).collect()
}

/// Turn range indexes into addresses, merging adjoining ranges that connect to or from the
/// same class with the same ports.
fn merge_ranges(connections: Vec<Connection>, ranges: &[IpRange]) -> Vec<Connection> {
    // Key each connection by its class end, the side the range is on, then the range order.
    let mut keyed: Vec<((usize, bool, usize), Connection)> = connections
        .into_iter()
        .map(|c| {
            let key = match (c.from, c.to) {
                (Node::Class(a), Node::Range(r)) => (a, true, r),
                (Node::Range(r), Node::Class(b)) => (b, false, r),
                (Node::Class(a), _) => (a, true, usize::MAX),
                _ => (usize::MAX, false, usize::MAX),
            };
            (key, c)
        })
        .collect();
    keyed.sort_unstable_by_key(|(k, c)| (k.0, k.1, c.from, c.to));
    let mut out: Vec<Connection> = Vec::with_capacity(keyed.len());
    let mut last_key = None;
    for ((class, outward, r), mut c) in keyed {
        if r == usize::MAX {
            out.push(c);
            last_key = None;
            continue;
        }
        let range = ranges[r];
        let merged = last_key == Some((class, outward))
            && out.last_mut().is_some_and(|prev| {
                let end = if outward {
                    &mut prev.to
                } else {
                    &mut prev.from
                };
                match end {
                    Node::Addresses(p) if prev.ports == c.ports && p.adjoins(&range) => {
                        p.last = range.last;
                        true
                    }
                    _ => false,
                }
            });
        if !merged {
            let end = if outward { &mut c.to } else { &mut c.from };
            *end = Node::Addresses(range);
            out.push(c);
        }
        last_key = Some((class, outward));
    }
    out.sort_unstable_by_key(|c| (c.from, c.to));
    out
}

impl Model {
    /// The pods grouped into classes of the same namespace, labels and container ports.
    pub fn classes(&self) -> Vec<Class> {
        type Key<'m> = (&'m str, &'m BTreeMap<String, String>, Vec<ContainerPort>);
        let mut classes: BTreeMap<Key<'_>, Vec<usize>> = BTreeMap::new();
        for (i, pod) in self.pods.iter().enumerate() {
            let mut ports = pod.ports.clone();
            ports.sort();
            ports.dedup();
            classes
                .entry((&pod.namespace, &pod.labels, ports))
                .or_default()
                .push(i);
        }
        classes
            .into_iter()
            .map(|((namespace, labels, ports), members)| Class {
                namespace: namespace.to_string(),
                labels: labels.clone(),
                ports,
                members,
            })
            .collect()
    }

    /// The connectivity between every class of pods and every address range.
    pub fn matrix(&self) -> Matrix {
        let classes = self.classes();
        let ranges = ip_ranges(self);
        let mut by_namespace: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, c) in classes.iter().enumerate() {
            by_namespace.entry(&c.namespace).or_default().push(i);
        }
        let namespace_labels: Vec<(&str, BTreeMap<String, String>)> = by_namespace
            .keys()
            .copied()
            .chain(self.namespaces.keys().map(String::as_str))
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .map(|ns| (ns, self.namespace_labels(ns)))
            .collect();

        // The policies isolating each class, per direction.
        let mut isolating: [Vec<Vec<usize>>; 2] = [
            vec![Vec::new(); classes.len()],
            vec![Vec::new(); classes.len()],
        ];
        for (pi, policy) in self.policies.iter().enumerate() {
            for &c in by_namespace
                .get(policy.namespace.as_str())
                .into_iter()
                .flatten()
            {
                if policy.selector.matches(&classes[c].labels) {
                    for (d, direction) in [Direction::Ingress, Direction::Egress].iter().enumerate()
                    {
                        if policy.rules(*direction).is_some() {
                            isolating[d][c].push(pi);
                        }
                    }
                }
            }
        }

        // The peers of each rule of a policy that isolates some class.
        let peers_of = |rule: &Rule, policy_ns: &str| -> Peers {
            let everything = rule.peers.as_ref().is_none_or(Vec::is_empty);
            if everything {
                return Peers {
                    classes: (0..classes.len()).collect(),
                    ranges: (0..ranges.len()).collect(),
                };
            }
            let mut out = Peers::default();
            let mut class_set = BTreeSet::new();
            let mut range_set = BTreeSet::new();
            for peer in rule.peers.iter().flatten() {
                if peer.ip_block.is_some() {
                    for (r, range) in ranges.iter().enumerate() {
                        if self.peer_matches(peer, policy_ns, Endpoint::Ip(range.first)) {
                            range_set.insert(r);
                        }
                    }
                    continue;
                }
                let namespaces: Vec<&str> = match &peer.namespaces {
                    Some(sel) => namespace_labels
                        .iter()
                        .filter(|(_, l)| sel.matches(l))
                        .map(|(ns, _)| *ns)
                        .collect(),
                    None => vec![policy_ns],
                };
                for ns in namespaces {
                    for &c in by_namespace.get(ns).into_iter().flatten() {
                        if peer
                            .pods
                            .as_ref()
                            .is_none_or(|s| s.matches(&classes[c].labels))
                        {
                            class_set.insert(c);
                        }
                    }
                }
            }
            out.classes.extend(class_set);
            out.ranges.extend(range_set);
            out
        };
        let mut peers: HashMap<(usize, Direction, usize), Peers> = HashMap::new();
        for (d, direction) in [Direction::Ingress, Direction::Egress]
            .into_iter()
            .enumerate()
        {
            for &pi in isolating[d].iter().flatten().collect::<BTreeSet<_>>() {
                let policy = &self.policies[pi];
                for (k, rule) in policy
                    .rules(direction)
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                {
                    peers
                        .entry((pi, direction, k))
                        .or_insert_with(|| peers_of(rule, &policy.namespace));
                }
            }
        }

        // Peers are numbered: classes first, then ranges.
        let range_node = |r: usize| classes.len() + r;
        let node_of = |k: usize| {
            if k < classes.len() {
                Node::Class(k)
            } else {
                Node::Range(k - classes.len())
            }
        };
        // What each class isolated for ingress admits, per source.
        let ingress: Vec<HashMap<usize, PortSet>> = (0..classes.len())
            .into_par_iter()
            .map(|c| {
                let mut map: HashMap<usize, PortSet> = HashMap::new();
                for &pi in &isolating[0][c] {
                    let rules = self.policies[pi]
                        .rules(Direction::Ingress)
                        .unwrap_or_default();
                    for (k, rule) in rules.iter().enumerate() {
                        let Some(p) = peers.get(&(pi, Direction::Ingress, k)) else {
                            continue;
                        };
                        let ports = Self::rule_ports(rule, Some(&classes[c].ports));
                        let sources = p.classes.iter().copied();
                        for s in sources.chain(p.ranges.iter().map(|&r| range_node(r))) {
                            map.entry(s).or_default().union(&ports);
                        }
                    }
                }
                map
            })
            .collect();
        let all = PortSet::all();
        let ingress_of = |to: usize, from: usize| -> Option<&PortSet> {
            if isolating[0][to].is_empty() {
                Some(&all)
            } else {
                ingress[to].get(&from)
            }
        };
        let meet = |egress: &PortSet, ingress: Option<&PortSet>| {
            let ingress = ingress?;
            let ports = if egress.is_all() {
                ingress.clone()
            } else if ingress.is_all() {
                egress.clone()
            } else {
                egress.intersect(ingress)
            };
            (!ports.is_empty()).then_some(ports)
        };
        // From each class: what its egress admits (everything when not isolated), met with
        // each destination's ingress. One source at a time, so egress maps are never all held.
        let from_classes = (0..classes.len()).into_par_iter().flat_map_iter(|from| {
            let mut out = Vec::new();
            if isolating[1][from].is_empty() {
                for to in 0..classes.len() {
                    if let Some(ports) = meet(&all, ingress_of(to, from)) {
                        out.push(Connection {
                            from: Node::Class(from),
                            to: Node::Class(to),
                            ports,
                        });
                    }
                }
                for r in 0..ranges.len() {
                    out.push(Connection {
                        from: Node::Class(from),
                        to: Node::Range(r),
                        ports: all.clone(),
                    });
                }
                return out;
            }
            let mut egress: HashMap<usize, PortSet> = HashMap::new();
            for &pi in &isolating[1][from] {
                let rules = self.policies[pi]
                    .rules(Direction::Egress)
                    .unwrap_or_default();
                for (k, rule) in rules.iter().enumerate() {
                    let Some(p) = peers.get(&(pi, Direction::Egress, k)) else {
                        continue;
                    };
                    for &t in &p.classes {
                        let ports = Self::rule_ports(rule, Some(&classes[t].ports));
                        egress.entry(t).or_default().union(&ports);
                    }
                    let ports = Self::rule_ports(rule, None);
                    for &r in &p.ranges {
                        egress.entry(range_node(r)).or_default().union(&ports);
                    }
                }
            }
            for (to, ports) in egress {
                let ingress = if to < classes.len() {
                    ingress_of(to, from)
                } else {
                    Some(&all)
                };
                if let Some(ports) = meet(&ports, ingress) {
                    out.push(Connection {
                        from: Node::Class(from),
                        to: node_of(to),
                        ports,
                    });
                }
            }
            out
        });
        // From each address range: every class whose ingress admits it.
        let (all, ingress_of, meet) = (&all, &ingress_of, &meet);
        let from_ranges = (0..ranges.len()).into_par_iter().flat_map_iter(|r| {
            (0..classes.len()).filter_map(move |to| {
                meet(all, ingress_of(to, range_node(r))).map(|ports| Connection {
                    from: Node::Range(r),
                    to: Node::Class(to),
                    ports,
                })
            })
        });
        let connections: Vec<Connection> = from_classes.chain(from_ranges).collect();
        let connections = merge_ranges(connections, &ranges);
        Matrix {
            classes,
            ranges,
            connections,
        }
    }
}

#[cfg(test)]
mod tests;
