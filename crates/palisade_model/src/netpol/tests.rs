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
    crate::each_object(yaml, |o, document| {
        m.add(o, "default", &"cluster.yaml".into(), document);
    });
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
    assert_eq!(kept, ["Deployment/shop/web", "Job/shop/gone"]);
    assert_eq!(m.folded.get("Pod/shop/job-x"), Some(&1));
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

#[test]
fn policies_the_api_server_rejects_are_not_applied() {
    // A broken ipBlock must not become an empty peer that admits every pod.
    let m = model_of(
        "apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, image: x, ports: [{containerPort: 5432}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: x}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/33}
",
    );
    assert!(m.policies.is_empty());
    assert_eq!(m.ignored.len(), 1);
    assert_eq!(m.ignored[0].policy, "shop/db");
    assert_eq!(m.ignored[0].at, "cluster.yaml:13");
    assert!(
        m.ignored[0].reason.contains(
            "spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value"
        ),
        "{}",
        m.ignored[0].reason
    );
    // Without the policy, db is not isolated: web reaches it, and the verdict names no rule.
    let v = m.reach(pod(&m, "Pod/shop/web"), pod(&m, "Pod/shop/db"), 5432, "TCP");
    assert!(v.allowed && v.decided_by.is_empty(), "{v:?}");
}

#[test]
fn a_later_policy_of_the_same_name_replaces_the_earlier() {
    let deny_all = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
";
    let allow_all = "apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec: {podSelector: {}, ingress: [{}]}
";
    let pods = "apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: x}]}
";
    // In one stream, and across files merged in order.
    let one = model_of(&format!("{pods}---\n{deny_all}---\n{allow_all}"));
    let parts = |yaml: &str| -> Vec<NetpolPart> {
        parse_stream(yaml, &Limits::default())
            .iter()
            .flatten()
            .flat_map(|doc| {
                objects_in(doc).objects.into_iter().filter_map(|o| {
                    NetpolPart::of(&o, "default", &"cluster.yaml".into(), doc.index)
                })
            })
            .collect()
    };
    let mut records = parts(&format!("{pods}---\n{deny_all}"));
    records.extend(parts(allow_all));
    let two = Model::of_parts(records);
    for m in [one, two] {
        assert_eq!(m.policies.len(), 1);
        assert_eq!(
            m.policies[0].ingress.as_ref().map(Vec::len),
            Some(1),
            "the later one"
        );
        assert_eq!(m.ignored.len(), 1);
        assert!(
            m.ignored[0]
                .reason
                .starts_with("replaced by the NetworkPolicy of the same name at cluster.yaml:")
        );
        let web = pod(&m, "Pod/shop/web");
        assert!(
            m.reach(Endpoint::Ip("10.1.2.3".parse().unwrap()), web, 80, "TCP")
                .allowed
        );
    }
}

#[test]
fn exported_pods_group_under_owners_missing_from_the_input() {
    let pod = |name: &str, owner: (&str, &str), labels: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: kube-system\n  labels: {labels}\n  ownerReferences: [{{kind: {}, name: {}, controller: true}}]\nspec: {{containers: [{{name: c, image: x, ports: [{{name: metrics, containerPort: 9100}}]}}]}}\n---\n",
            owner.0, owner.1
        )
    };
    let mut text = String::new();
    for node in ["a", "b", "c"] {
        text += &pod(
            &format!("node-exporter-{node}"),
            ("DaemonSet", "node-exporter"),
            "{app: node-exporter, controller-revision-hash: 7f9}",
        );
    }
    for (i, hash) in [(1, "5d4f"), (2, "5d4f")] {
        text += &pod(
            &format!("coredns-5d4f-x{i}"),
            ("ReplicaSet", &format!("coredns-{hash}")),
            &format!("{{k8s-app: kube-dns, pod-template-hash: {hash}}}"),
        );
    }
    for i in 0..2 {
        text += &pod(
            &format!("etcd-{i}"),
            ("StatefulSet", "etcd"),
            &format!(
                "{{app: etcd, statefulset.kubernetes.io/pod-name: etcd-{i}, apps.kubernetes.io/pod-index: '{i}'}}"
            ),
        );
    }
    let mut m = model_of(&text);
    m.fold_owned();
    let kept: Vec<&str> = m.pods.iter().map(|p| p.display.as_str()).collect();
    assert_eq!(
        kept,
        [
            "DaemonSet/kube-system/node-exporter",
            "Deployment/kube-system/coredns",
            "StatefulSet/kube-system/etcd"
        ]
    );
    assert_eq!(m.folded.get("Pod/kube-system/node-exporter-b"), Some(&0));
    assert_eq!(m.folded.get("Pod/kube-system/coredns-5d4f-x2"), Some(&1));
    assert_eq!(m.pods[1].workload(), "kube-system/coredns[Deployment]");
    assert!(
        !m.pods[2]
            .labels
            .contains_key("statefulset.kubernetes.io/pod-name")
    );
    // A policy that tells StatefulSet pods apart keeps them apart.
    let mut m = model_of(&format!(
        "{text}apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: etcd-0, namespace: kube-system}}\nspec:\n  podSelector: {{matchLabels: {{statefulset.kubernetes.io/pod-name: etcd-0}}}}\n  policyTypes: [Ingress]\n"
    ));
    m.fold_owned();
    let etcd: Vec<&Pod> = m.pods.iter().filter(|p| p.name == "etcd").collect();
    assert_eq!(etcd.len(), 2, "{etcd:#?}");
}

