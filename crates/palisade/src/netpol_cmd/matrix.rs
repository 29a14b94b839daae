//! `palisade netpol matrix`: the connectivity of every workload, computed per class of pods
//! that policies treat alike, as a text table, JSON at workload granularity, or DOT.

use std::io::Write;

use anyhow::Result;
use clap::Args;
use palisade_model::netpol::{Connection, Node};
use palisade_report::netpol::{Names, write_matrix_dot, write_matrix_json, write_matrix_text};
use palisade_report::terminal::TerminalWriter;

use super::InputArgs;
use crate::{EXIT_CLEAN, EXIT_ERROR};

/// `palisade netpol matrix`.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    input: InputArgs,

    /// Output format: text (a table per class), json (every pair of workloads), dot
    /// (Graphviz) or html (a page with the coverage per namespace and the matrix).
    #[arg(short, long, default_value = "text", value_parser = ["text", "json", "dot", "html"])]
    format: String,
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
        "json" => write_matrix_json(&mut out, &names, &connections)?,
        "dot" => write_matrix_dot(&mut out, &names, &connections)?,
        "html" => {
            drop(out);
            let views = palisade_scan::network_view(&model, &matrix, &connections);
            let read = palisade_diagnostics::Summary {
                objects: model.pods.len() + model.policies.len(),
                ..Default::default()
            };
            crate::rbac_cmd::render_findings(
                Vec::new(),
                Vec::new(),
                read,
                "html",
                "never",
                Some(&views),
                &[],
            )?;
            return Ok(if errors { EXIT_ERROR } else { EXIT_CLEAN });
        }
        // Names come from the input: escape what a terminal would act on.
        _ => write_matrix_text(&mut TerminalWriter::new(&mut out), &names, &connections)?,
    }
    out.flush()?;
    Ok(if errors { EXIT_ERROR } else { EXIT_CLEAN })
}
