//! The matrix must say exactly what `reach` says, for every pair of pods and addresses and
//! every port that could make a difference.

use std::collections::BTreeSet;

use super::*;
use crate::netpol::PROTOCOLS;
use crate::netpol::tests::{CLUSTER, model, model_of};

/// A second inventory: SCTP, endPort, `except`, IPv6, namespaceSelector with
/// matchExpressions, two workloads with the same labels (one class), an empty `from`.
const MORE: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: pay, labels: {env: prod, team: pay}}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev, labels: {env: dev}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: pay}
spec:
  template:
    metadata: {labels: {app: api, tier: back}}
    spec:
      containers:
      - {name: a, image: x, ports: [{name: grpc, containerPort: 9000}, {name: sig, containerPort: 3868, protocol: SCTP}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api-canary, namespace: pay}
spec:
  template:
    metadata: {labels: {app: api, tier: back}}
    spec:
      containers:
      - {name: a, image: x, ports: [{name: grpc, containerPort: 9000}, {name: sig, containerPort: 3868, protocol: SCTP}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ledger, namespace: pay}
spec:
  template:
    metadata: {labels: {app: ledger}}
    spec:
      containers: [{name: l, image: x, ports: [{name: grpc, containerPort: 7000}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: shell, namespace: dev, labels: {app: shell}}
spec:
  containers: [{name: s, image: x}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: pay}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ledger, namespace: pay}
spec:
  podSelector: {matchLabels: {app: ledger}}
  ingress:
  - from:
    - podSelector: {matchExpressions: [{key: tier, operator: In, values: [back]}]}
    ports: [{port: grpc}, {port: 7100, endPort: 7200}]
  - from:
    - namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}
    ports: [{port: 22}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: api, namespace: pay}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: []
    ports: [{port: sig, protocol: SCTP}, {port: grpc}]
  egress:
  - to: [{podSelector: {matchLabels: {app: ledger}}}]
  - to:
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
    - ipBlock: {cidr: "2001:db8::/32"}
    ports: [{protocol: UDP}]
"#;

/// Every port worth probing: each number the inputs mention, its neighbours, and the ends.
fn probe_ports(yaml: &str) -> BTreeSet<u16> {
    let mut ports = BTreeSet::from([1, 65535]);
    for word in yaml.split(|c: char| !c.is_ascii_digit()) {
        if let Ok(n) = word.parse::<u16>()
            && n > 0
        {
            ports.extend([n - 1, n, n.saturating_add(1)]);
        }
    }
    ports.remove(&0);
    ports
}

fn agrees_with_reach(m: &Model, yaml: &str) {
    let matrix = m.matrix();
    let class_of = |pod: usize| {
        matrix
            .classes
            .iter()
            .position(|c| c.members.contains(&pod))
            .map(Node::Class)
            .unwrap()
    };
    let mut ends: Vec<(Endpoint, Node)> = (0..m.pods.len())
        .map(|i| (Endpoint::Pod(i), class_of(i)))
        .collect();
    for range in &matrix.ranges {
        for ip in [range.first, range.last] {
            ends.push((Endpoint::Ip(ip), Node::Range(0)));
        }
    }
    let ports = probe_ports(yaml);
    let mut checked = 0;
    for &(from, from_node) in &ends {
        for &(to, to_node) in &ends {
            if matches!((from, to), (Endpoint::Ip(_), Endpoint::Ip(_))) {
                continue;
            }
            let is = |node: Node, end: Endpoint, at: Node| match (at, end) {
                (Node::Addresses(r), Endpoint::Ip(ip)) => r.contains(ip),
                (at, _) => at == node,
            };
            let found: Vec<&Connection> = matrix
                .connections
                .iter()
                .filter(|c| is(from_node, from, c.from) && is(to_node, to, c.to))
                .collect();
            assert!(found.len() <= 1, "{found:?}");
            let listed = found.first().map(|c| &c.ports);
            assert_eq!(
                listed.cloned().unwrap_or_default(),
                m.allowed_ports(from, to),
                "{from:?} -> {to:?}"
            );
            for protocol in PROTOCOLS {
                for &port in &ports {
                    let reach = m.reach(from, to, port, protocol).allowed;
                    let matrix_says = listed.is_some_and(|p| p.contains(protocol, port));
                    assert_eq!(reach, matrix_says, "{from:?} -> {to:?} {port}/{protocol}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 1000, "only {checked} probes");
}

#[test]
fn matrix_agrees_with_reach_on_every_probe() {
    agrees_with_reach(&model(), CLUSTER);
    agrees_with_reach(&model_of(MORE), MORE);
}

#[test]
fn pods_with_the_same_namespace_labels_and_ports_form_one_class() {
    let m = model_of(MORE);
    let classes = m.classes();
    let api: Vec<&str> = classes
        .iter()
        .find(|c| c.labels.get("app").map(String::as_str) == Some("api"))
        .unwrap()
        .members
        .iter()
        .map(|&i| m.pods[i].name.as_str())
        .collect();
    assert_eq!(api, ["api", "api-canary"]);
    assert_eq!(classes.len(), 3);
}

#[test]
fn the_matrix_lists_what_the_policies_allow() {
    let m = model_of(MORE);
    let matrix = m.matrix();
    let name = |n: Node| match n {
        Node::Class(c) => {
            let c = &matrix.classes[c];
            format!("{}/{}", c.namespace, m.pods[c.members[0]].name)
        }
        Node::Addresses(r) => r.to_string(),
        Node::Range(r) => matrix.ranges[r].to_string(),
    };
    let lines: Vec<String> = matrix
        .connections
        .iter()
        .map(|c| format!("{} -> {}: {}", name(c.from), name(c.to), c.ports))
        .collect();
    let expected = [
        // Nothing isolates the shell: it reaches itself and every address.
        "dev/shell -> dev/shell: all",
        // dev is not prod: SSH to the ledger; and api accepts everyone on grpc and sig.
        "dev/shell -> pay/api: TCP 9000 SCTP 3868",
        "dev/shell -> pay/ledger: TCP 22",
        // Adjoining ranges with the same ports merge back into one.
        "dev/shell -> 0.0.0.0/0: all",
        "dev/shell -> ::/0: all",
        // The api class reaches the ledger on its named port and the range, itself not at all
        // (its ingress admits everyone on grpc and sig, but its egress does not); UDP to the
        // ipBlocks but not to the exception between them. The ledger's egress is denied.
        "pay/api -> pay/ledger: TCP 7000,7100-7200",
        "pay/api -> 10.0.0.0/16: UDP 1-65535",
        "pay/api -> 10.2.0.0-10.255.255.255: UDP 1-65535",
        "pay/api -> 2001:db8::/32: UDP 1-65535",
        "0.0.0.0/0 -> dev/shell: all",
        "0.0.0.0/0 -> pay/api: TCP 9000 SCTP 3868",
        "::/0 -> dev/shell: all",
        "::/0 -> pay/api: TCP 9000 SCTP 3868",
    ];
    assert_eq!(lines, expected);
}

#[test]
fn ranges_print_as_cidrs_when_they_are_one() {
    let r = |a: &str, b: &str| {
        IpRange {
            first: a.parse().unwrap(),
            last: b.parse().unwrap(),
        }
        .to_string()
    };
    assert_eq!(r("0.0.0.0", "255.255.255.255"), "0.0.0.0/0");
    assert_eq!(r("10.0.0.0", "10.255.255.255"), "10.0.0.0/8");
    assert_eq!(
        r("169.254.169.254", "169.254.169.254"),
        "169.254.169.254/32"
    );
    assert_eq!(r("10.0.0.0", "10.0.255.254"), "10.0.0.0-10.0.255.254");
    assert_eq!(r("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), "::/0");
    assert_eq!(r("10.0.0.1", "10.0.0.2"), "10.0.0.1-10.0.0.2");
}
