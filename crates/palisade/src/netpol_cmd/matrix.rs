//! `palisade netpol matrix`: the connectivity of every workload, computed per class of pods
//! that policies treat alike, as a text table, JSON at workload granularity, or DOT.

use std::io::Write;

use anyhow::Result;
use clap::Args;
use palisade_model::netpol::{Connection, Matrix, Model, Node};
use palisade_report::terminal::TerminalWriter;
use serde::Serialize;
use serde_json::{Value, json};

use super::reach::ports_json;
use super::{InputArgs, ignored_json, write_ignored};
use crate::{EXIT_CLEAN, EXIT_ERROR};

/// `palisade netpol matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Output format: text (a table per class), json (every pair of workloads) or dot
    /// (Graphviz).
    #[arg(short, long, default_value = "text", value_parser = ["text", "json", "dot"])]
    format: String,
}

/// Names of classes and address ranges.
struct Names<'a> {
    model: &'a Model,
    matrix: &'a Matrix,
}

impl Names<'_> {
    /// A class by its first workload, with `+N` for the others; an address range as a CIDR or
    /// `first-last`.
    fn node(&self, node: Node) -> String {
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

pub(super) fn run(a: &MatrixArgs) -> Result<u8> {
    let (model, errors) = a.input.load()?;
    let matrix = model.matrix();
    let names = Names {
        model: &model,
        matrix: &matrix,
    };
    // With -n, only connections with an end in that namespace.
    let in_scope = |c: &&Connection| {
        a.input.namespace.as_deref().is_none_or(|ns| {
            [c.from, c.to]
                .iter()
                .any(|n| matches!(n, Node::Class(i) if matrix.classes[*i].namespace == ns))
        })
    };
    let connections: Vec<&Connection> = matrix.connections.iter().filter(in_scope).collect();
    // Buffered: a cluster's matrix runs to millions of lines.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    match a.format.as_str() {
        "json" => write_json(&mut out, &names, &connections)?,
        "dot" => write_dot(&mut out, &names, &connections)?,
        // Names come from the input: escape what a terminal would act on.
        _ => write_text(&mut TerminalWriter::new(&mut out), &names, &connections)?,
    }
    out.flush()?;
    Ok(if errors { EXIT_ERROR } else { EXIT_CLEAN })
}

/// One pair of workloads (or a workload and an address range).
#[derive(Serialize)]
struct Row<'a> {
    from: &'a str,
    to: &'a str,
    allowed: &'a Value,
}

/// Streams the rows, one per line: at workload granularity a cluster has millions.
fn write_json(out: &mut impl Write, names: &Names<'_>, connections: &[&Connection]) -> Result<()> {
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

fn write_text(out: &mut impl Write, names: &Names<'_>, connections: &[&Connection]) -> Result<()> {
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

fn write_dot(out: &mut impl Write, names: &Names<'_>, connections: &[&Connection]) -> Result<()> {
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
