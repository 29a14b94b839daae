//! NetworkPolicy analysis as people read it: the connectivity matrix (text, JSON, DOT) and
//! reachability verdicts (text, JSON). Names come from the input: text goes through a
//! [`crate::terminal::TerminalWriter`] at the caller.

use std::io::{self, Write};

use palisade_model::netpol::{Connection, ContainerPort, Matrix, Model, Node, PortSet, Verdict};
use serde::Serialize;
use serde_json::{Value, json};

/// Names of classes and address ranges of a matrix.
pub struct Names<'a> {
    /// The model.
    pub model: &'a Model,
    /// Its matrix.
    pub matrix: &'a Matrix,
}

impl Names<'_> {
    /// A class by its first workload, with `+N` for the others; an address range as a CIDR or
    /// `first-last`.
    pub(crate) fn node(&self, node: Node) -> String {
        match node {
            Node::Class(c) => {
                let members = &self.matrix.classes[c].members;
                let first = self.model.pods[members[0]].workload();
                match members.len() {
                    1 => first,
                    n => format!("{first} +{}", n - 1),
                }
            }
            Node::Addresses(r) => r.to_string(),
            Node::Range(r) => self.matrix.ranges[r].to_string(),
        }
    }

    /// The workloads of a node (an address range names itself).
    fn workloads(&self, node: Node) -> Vec<String> {
        match node {
            Node::Class(c) => self.matrix.classes[c]
                .members
                .iter()
                .map(|&i| self.model.pods[i].workload())
                .collect(),
            other => vec![self.node(other)],
        }
    }
}

/// One pair of workloads (or a workload and an address range).
#[derive(Serialize)]
struct Row<'a> {
    from: &'a str,
    to: &'a str,
    allowed: &'a Value,
}

/// `netpol matrix --format json`: every pair of workloads, streamed one per line (at workload
/// granularity a cluster has millions), then the classes and the policies left out.
pub fn write_matrix_json(
    out: &mut impl Write,
    names: &Names<'_>,
    connections: &[&Connection],
) -> io::Result<()> {
    writeln!(out, "{{\n  \"connections\": [")?;
    let mut first = true;
    for c in connections {
        let allowed = ports_json(&c.ports);
        let (sources, targets) = (names.workloads(c.from), names.workloads(c.to));
        for from in &sources {
            for to in &targets {
                // A workload's pods talking among themselves is not a pair of workloads.
                if from == to {
                    continue;
                }
                out.write_all(if first { b"    " } else { b",\n    " })?;
                first = false;
                serde_json::to_writer(
                    &mut *out,
                    &Row {
                        from,
                        to,
                        allowed: &allowed,
                    },
                )?;
            }
        }
    }
    let classes: Vec<Value> = names
        .matrix
        .classes
        .iter()
        .map(|c| {
            json!({
                "namespace": c.namespace,
                "labels": c.labels,
                "workloads": c.members.iter().map(|&i| names.model.pods[i].workload()).collect::<Vec<_>>(),
            })
        })
        .collect();
    writeln!(out, "\n  ],\n  \"classes\": [")?;
    for (i, class) in classes.iter().enumerate() {
        out.write_all(if i == 0 { b"    " } else { b",\n    " })?;
        serde_json::to_writer(&mut *out, class)?;
    }
    writeln!(
        out,
        "\n  ],\n  \"ignored\": {}\n}}",
        ignored_json(names.model)
    )?;
    Ok(())
}

/// `netpol matrix`: a table of the connections between classes and address ranges. `out`
/// should escape what a terminal would act on (names come from the input).
pub fn write_matrix_text(
    out: &mut impl Write,
    names: &Names<'_>,
    connections: &[&Connection],
) -> io::Result<()> {
    let (matrix, model) = (names.matrix, names.model);
    writeln!(
        out,
        "{} workloads in {} classes; {} allowed connections between classes and address ranges",
        model.pods.len(),
        matrix.classes.len(),
        connections.len()
    )?;
    write_ignored(out, model, "")?;
    if connections.is_empty() {
        return Ok(());
    }
    let rows: Vec<[String; 3]> = connections
        .iter()
        .map(|c| [names.node(c.from), names.node(c.to), c.ports.to_string()])
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].len()).max().unwrap_or(0).max(4);
    let (w0, w1) = (width(0), width(1));
    writeln!(out, "\n{:w0$}  {:w1$}  ALLOWED", "FROM", "TO")?;
    for [from, to, ports] in &rows {
        writeln!(out, "{from:w0$}  {to:w1$}  {ports}")?;
    }
    let shared: Vec<_> = (0..matrix.classes.len())
        .filter(|&c| matrix.classes[c].members.len() > 1)
        .collect();
    if !shared.is_empty() {
        writeln!(
            out,
            "\nClasses of several workloads (same namespace, labels and ports):"
        )?;
        for c in shared {
            writeln!(
                out,
                "  {}: {}",
                names.node(Node::Class(c)),
                names.workloads(Node::Class(c)).join(", ")
            )?;
        }
    }
    Ok(())
}

