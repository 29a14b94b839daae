//! `palisade netpol reach`: whether one workload can open a connection to another, and which
//! NetworkPolicy rules decide it.

use std::io::Write;

use anyhow::{Result, bail};
use clap::Args;
use palisade_model::netpol::{Endpoint, Model};
use palisade_report::netpol::{
    EveryPort, every_port_json, one_port_json, write_every_port, write_one_port,
};
use palisade_report::terminal::TerminalWriter;

use super::InputArgs;
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// `palisade netpol reach`.
#[derive(Debug, Args)]
pub struct ReachArgs {
    /// The source: NAMESPACE/NAME of a workload or Pod (`Kind/NAMESPACE/NAME` when names
    /// clash; NAME alone for the `-n` namespace), or an IP address.
    #[arg(long, value_name = "NS/NAME")]
    from: String,

    /// The destination, with an optional port: NAMESPACE/NAME[:PORT[/PROTOCOL]] (TCP by
    /// default), IP[:PORT[/PROTOCOL]] or [IPv6]:PORT. Without a port, every port the
    /// connection may use, and a verdict for each container port of the destination.
    #[arg(long, value_name = "NS/NAME[:PORT]")]
    to: String,

    #[command(flatten)]
    input: InputArgs,

    /// Output format: text or json.
    #[arg(short, long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
}

pub(super) fn run(a: &ReachArgs) -> Result<u8> {
    let (to, port) = palisade_model::netpol::parse_destination(&a.to)?;
    let (model, errors) = a.input.load()?;
    let ns = a.input.default_namespace();
    let from = model.endpoint(&a.from, ns)?;
    let to = model.endpoint(to, ns)?;
    if matches!((from, to), (Endpoint::Ip(_), Endpoint::Ip(_))) {
        bail!("one end of the connection must be a workload or Pod");
    }
    let allowed = match port {
        Some((port, protocol)) => one_port(a, &model, from, to, port, &protocol)?,
        None => every_port(a, &model, from, to)?,
    };
    Ok(match (errors, allowed) {
        (true, _) => EXIT_ERROR,
        (false, true) => EXIT_CLEAN,
        (false, false) => EXIT_FINDINGS,
    })
}

fn one_port(
    a: &ReachArgs,
    model: &Model,
    from: Endpoint,
    to: Endpoint,
    port: u16,
    protocol: &str,
) -> Result<bool> {
    let verdict = model.reach(from, to, port, protocol);
    let mut out = std::io::stdout().lock();
    if a.format == "json" {
        serde_json::to_writer_pretty(&mut out, &one_port_json(&verdict, model))?;
        writeln!(out)?;
    } else {
        // Names come from the input: escape what a terminal would act on.
        write_one_port(&mut TerminalWriter::new(&mut out), &verdict, model)?;
    }
    Ok(verdict.allowed)
}

/// Without a port: the ports the connection may use, and each container port's verdict.
fn every_port(a: &ReachArgs, model: &Model, from: Endpoint, to: Endpoint) -> Result<bool> {
    let ports = model.allowed_ports(from, to);
    let declared = match to {
        Endpoint::Pod(i) => model.pods[i].ports.as_slice(),
        Endpoint::Ip(_) => &[],
    };
    let verdicts: Vec<_> = declared
        .iter()
        .map(|c| (c, model.reach(from, to, c.port, &c.protocol)))
        .collect();
    let every = EveryPort {
        ports: &ports,
        verdicts: &verdicts,
    };
    let mut out = std::io::stdout().lock();
    if a.format == "json" {
        serde_json::to_writer_pretty(&mut out, &every_port_json(&every, model))?;
        writeln!(out)?;
    } else {
        write_every_port(&mut TerminalWriter::new(&mut out), &every, model)?;
    }
    Ok(!ports.is_empty())
}
