//! Table tests: one rule of NetworkPolicy semantics per case.

use super::*;
use palisade_source::{Limits, parse_stream};

use crate::objects_in;

pub(super) const CLUSTER: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring, labels: {team: ops}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: x
        ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: x, ports: [{name: sql, containerPort: 5432}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: prometheus, namespace: monitoring}
spec:
  template:
    metadata: {labels: {app: prometheus}}
    spec:
      containers: [{name: p, image: x}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: monitoring}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: w, image: x}]
---
# db accepts web on 5432 only, and prometheus (monitoring) on any port.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
  - from:
    - namespaceSelector: {matchLabels: {team: ops}}
      podSelector: {matchLabels: {app: prometheus}}
---
# web accepts anyone on the named port http, and a range for UDP.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress, Egress]
  ingress:
  - ports: [{port: http}, {port: 50, endPort: 60, protocol: UDP}]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
  - to: [{ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}}]
---
# In monitoring, an OR of two peers: any pod of namespaces labelled team=shop, or web pods of
# this namespace.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: prometheus, namespace: monitoring}
spec:
  podSelector: {matchLabels: {app: prometheus}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: shop}}
    - podSelector: {matchLabels: {app: web}}
"#;

pub(super) fn model() -> Model {
    model_of(CLUSTER)
}

/// The model of a YAML stream.
pub(super) fn model_of(yaml: &str) -> Model {
    let mut m = Model::default();
    for doc in parse_stream(yaml, &Limits::default()) {
        let doc = doc.unwrap();
        for o in objects_in(&doc).objects {
            m.add(&o, "default");
        }
    }
    m
}

fn pod(m: &Model, display: &str) -> Endpoint {
    Endpoint::Pod(m.pods.iter().position(|p| p.display == display).unwrap())
}

#[test]
fn networkpolicy_semantics_one_by_one() {
    let m = model();
    let web = pod(&m, "Deployment/shop/web");
    let db = pod(&m, "Deployment/shop/db");
    let prom = pod(&m, "Deployment/monitoring/prometheus");
    let mon_web = pod(&m, "Deployment/monitoring/web");
    let ip = |s: &str| Endpoint::Ip(s.parse().unwrap());
    let allowed = |from, to, port, proto: &str| m.reach(from, to, port, proto).allowed;
    let cases: Vec<(&str, bool)> = vec![
        // A podSelector peer matches pods of the policy's own namespace.
        ("web -> db:5432", allowed(web, db, 5432, "TCP")),
        (
            "web -> db:5433: port not listed",
            !allowed(web, db, 5433, "TCP"),
        ),
        (
            "web -> db:5432/UDP: protocol",
            !allowed(web, db, 5432, "UDP"),
        ),
        (
            "monitoring/web -> db: podSelector is namespace-local",
            !allowed(mon_web, db, 5432, "TCP"),
        ),
        // podSelector AND namespaceSelector in one peer.
        ("prometheus -> db, any port", allowed(prom, db, 9187, "TCP")),
        (
            "monitoring/web -> db: the AND needs both",
            !allowed(mon_web, db, 9187, "TCP"),
        ),
        // Separate peers are ORed; namespaceSelector alone means every pod there.
        (
            "shop/db -> prometheus via namespace team=shop",
            allowed(db, prom, 9090, "TCP"),
        ),
        (
            "monitoring/web -> prometheus via podSelector",
            allowed(mon_web, prom, 9090, "TCP"),
        ),
        // Named ports resolve against the destination's container ports.
        ("db -> web:8080 (named http)", allowed(db, web, 8080, "TCP")),
        (
            "db -> web:9090 (no such named port)",
            !allowed(db, web, 9090, "TCP"),
        ),
        // endPort ranges, protocol included.
        ("db -> web:55/UDP in 50-60", allowed(db, web, 55, "UDP")),
        (
            "db -> web:61/UDP out of range",
            !allowed(db, web, 61, "UDP"),
        ),
        // No `from`: every source, IP addresses too.
        (
            "10.0.0.1 -> web:8080",
            allowed(ip("10.0.0.1"), web, 8080, "TCP"),
        ),
        // Egress: isolation needs both sides to allow.
        (
            "web -> db: web's egress allows db",
            allowed(web, db, 5432, "TCP"),
        ),
        (
            "web -> prometheus: web's egress has no rule for it",
            !allowed(web, prom, 9090, "TCP"),
        ),
        // ipBlock with except.
        ("web -> 8.8.8.8", allowed(web, ip("8.8.8.8"), 443, "TCP")),
        (
            "web -> 169.254.169.254 (except)",
            !allowed(web, ip("169.254.169.254"), 80, "TCP"),
        ),
        // ipBlock never matches the model's pods.
        (
            "ipBlock 0.0.0.0/0 does not make web -> monitoring/web allowed",
            !allowed(web, mon_web, 80, "TCP"),
        ),
        // Pods no policy selects are not isolated: everything allowed.
        (
            "prometheus -> monitoring/web",
            allowed(prom, mon_web, 1234, "TCP"),
        ),
        // policyTypes defaults to Ingress only: the db policy does not isolate db's egress.
        ("db -> 8.8.8.8", allowed(db, ip("8.8.8.8"), 53, "UDP")),
    ];
    let failed: Vec<&str> = cases
        .iter()
        .filter(|(_, ok)| !ok)
        .map(|(n, _)| *n)
        .collect();
    assert!(failed.is_empty(), "{failed:?}");
}