/// A DOT string literal.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `netpol matrix --format dot`: Graphviz, a cluster per namespace.
pub fn write_matrix_dot(
    out: &mut impl Write,
    names: &Names<'_>,
    connections: &[&Connection],
) -> io::Result<()> {
    let matrix = names.matrix;
    let id = |n: Node| match n {
        Node::Class(c) => format!("c{c}"),
        other => quoted(&names.node(other)),
    };
    writeln!(out, "digraph netpol {{\n  rankdir=LR;\n  node [shape=box];")?;
    write_ignored(out, names.model, "  // ")?;
    let mut namespaces: Vec<&str> = matrix
        .classes
        .iter()
        .map(|c| c.namespace.as_str())
        .collect();
    namespaces.dedup();
    for (k, ns) in namespaces.iter().enumerate() {
        writeln!(out, "  subgraph cluster_{k} {{\n    label={};", quoted(ns))?;
        for (c, class) in matrix.classes.iter().enumerate() {
            if class.namespace == *ns {
                let label = names.workloads(Node::Class(c)).join("\n");
                writeln!(out, "    c{c} [label={}];", quoted(&label))?;
            }
        }
        writeln!(out, "  }}")?;
    }
    let mut addresses: Vec<String> = connections
        .iter()
        .flat_map(|c| [c.from, c.to])
        .filter(|n| !matches!(n, Node::Class(_)))
        .map(&id)
        .collect();
    addresses.sort();
    addresses.dedup();
    for a in addresses {
        writeln!(out, "  {a} [shape=ellipse];")?;
    }
    for c in connections {
        writeln!(
            out,
            "  {} -> {} [label={}];",
            id(c.from),
            id(c.to),
            quoted(&c.ports.to_string())
        )?;
    }
    writeln!(out, "}}")?;
    Ok(())
}
/// The NetworkPolicies left out of the model, for JSON output.
pub fn ignored_json(model: &Model) -> serde_json::Value {
    model
        .ignored
        .iter()
        .map(|i| serde_json::json!({"policy": i.policy, "at": i.at, "reason": i.reason}))
        .collect()
}

/// The NetworkPolicies left out of the model, one line each, after `prefix`.
pub fn write_ignored(out: &mut impl Write, model: &Model, prefix: &str) -> io::Result<()> {
    for i in &model.ignored {
        writeln!(
            out,
            "{prefix}not applied: NetworkPolicy {} ({}): {}",
            i.policy, i.at, i.reason
        )?;
    }
    Ok(())
}
/// One verdict, for `netpol reach --format json`.
pub fn verdict_json(v: &Verdict) -> Value {
    let decided: Vec<Value> = v
        .decided_by
        .iter()
        .map(|d| json!({"policy": d.policy, "direction": d.direction.as_str(), "rule": d.rule}))
        .collect();
    json!({"allowed": v.allowed, "decided_by": decided, "isolated_by": v.isolated_by})
}

/// `all`, or the ports per protocol as in `matrix --format json`.
pub fn ports_json(ports: &PortSet) -> Value {
    if ports.is_all() {
        return json!("all");
    }
    ports
        .by_protocol()
        .into_iter()
        .map(|(protocol, ports)| json!({"protocol": protocol, "ports": ports}))
        .collect()
}

/// Which rules decide a verdict, one line each after `indent`.
pub fn write_verdict(out: &mut impl Write, v: &Verdict, indent: &str) -> io::Result<()> {
    if v.allowed && v.decided_by.is_empty() {
        writeln!(out, "{indent}no NetworkPolicy isolates either side")?;
    }
    for d in &v.decided_by {
        writeln!(
            out,
            "{indent}by {} rule {} of {}",
            d.direction.as_str(),
            d.rule,
            d.policy
        )?;
    }
    for p in &v.isolated_by {
        writeln!(
            out,
            "{indent}{p} isolates it and none of its rules allows this"
        )?;
    }
    Ok(())
}

/// The answer for every port of a connection, for `netpol reach` without a port: the ports
/// it may use and each declared container port's verdict.
pub struct EveryPort<'a> {
    /// The ports the connection may use.
    pub ports: &'a PortSet,
    /// Each container port of the destination with its verdict.
    pub verdicts: &'a [(&'a ContainerPort, Verdict)],
}

