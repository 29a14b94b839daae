//! `palisade netpol reach`: whether one workload can open a connection to another, and which
//! NetworkPolicy rules decide it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use palisade_model::netpol::{Endpoint, Model};
use serde_json::json;

use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// `palisade netpol` subcommands.
#[derive(Debug, Subcommand)]
pub enum NetpolCommand {
    /// Say whether a connection is allowed (exit 0 yes, 1 no) and which rules decide it.
    Reach(ReachArgs),
    /// Report NetworkPolicy coverage: `palisade scan` with the coverage rules only.
    Coverage(Box<crate::cli::ScanArgs>),
}

/// The rules `netpol coverage` runs: namespaces without default-deny, allow-all rules,
/// metadata egress, policies selecting nothing, workloads left out by partial policy sets.
pub const COVERAGE_RULES: [&str; 7] = [
    "NET002", "NET003", "NET005", "NET009", "NET011", "NET014", "NET015",
];

/// `palisade netpol reach`.
#[derive(Debug, Args)]
pub struct ReachArgs {
    /// The source: NAMESPACE/NAME of a workload or Pod (`Kind/NAMESPACE/NAME` when names
    /// clash), or an IP address.
    #[arg(long, value_name = "NS/NAME")]
    from: String,

    /// The destination and port: NAMESPACE/NAME:PORT[/PROTOCOL] (TCP by default), or
    /// IP:PORT[/PROTOCOL].
    #[arg(long, value_name = "NS/NAME:PORT")]
    to: String,

    /// Files and directories holding the workloads, Namespaces and NetworkPolicies (`-` for
    /// standard input). Default: `.`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Namespace of objects that do not name one.
    #[arg(long, default_value = "default", value_name = "NS")]
    default_namespace: String,

    /// Output format: text or json.
    #[arg(short, long, default_value = "text", value_parser = ["text", "json"])]
    format: String,

    /// Do not render Helm charts or build kustomizations.
    #[arg(long)]
    no_render: bool,
}

/// Run a subcommand.
pub fn command(cmd: &NetpolCommand) -> Result<u8> {
    match cmd {
        NetpolCommand::Reach(a) => reach(a),
        NetpolCommand::Coverage(args) => {
            if !args.select.is_empty() {
                bail!(
                    "`netpol coverage` runs the coverage rules ({}); use `palisade scan --select` for others",
                    COVERAGE_RULES.join(", ")
                );
            }
            let mut args = args.clone();
            args.select = COVERAGE_RULES.iter().map(|s| s.to_string()).collect();
            crate::scan::command(&args)
        }
    }
}

/// Find an endpoint by `NS/NAME`, `Kind/NS/NAME` or IP address.
fn endpoint(model: &Model, spec: &str) -> Result<Endpoint> {
    if let Ok(ip) = spec.parse() {
        return Ok(Endpoint::Ip(ip));
    }
    let matches: Vec<usize> = model
        .pods
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            p.display == spec
                || p.display
                    .split_once('/')
                    .is_some_and(|(_, rest)| rest == spec)
        })
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [i] => Ok(Endpoint::Pod(*i)),
        [] => {
            bail!("no workload or Pod `{spec}` in the input (use NAMESPACE/NAME or an IP address)")
        }
        many => bail!(
            "`{spec}` names several objects: {}; use Kind/NAMESPACE/NAME",
            many.iter()
                .map(|i| model.pods[*i].display.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Split `target:PORT[/PROTOCOL]`.
fn port_of(spec: &str) -> Result<(&str, u16, String)> {
    let Some((target, port)) = spec.rsplit_once(':') else {
        bail!("--to needs a port: NAMESPACE/NAME:PORT[/PROTOCOL]");
    };
    let (port, protocol) = port.split_once('/').unwrap_or((port, "TCP"));
    let protocol = protocol.to_ascii_uppercase();
    if !matches!(protocol.as_str(), "TCP" | "UDP" | "SCTP") {
        bail!("protocol must be TCP, UDP or SCTP, not `{protocol}`");
    }
    let port: u16 = port
        .parse()
        .map_err(|_| anyhow::anyhow!("`{port}` is not a port number"))?;
    Ok((target, port, protocol))
}

fn reach(a: &ReachArgs) -> Result<u8> {
    let (to, port, protocol) = port_of(&a.to)?;
    let namespace = a.default_namespace.clone();
    let (model, errors) = crate::objects::collect(
        &a.paths,
        !a.no_render,
        |m: &mut Model, o, _, _| m.add(o, &namespace),
        Model::merge,
    );
    let mut err = std::io::stderr().lock();
    for e in &errors {
        let at = e.line.map(|l| format!(":{l}")).unwrap_or_default();
        writeln!(err, "error: {}{at}: {}", e.path, e.message)?;
    }
    let verdict = model.reach(
        endpoint(&model, &a.from)?,
        endpoint(&model, to)?,
        port,
        &protocol,
    );
    let mut out = std::io::stdout().lock();
    if a.format == "json" {
        let decided: Vec<serde_json::Value> = verdict
            .decided_by
            .iter()
            .map(|d| json!({"policy": d.policy, "direction": d.direction.as_str(), "rule": d.rule}))
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &json!({"allowed": verdict.allowed, "decided_by": decided, "isolated_by": verdict.isolated_by}),
        )?;
        writeln!(out)?;
    } else if verdict.allowed {
        writeln!(out, "allowed")?;
        if verdict.decided_by.is_empty() {
            writeln!(out, "    no NetworkPolicy isolates either side")?;
        }
        for d in &verdict.decided_by {
            writeln!(
                out,
                "    by {} rule {} of {}",
                d.direction.as_str(),
                d.rule,
                d.policy
            )?;
        }
    } else {
        writeln!(out, "denied")?;
        for p in &verdict.isolated_by {
            writeln!(out, "    {p} isolates it and none of its rules allows this")?;
        }
    }
    Ok(match (errors.is_empty(), verdict.allowed) {
        (false, _) => EXIT_ERROR,
        (true, true) => EXIT_CLEAN,
        (true, false) => EXIT_FINDINGS,
    })
}
