//! `palisade netpol reach`: whether one workload can open a connection to another, and which
//! NetworkPolicy rules decide it.

use std::io::Write;
use std::net::IpAddr;

use anyhow::{Result, bail};
use clap::Args;
use palisade_model::netpol::{Endpoint, Model, PortSet, Verdict};
use palisade_report::terminal::TerminalWriter;
use serde_json::{Value, json};

use super::{InputArgs, ignored_json, write_ignored};
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

/// Split `target[:PORT[/PROTOCOL]]`.
fn port_of(spec: &str) -> Result<(&str, Option<(u16, String)>)> {
    if spec.parse::<IpAddr>().is_ok() {
        return Ok((spec, None));
    }
    let split = match spec.strip_prefix('[') {
        Some(rest) => match rest.split_once("]:") {
            Some((ip, port)) => Some((ip, port)),
            None => bail!("write an IPv6 destination with a port as [ADDRESS]:PORT"),
        },
        None => spec.rsplit_once(':'),
    };
    let Some((target, port)) = split else {
        return Ok((spec, None));
    };
    let (port, protocol) = port.split_once('/').unwrap_or((port, "TCP"));
    let protocol = protocol.to_ascii_uppercase();
    if !palisade_model::netpol::PROTOCOLS.contains(&protocol.as_str()) {
        bail!("protocol must be TCP, UDP or SCTP, not `{protocol}`");
    }
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| anyhow::anyhow!("`{port}` is not a port number (1-65535)"))?;
    Ok((target, Some((port, protocol))))
}

fn verdict_json(v: &Verdict) -> Value {
    let decided: Vec<Value> = v
        .decided_by
        .iter()
        .map(|d| json!({"policy": d.policy, "direction": d.direction.as_str(), "rule": d.rule}))
        .collect();
    json!({"allowed": v.allowed, "decided_by": decided, "isolated_by": v.isolated_by})
}

/// `all`, or the ports per protocol as in `matrix --format json`.
pub(super) fn ports_json(ports: &PortSet) -> Value {
    if ports.is_all() {
        return json!("all");
    }
    ports
        .by_protocol()
        .into_iter()
        .map(|(protocol, ports)| json!({"protocol": protocol, "ports": ports}))
        .collect()
}

fn write_verdict(out: &mut impl Write, v: &Verdict, indent: &str) -> std::io::Result<()> {
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

pub(super) fn run(a: &ReachArgs) -> Result<u8> {
    let (to, port) = port_of(&a.to)?;
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
        let mut j = verdict_json(&verdict);
        j["ignored"] = ignored_json(model);
        serde_json::to_writer_pretty(&mut out, &j)?;
        writeln!(out)?;
    } else {
        // Names come from the input: escape what a terminal would act on.
        let mut out = TerminalWriter::new(&mut out);
        writeln!(
            out,
            "{}",
            if verdict.allowed { "allowed" } else { "denied" }
        )?;
        write_verdict(&mut out, &verdict, "    ")?;
        write_ignored(&mut out, model, "")?;
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
    let mut out = std::io::stdout().lock();
    if a.format == "json" {
        let container_ports: Vec<Value> = verdicts
            .iter()
            .map(|(c, v)| {
                let mut j = verdict_json(v);
                j["port"] = json!(c.port);
                j["protocol"] = json!(c.protocol);
                j["name"] = json!(c.name);
                j
            })
            .collect();
        let j = json!({
            "allowed": !ports.is_empty(),
            "ports": ports_json(&ports),
            "container_ports": container_ports,
            "ignored": ignored_json(model),
        });
        serde_json::to_writer_pretty(&mut out, &j)?;
        writeln!(out)?;
    } else {
        // Names come from the input: escape what a terminal would act on.
        let mut out = TerminalWriter::new(&mut out);
        if ports.is_empty() {
            writeln!(out, "denied on every port")?;
        } else {
            writeln!(out, "allowed on {ports}")?;
        }
        for (c, v) in &verdicts {
            let name = c
                .name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let word = if v.allowed { "allowed" } else { "denied" };
            writeln!(out, "  {}/{}{name}: {word}", c.port, c.protocol)?;
            write_verdict(&mut out, v, "      ")?;
        }
        write_ignored(&mut out, model, "")?;
    }
    Ok(!ports.is_empty())
}
