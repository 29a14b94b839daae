//! `palisade probe`: ask a component's endpoint, as nobody, what it answers, and report what
//! it should not have answered with the node rules. Probes only read, go only to the address
//! given (no ranges are scanned), and honour `--timeout`.

use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use palisade_model::node::{Endpoint, NodeFacts};
use palisade_node::Collected;

/// `palisade probe` subcommands.
#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// Probe a kubelet's API (anonymous access to /pods, /configz, /runningpods/, /metrics,
    /// /spec/) and its read-only port.
    Kubelet(KubeletArgs),
    /// Probe an API server as an unauthenticated client.
    Apiserver(ApiserverArgs),
    /// Probe etcd: plaintext clients, TLS clients without a certificate, and (with a client
    /// it serves) whether a sample of the Secrets it stores is encrypted. Values are never
    /// printed.
    Etcd(EtcdArgs),
}

/// `palisade probe etcd`.
#[derive(Debug, Args)]
pub struct EtcdArgs {
    /// etcd client endpoints: `HOST:PORT` or URLs (repeatable, comma-separated).
    #[arg(long, required = true, value_delimiter = ',', value_name = "URL")]
    endpoints: Vec<String>,

    /// The CA that signed etcd's serving certificate (PEM).
    #[arg(long, value_name = "FILE")]
    cacert: Option<std::path::PathBuf>,

    /// A client certificate etcd trusts (PEM; the API server's `--etcd-certfile`).
    #[arg(long, value_name = "FILE", requires = "key")]
    cert: Option<std::path::PathBuf>,

    /// Its key (PEM; the API server's `--etcd-keyfile`).
    #[arg(long, value_name = "FILE", requires = "cert")]
    key: Option<std::path::PathBuf>,

    /// Secrets read at most to judge their encryption.
    #[arg(long, default_value_t = 20, value_name = "N")]
    sample: usize,

    #[command(flatten)]
    output: ProbeOutput,
}

/// How every probe reports.
#[derive(Debug, Args)]
pub struct ProbeOutput {
    /// How long one request may take, e.g. 5s.
    #[arg(long, default_value = "5s", value_name = "DURATION")]
    timeout: String,

    /// Output format: text, json, sarif, junit, compact, html.
    #[arg(short, long, default_value = "text", value_name = "FORMAT")]
    format: String,

    /// Exit 1 when a finding is at least this severe.
    #[arg(long, default_value = "low", value_name = "SEVERITY")]
    fail_on: String,
}

/// `palisade probe kubelet`.
#[derive(Debug, Args)]
pub struct KubeletArgs {
    /// The node: `HOST` or `HOST:PORT` (port 10250 by default).
    #[arg(long, value_name = "HOST[:PORT]")]
    node: String,

    /// The read-only port to try on the same host (0 to skip).
    #[arg(long, default_value_t = 10255, value_name = "PORT")]
    read_only_port: u16,

    #[command(flatten)]
    output: ProbeOutput,
}

/// `palisade probe apiserver`.
#[derive(Debug, Args)]
pub struct ApiserverArgs {
    /// The API server, e.g. `https://10.0.0.10:6443`.
    #[arg(long, value_name = "URL")]
    server: String,

    #[command(flatten)]
    output: ProbeOutput,
}

/// Run a probe.
pub fn command(cmd: &ProbeCommand) -> Result<u8> {
    let (endpoints, output) = match cmd {
        ProbeCommand::Kubelet(args) => {
            let timeout = crate::daemon::duration("timeout", &args.output.timeout)?;
            let (host, port) = match args.node.rsplit_once(':') {
                Some((host, port)) if !host.ends_with(']') || host.starts_with('[') => (
                    host.to_string(),
                    port.parse::<u16>()
                        .with_context(|| format!("--node {:?}: not HOST:PORT", args.node))?,
                ),
                _ => (args.node.clone(), 10250),
            };
            let read_only = (args.read_only_port != 0).then_some(args.read_only_port);
            let endpoints = runtime()?.block_on(palisade_node::probe::probe_kubelet(
                &host, port, read_only, timeout,
            ));
            (endpoints, &args.output)
        }
        ProbeCommand::Apiserver(args) => {
            let timeout = crate::daemon::duration("timeout", &args.output.timeout)?;
            let url: http::Uri = args
                .server
                .parse()
                .map_err(|e| anyhow::anyhow!("--server {:?}: {e}", args.server))?;
            if url.scheme_str() != Some("https") || url.host().is_none() {
                anyhow::bail!("--server {:?}: an https:// URL", args.server);
            }
            let endpoint =
                runtime()?.block_on(palisade_node::probe::probe_apiserver(&args.server, timeout));
            (vec![endpoint], &args.output)
        }
        ProbeCommand::Etcd(args) => etcd(args)?,
    };
    report(endpoints, &output.format, &output.fail_on)
}