#[test]
fn verdicts_name_the_deciding_rules_or_the_isolating_policies() {
    let m = model();
    let web = pod(&m, "Deployment/shop/web");
    let db = pod(&m, "Deployment/shop/db");
    let v = m.reach(web, db, 5432, "TCP");
    assert_eq!(
        v.decided_by,
        vec![
            DecidedBy {
                policy: "shop/web".into(),
                direction: Direction::Egress,
                rule: 0
            },
            DecidedBy {
                policy: "shop/db".into(),
                direction: Direction::Ingress,
                rule: 0
            },
        ]
    );
    let v = m.reach(web, db, 22, "TCP");
    assert!(!v.allowed);
    assert_eq!(v.isolated_by, vec!["shop/db".to_string()]);
}

#[test]
fn snapshot_pods_fold_into_their_controllers() {
    let mut m = model_of(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: w, image: x}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d4f
  namespace: shop
  ownerReferences: [{kind: Deployment, name: web, controller: true}]
spec:
  template:
    metadata: {labels: {app: web, pod-template-hash: 5d4f}}
    spec: {containers: [{name: w, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d4f-abcde
  namespace: shop
  labels: {app: web, pod-template-hash: 5d4f}
  ownerReferences: [{kind: ReplicaSet, name: web-5d4f, controller: true}]
spec: {containers: [{name: w, image: x}]}
---
apiVersion: v1
kind: Pod
metadata:
  name: job-x
  namespace: shop
  ownerReferences: [{kind: Job, name: gone, controller: true}]
spec: {containers: [{name: j, image: x}]}
"#,
    );
    m.fold_owned();
    let kept: Vec<&str> = m.pods.iter().map(|p| p.display.as_str()).collect();
    assert_eq!(kept, ["Deployment/shop/web", "Pod/shop/job-x"]);
    assert_eq!(m.folded.get("Pod/shop/web-5d4f-abcde"), Some(&0));
    assert_eq!(m.folded.get("ReplicaSet/shop/web-5d4f"), Some(&0));
    assert_eq!(m.pods[0].workload(), "shop/web[Deployment]");
}

#[test]
fn policy_types_default_like_the_api_server() {
    // Unset or empty policyTypes: Ingress, plus Egress only for a non-empty egress list.
    let m = model_of(
        r#"
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: a, image: x}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: x, labels: {app: b}}
spec: {containers: [{name: b, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: empty-egress, namespace: x}
spec:
  podSelector: {matchLabels: {app: a}}
  policyTypes: []
  egress: []
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: with-egress, namespace: x}
spec:
  podSelector: {matchLabels: {app: b}}
  egress: [{to: [{podSelector: {matchLabels: {app: a}}}]}]
"#,
    );
    let (a, b) = (Endpoint::Pod(0), Endpoint::Pod(1));
    let ip = Endpoint::Ip("192.0.2.1".parse().unwrap());
    assert!(
        m.reach(a, ip, 80, "TCP").allowed,
        "an empty egress list isolates nothing"
    );
    assert!(
        !m.reach(b, a, 80, "TCP").allowed,
        "a is isolated for ingress"
    );
    assert!(
        !m.reach(b, ip, 80, "TCP").allowed,
        "b's egress rule isolates it"
    );
    assert!(
        !m.reach(ip, b, 80, "TCP").allowed,
        "b is isolated for ingress too"
    );
}