#[test]
fn virtual_machines_templated_workloads_and_sidecar_ports() {
    let m = model_of(
        r#"
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: db, namespace: vms}
spec:
  template:
    metadata: {labels: {kubevirt.io/domain: db}}
    spec:
      domain:
        devices:
          interfaces: [{name: default, masquerade: {}, ports: [{name: pg, port: 5432}]}]
---
apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: cache, namespace: vms, labels: {app: cache}}
spec: {domain: {devices: {interfaces: [{name: default, ports: [{port: 6379}]}]}}}
---
apiVersion: example.com/v1
kind: WebApp
metadata: {name: shop, namespace: vms}
spec:
  template:
    metadata: {labels: {app: shop}}
---
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: vms, labels: {app: app}}
spec:
  initContainers:
  - {name: setup, image: x, ports: [{name: setup, containerPort: 1}]}
  - {name: proxy, image: x, restartPolicy: Always, ports: [{name: proxy, containerPort: 15001}]}
  containers:
  - {name: app, image: x, ports: [{name: http, containerPort: 8080}]}
"#,
    );
    let find = |name: &str| m.pods.iter().find(|p| p.name == name).unwrap();
    assert_eq!(
        find("db")
            .labels
            .get("kubevirt.io/domain")
            .map(String::as_str),
        Some("db")
    );
    assert_eq!(find("db").ports[0].name.as_deref(), Some("pg"));
    assert_eq!(find("db").ports[0].port, 5432);
    assert_eq!(
        find("cache").labels.get("app").map(String::as_str),
        Some("cache")
    );
    assert_eq!(find("cache").ports[0].port, 6379);
    assert_eq!(
        find("shop").labels.get("app").map(String::as_str),
        Some("shop")
    );
    let ports: Vec<u16> = find("app").ports.iter().map(|p| p.port).collect();
    assert_eq!(
        ports,
        vec![15001, 8080],
        "sidecars count, other init containers do not"
    );
}

#[test]
fn exported_pods_fold_across_rollouts_into_present_owners_and_not_into_nodes() {
    let pod = |name: &str, ns: &str, owner: (&str, &str), labels: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\n  labels: {labels}\n  ownerReferences: [{{kind: {}, name: {}, controller: true}}]\nspec: {{containers: [{{name: c, image: x}}]}}\n---\n",
            owner.0, owner.1
        )
    };
    // A rollout: two ReplicaSets, two template hashes, one Deployment.
    let mut text = pod(
        "web-aaa-1",
        "shop",
        ("ReplicaSet", "web-aaa"),
        "{app: web, pod-template-hash: aaa}",
    );
    text += &pod(
        "web-bbb-1",
        "shop",
        ("ReplicaSet", "web-bbb"),
        "{app: web, pod-template-hash: bbb}",
    );
    // The Deployment itself is in the input, its ReplicaSet is not.
    text += "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    metadata: {labels: {app: api}}\n    spec: {containers: [{name: c, image: x}]}\n---\n";
    text += &pod(
        "api-ccc-1",
        "shop",
        ("ReplicaSet", "api-ccc"),
        "{app: api, pod-template-hash: ccc}",
    );
    // Mirror pods of static pods are owned by their Node.
    text += &pod(
        "etcd-cp1",
        "kube-system",
        ("Node", "cp1"),
        "{component: etcd}",
    );
    text += &pod(
        "kube-apiserver-cp1",
        "kube-system",
        ("Node", "cp1"),
        "{component: kube-apiserver}",
    );
    let mut m = model_of(&text);
    m.fold_owned();
    let kept: Vec<&str> = m.pods.iter().map(|p| p.display.as_str()).collect();
    assert_eq!(
        kept,
        [
            "Deployment/shop/web",
            "Deployment/shop/api",
            "Pod/kube-system/etcd-cp1",
            "Pod/kube-system/kube-apiserver-cp1"
        ]
    );
    assert_eq!(m.folded.get("Pod/shop/web-bbb-1"), Some(&0));
    assert_eq!(m.folded.get("Pod/shop/api-ccc-1"), Some(&1));
    assert!(!m.pods[0].labels.contains_key("pod-template-hash"));
}

#[test]
fn an_ownership_cycle_keeps_its_pods() {
    let pod = |name: &str, owner: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: x\n  ownerReferences: [{{kind: Pod, name: {owner}, controller: true}}]\nspec: {{containers: [{{name: c, image: x}}]}}\n---\n"
        )
    };
    let mut m = model_of(&(pod("a", "b") + &pod("b", "c") + &pod("c", "a")));
    m.fold_owned();
    assert_eq!(m.pods.len(), 3);
}

#[test]
fn policy_types_default_as_the_api_server_defaults_them() {
    let types = |spec: &str| {
        let doc = parse_stream(spec, &Limits::default()).remove(0).unwrap();
        PolicyTypes::of(doc.root())
    };
    let both = PolicyTypes {
        ingress: true,
        egress: true,
    };
    let ingress = PolicyTypes {
        ingress: true,
        egress: false,
    };
    assert_eq!(types("podSelector: {}\n"), ingress);
    assert_eq!(types("policyTypes: []\negress: [{}]\n"), both);
    assert_eq!(types("egress: []\n"), ingress);
    assert_eq!(
        types("policyTypes: [Egress]\n"),
        PolicyTypes {
            ingress: false,
            egress: true
        }
    );
    assert_eq!(types("policyTypes: [Ingress]\negress: [{}]\n"), ingress);
}