fn etcd(args: &EtcdArgs) -> Result<(Vec<Endpoint>, &ProbeOutput)> {
    let timeout = crate::daemon::duration("timeout", &args.output.timeout)?;
    let read = |p: &std::path::Path| std::fs::read(p).with_context(|| format!("{}", p.display()));
    let credentials = palisade_node::probe::EtcdCredentials {
        ca: args.cacert.as_deref().map(read).transpose()?,
        identity: match (&args.cert, &args.key) {
            (Some(c), Some(k)) => Some((read(c)?, read(k)?)),
            _ => None,
        },
    };
    let runtime = runtime()?;
    let endpoints = args
        .endpoints
        .iter()
        .map(|e| {
            runtime.block_on(palisade_node::probe::probe_etcd(
                e,
                &credentials,
                args.sample,
                timeout,
            ))
        })
        .collect();
    Ok((endpoints, &args.output))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The node rules over what the endpoints answered; unreachable endpoints are notes.
fn report(endpoints: Vec<Endpoint>, format: &str, fail_on: &str) -> Result<u8> {
    let notes: Vec<String> = endpoints
        .iter()
        .filter_map(|e| {
            e.error
                .as_ref()
                .map(|why| format!("{} at {}: {why}", e.component, e.address))
        })
        .collect();
    let collected = Collected {
        facts: NodeFacts {
            endpoints,
            ..NodeFacts::default()
        },
        ..Collected::default()
    };
    let resolved = palisade_config::resolve(&palisade_config::Overrides {
        no_config: true,
        ..palisade_config::Overrides::default()
    })
    .map_err(crate::config::error)?;
    let checked = crate::node_cmd::check(&collected, resolved.settings, true)?;
    crate::rbac_cmd::render_findings(
        checked.findings,
        checked.errors,
        palisade_diagnostics::Summary::default(),
        format,
        fail_on,
        None,
        &notes,
    )
}

/// Probe the components of the node at `collected` on loopback, as `palisade node --probe`
/// does: the kubelet (10250, and the read-only port its configuration or flags name, else
/// 10255) and, on a control-plane node, the API server (`--secure-port`, else 6443).
pub fn probe_local(
    collected: &mut Collected,
    root: &std::path::Path,
    timeout: Duration,
) -> Result<()> {
    let facts = &collected.facts;
    let kubelet_read_only = (facts.process("kubelet").is_some() || facts.kubelet_config.is_some())
        .then(|| {
            facts
                .kubelet_config
                .as_ref()
                .and_then(|c| c.get("readOnlyPort")?.as_u64())
                .and_then(|p| u16::try_from(p).ok())
                .filter(|p| *p != 0)
                .unwrap_or(10255)
        });
    let apiserver_port = facts
        .process("kube-apiserver")
        .and_then(|p| p.flag("secure-port"))
        .and_then(|p| p.parse::<u16>().ok())
        .or((collected.role == Some(palisade_node::Role::Master)).then_some(6443));
    let runtime = runtime()?;
    let mut endpoints = Vec::new();
    if let Some(read_only) = kubelet_read_only {
        endpoints.extend(runtime.block_on(palisade_node::probe::probe_kubelet(
            "127.0.0.1",
            10250,
            Some(read_only),
            timeout,
        )));
    }
    if let Some(port) = apiserver_port {
        endpoints.push(runtime.block_on(palisade_node::probe::probe_apiserver(
            &format!("https://127.0.0.1:{port}"),
            timeout,
        )));
    }
    // etcd, as the API server reaches it: its servers and client credentials.
    let mut notes = Vec::new();
    if let Some(apiserver) = collected.apiserver.clone() {
        let mut file = |flag: &str| {
            let path = apiserver.flag(flag)?;
            match palisade_node::read_file(root, path) {
                Ok(text) => Some(text.into_bytes()),
                Err(e) => {
                    notes.push(format!("cannot read {path} (--{flag}): {e}"));
                    None
                }
            }
        };
        let credentials = palisade_node::probe::EtcdCredentials {
            ca: file("etcd-cafile"),
            identity: file("etcd-certfile").zip(file("etcd-keyfile")),
        };
        let servers: Vec<String> = apiserver
            .flag("etcd-servers")
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        for server in servers {
            endpoints.push(runtime.block_on(palisade_node::probe::probe_etcd(
                &server,
                &credentials,
                20,
                timeout,
            )));
        }
    }
    collected.notes.extend(notes);
    for e in &endpoints {
        if let Some(why) = &e.error {
            collected
                .notes
                .push(format!("{} at {}: {why}", e.component, e.address));
        }
    }
    collected.facts.endpoints.extend(endpoints);
    Ok(())
}