/// [`EveryPort`] as JSON.
pub fn every_port_json(e: &EveryPort<'_>, model: &Model) -> Value {
    let container_ports: Vec<Value> = e
        .verdicts
        .iter()
        .map(|(c, v)| {
            let mut j = verdict_json(v);
            j["port"] = json!(c.port);
            j["protocol"] = json!(c.protocol);
            j["name"] = json!(c.name);
            j
        })
        .collect();
    json!({
        "allowed": !e.ports.is_empty(),
        "ports": ports_json(e.ports),
        "container_ports": container_ports,
        "ignored": ignored_json(model),
    })
}

/// [`EveryPort`] as text.
pub fn write_every_port(out: &mut impl Write, e: &EveryPort<'_>, model: &Model) -> io::Result<()> {
    if e.ports.is_empty() {
        writeln!(out, "denied on every port")?;
    } else {
        writeln!(out, "allowed on {}", e.ports)?;
    }
    for (c, v) in e.verdicts {
        let name = c
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let word = if v.allowed { "allowed" } else { "denied" };
        writeln!(out, "  {}/{}{name}: {word}", c.port, c.protocol)?;
        write_verdict(out, v, "      ")?;
    }
    write_ignored(out, model, "")
}

/// One port's verdict as JSON, with the policies left out.
pub fn one_port_json(verdict: &Verdict, model: &Model) -> Value {
    let mut j = verdict_json(verdict);
    j["ignored"] = ignored_json(model);
    j
}

/// One port's verdict as text.
pub fn write_one_port(out: &mut impl Write, verdict: &Verdict, model: &Model) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        if verdict.allowed { "allowed" } else { "denied" }
    )?;
    write_verdict(out, verdict, "    ")?;
    write_ignored(out, model, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_source::{Limits, parse_stream};

    const CLUSTER: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: x, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: x, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]
"#;

    fn model() -> Model {
        let mut m = Model::default();
        for doc in parse_stream(CLUSTER, &Limits::default()) {
            let doc = doc.unwrap();
            for o in palisade_model::objects_in(&doc).objects {
                m.add(&o, "default", &"cluster.yaml".into(), doc.index);
            }
        }
        m
    }

    fn text(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_matrix_in_each_format() {
        let model = model();
        let matrix = model.matrix();
        let names = Names {
            model: &model,
            matrix: &matrix,
        };
        let connections: Vec<&Connection> = matrix.connections.iter().collect();
        let table = text(|o| write_matrix_text(o, &names, &connections));
        assert!(table.starts_with("2 workloads in 2 classes;"), "{table}");
        assert!(table.contains("shop/web[Deployment]"), "{table}");
        let json: Value =
            serde_json::from_str(&text(|o| write_matrix_json(o, &names, &connections))).unwrap();
        let pairs = json["connections"].as_array().unwrap();
        assert!(
            pairs.iter().any(|p| p["from"] == "shop/web[Deployment]"
                && p["to"] == "shop/db[Deployment]"
                && p["allowed"] == json!([{"protocol": "TCP", "ports": "5432"}])),
            "{json}"
        );
        assert_eq!(json["classes"].as_array().unwrap().len(), 2);
        let dot = text(|o| write_matrix_dot(o, &names, &connections));
        assert!(
            dot.starts_with("digraph netpol {") && dot.trim_end().ends_with('}'),
            "{dot}"
        );
        assert!(
            dot.contains("subgraph cluster_0 {\n    label=\"shop\";"),
            "{dot}"
        );
    }

    #[test]
    fn verdicts_say_which_rule_decides() {
        let model = model();
        let at = |name: &str| model.endpoint(name, "shop").unwrap();
        let allowed = model.reach(at("web"), at("db"), 5432, "TCP");
        let shown = text(|o| write_one_port(o, &allowed, &model));
        assert_eq!(shown, "allowed\n    by ingress rule 0 of shop/db\n");
        let denied = model.reach(at("web"), at("db"), 22, "TCP");
        assert_eq!(
            one_port_json(&denied, &model),
            json!({"allowed": false, "decided_by": [], "isolated_by": ["shop/db"], "ignored": []})
        );
        let ports = model.allowed_ports(at("web"), at("db"));
        let declared = &model.pods[model.pods.iter().position(|p| p.name == "db").unwrap()].ports;
        let verdicts: Vec<_> = declared
            .iter()
            .map(|c| (c, model.reach(at("web"), at("db"), c.port, &c.protocol)))
            .collect();
        let every = EveryPort {
            ports: &ports,
            verdicts: &verdicts,
        };
        let shown = text(|o| write_every_port(o, &every, &model));
        assert!(
            shown.starts_with("allowed on TCP 5432\n  5432/TCP: allowed\n"),
            "{shown}"
        );
        assert_eq!(every_port_json(&every, &model)["allowed"], true);
    }
}
