//! Generation and endpoint naming, one behaviour per test.

use super::*;
use crate::netpol::tests::model_of;

const SHOP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: canary, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web, track: canary}}
    spec: {containers: [{name: web, image: x}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: data}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: x}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"#;

fn spec(from: &str, to: &str, port: Option<PortSpec>, protocol: Option<&str>) -> FlowSpec {
    FlowSpec {
        from: from.into(),
        to: to.into(),
        port,
        protocol: protocol.map(str::to_string),
        line: 3,
        port_line: 4,
    }
}

fn options(scope: &[&str], dns: bool, services: bool) -> GenerateOptions {
    GenerateOptions {
        scope: scope.iter().map(|s| s.to_string()).collect(),
        dns,
        services,
    }
}

fn named<'a>(all: &'a [Generated], name: &str) -> &'a Generated {
    all.iter()
        .find(|g| g.policy.metadata.name == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

#[test]
fn endpoints_are_named_like_kubectl_names_them() {
    let m = model_of(SHOP);
    let web = m.endpoint("web", "shop").unwrap();
    assert_eq!(m.endpoint("shop/web", "default").unwrap(), web);
    assert_eq!(m.endpoint("Deployment/shop/web", "default").unwrap(), web);
    assert!(matches!(
        m.endpoint("10.0.0.1", "shop"),
        Ok(Endpoint::Ip(_))
    ));
    assert_eq!(
        m.endpoint("web", "default"),
        Err(EndpointError::Unknown("default/web".into()))
    );
    let two = model_of(&format!(
        "{SHOP}---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: web, namespace: shop}}\nspec: {{template: {{spec: {{containers: [{{name: a, image: x}}]}}}}}}\n"
    ));
    let e = two.endpoint("shop/web", "default").unwrap_err();
    assert!(
        matches!(&e, EndpointError::Ambiguous { candidates, .. } if candidates.len() == 2),
        "{e}"
    );
    assert!(e.to_string().contains("use Kind/NAMESPACE/NAME"), "{e}");
}

#[test]
fn every_namespace_in_scope_gets_default_deny_and_dns() {
    let m = model_of(SHOP);
    let all = generate(&m, &options(&["data", "shop"], true, false), &[]);
    let names: Vec<(&str, &str)> = all
        .iter()
        .map(|g| {
            (
                g.policy.metadata.namespace.as_str(),
                g.policy.metadata.name.as_str(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("data", "default-deny"),
            ("data", "allow-dns-egress"),
            ("shop", "default-deny"),
            ("shop", "allow-dns-egress"),
        ]
    );
    let deny = serde_json::to_value(&all[0].policy).unwrap();
    assert_eq!(
        deny,
        serde_json::json!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "default-deny", "namespace": "data"},
            "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
        })
    );
    let dns = serde_json::to_value(&all[1].policy).unwrap();
    assert_eq!(
        dns["spec"]["egress"][0]["ports"][0],
        serde_json::json!({"protocol": "TCP", "port": 53})
    );
    assert_eq!(
        dns["spec"]["egress"][0]["to"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
        "kube-system"
    );
    assert!(generate(&m, &options(&["shop"], false, false), &[]).len() == 1);
}

#[test]
fn services_allow_their_namespace_and_the_world_when_exposed() {
    let m = model_of(SHOP);
    let all = generate(&m, &options(&["shop"], false, true), &[]);
    let ingress = serde_json::to_value(&named(&all, "service-web-ingress").policy).unwrap();
    assert_eq!(
        ingress["spec"]["podSelector"],
        serde_json::json!({"matchLabels": {"app": "web"}})
    );
    let peers: Vec<&serde_json::Value> = ingress["spec"]["ingress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["from"][0])
        .collect();
    assert!(
        peers.contains(&&serde_json::json!({"podSelector": {}})),
        "{peers:?}"
    );
    assert!(peers.contains(&&serde_json::json!({"ipBlock": {"cidr": "0.0.0.0/0"}})));
    assert!(peers.contains(&&serde_json::json!({"ipBlock": {"cidr": "::/0"}})));
    assert_eq!(
        ingress["spec"]["ingress"][0]["ports"][0],
        serde_json::json!({"protocol": "TCP", "port": "http"})
    );
    assert_eq!(named(&all, "service-web-egress").why, "Service shop/web");
}

#[test]
fn flows_select_their_workloads_exactly() {
    let m = model_of(SHOP);
    let flow = spec(
        "data/db",
        "shop/web",
        Some(PortSpec::Text("8000-8080".into())),
        Some("tcp"),
    )
    .resolve(&m, "default")
    .unwrap();
    assert_eq!(flow.ports.as_ref().unwrap()[0].end_port, Some(8080));
    let all = generate(&m, &options(&["shop", "data"], false, false), &[flow]);
    let ingress =
        serde_json::to_value(&named(&all, "flows-deployment-web-ingress").policy).unwrap();
    // `app: web` alone would also select the canary.
    assert_eq!(
        ingress["spec"]["podSelector"],
        serde_json::json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "track", "operator": "DoesNotExist"}]})
    );
    assert_eq!(
        ingress["spec"]["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
        "data"
    );
    let egress = named(&all, "flows-deployment-db-egress");
    assert_eq!(egress.why, "observed flows from data/db[Deployment]");
    // Out of scope, nothing is written for that end.
    let only_shop = generate(
        &m,
        &options(&["shop"], false, false),
        &[spec("data/db", "shop/web", None, None)
            .resolve(&m, "default")
            .unwrap()],
    );
    assert!(
        only_shop
            .iter()
            .all(|g| g.policy.metadata.namespace == "shop")
    );
}

#[test]
fn flows_that_do_not_resolve_say_which_line_and_why() {
    let m = model_of(SHOP);
    let err = |s: FlowSpec| s.resolve(&m, "shop").unwrap_err();
    let e = err(spec("nope", "web", None, None));
    assert_eq!(e.line, 3);
    assert!(matches!(
        e.kind,
        FlowErrorKind::Endpoint(EndpointError::Unknown(_))
    ));
    assert_eq!(
        err(spec("web", "db", None, Some("icmp"))).kind,
        FlowErrorKind::Endpoint(EndpointError::Unknown("shop/db".into()))
    );
    assert_eq!(
        err(spec("web", "data/db", None, Some("icmp"))).kind,
        FlowErrorKind::Protocol("ICMP".into())
    );
    for bad in ["0", "9-8", "http", "1-x", "70000"] {
        let e = err(spec(
            "web",
            "data/db",
            Some(PortSpec::Text(bad.into())),
            None,
        ));
        assert_eq!((e.line, e.kind), (4, FlowErrorKind::Port), "{bad}");
    }
    assert_eq!(
        err(spec("10.0.0.0/8", "192.168.0.1", None, None)).kind,
        FlowErrorKind::NoWorkload
    );
    assert_eq!(
        err(spec("web", "data/db", Some(PortSpec::Number(0)), None)).to_string(),
        "line 4: port must be a number (1-65535) or FIRST-LAST"
    );
}
