//! `palisade audit`: the audit detections of the one rule catalog over Kubernetes audit events
//! from every place they come from: log files and standard input (`scan`), a live log file
//! (`follow`), and the API server's webhook backend (`serve`). One pipeline judges them all
//! and writes alerts as text, JSON lines or OCSF, to standard output and optionally to a
//! webhook.

mod context;
mod follow;
mod pipeline;
mod serve;
mod sink;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use palisade_config::{FailOn, Overrides};
use palisade_diagnostics::Input;
use palisade_engine::RuleSet;

pub use pipeline::context;

/// `palisade audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Run the audit detections over audit logs (files or `-` for standard input) and print
    /// one alert per line.
    Scan(ScanArgs),
    /// Follow live audit logs as `tail -F` does (through rotation and truncation) and alert
    /// as events are appended, until interrupted.
    Follow(FollowArgs),
    /// Serve the audit webhook backend the API server posts EventList batches to (HTTPS),
    /// and alert as batches arrive, until interrupted.
    Serve(ServeArgs),
    /// Print the kubeconfig-format file for the API server's `--audit-webhook-config-file`,
    /// pointing it at `palisade audit serve`.
    WebhookConfig(WebhookConfigArgs),
}

/// What every front door of the detections takes: which detections, how alerts are written
/// and where they go.
#[derive(Debug, Args)]
pub struct DetectArgs {
    /// Output: text (one line per alert, then a summary), json (one JSON object per alert per
    /// line; the summary goes to standard error) or ocsf (one OCSF Detection Finding per
    /// line).
    #[arg(short, long, default_value = "text", value_parser = ["text", "json", "ocsf"])]
    format: String,

    /// Exit 1 when an alert is at least this severe: info, low (default), medium, high,
    /// critical, or never.
    #[arg(long, env = "PALISADE_FAIL_ON", value_name = "SEVERITY")]
    fail_on: Option<String>,

    #[command(flatten)]
    selection: crate::cli::SelectionArgs,

    /// Print only the summary line.
    #[arg(short, long)]
    quiet: bool,

    /// Also POST each alert (as JSON, or OCSF with `--format ocsf`) to this URL, with
    /// retries; alerts beyond the sink's bounded queue are dropped and counted.
    #[arg(long, value_name = "URL")]
    alert_webhook: Option<String>,

    /// A PEM CA bundle to trust for `--alert-webhook` (besides the system's).
    #[arg(long, value_name = "FILE", requires = "alert_webhook")]
    alert_webhook_ca: Option<PathBuf>,

    /// The cluster the events come from: a snapshot (`palisade cluster snapshot`) or the
    /// manifests it runs (files, directories, charts). Each alert then says what the acting
    /// identity can do and what the scan found on its object, and is raised a level when that
    /// makes it worse. Repeatable.
    #[arg(long, value_name = "PATH")]
    context: Vec<PathBuf>,

    /// Read the context from the live cluster as well (read-only, as `palisade cluster
    /// snapshot` does), through the kubeconfig's current context or `--kube-context`.
    #[arg(long)]
    context_cluster: bool,

    /// The kubeconfig for `--context-cluster` (default: KUBECONFIG, else ~/.kube/config, else
    /// the in-cluster service account).
    #[arg(long, value_name = "FILE", requires = "context_cluster")]
    kubeconfig: Option<PathBuf>,

    /// The kubeconfig context for `--context-cluster`.
    #[arg(long, value_name = "NAME", requires = "context_cluster")]
    kube_context: Option<String>,
}

/// `palisade audit scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Audit logs: JSON lines (the log backend's files) or EventList objects, plain or
    /// gzip-compressed; `-` for standard input.
    #[arg(value_name = "FILE", required = true)]
    paths: Vec<PathBuf>,

    #[command(flatten)]
    detect: DetectArgs,
}

/// `palisade audit follow`.
#[derive(Debug, Args)]
pub struct FollowArgs {
    /// Audit log files the API server's log backend writes (`--audit-log-path`).
    #[arg(value_name = "FILE", required = true)]
    paths: Vec<PathBuf>,

    /// Read what the files already hold first (by default only what is appended from now).
    #[arg(long)]
    from_start: bool,

    /// How often the files are checked for new lines and rotation.
    #[arg(long, default_value = "250ms", value_name = "DURATION")]
    poll_interval: String,

    #[command(flatten)]
    detect: DetectArgs,
}

/// `palisade audit serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// PEM certificate chain of the backend (reloaded when it changes).
    #[arg(long, value_name = "FILE")]
    tls_cert_file: PathBuf,

    /// PEM private key of the backend.
    #[arg(long, value_name = "FILE")]
    tls_key_file: PathBuf,

    /// Address to listen on (HTTPS): the EventList endpoint at any path, and `/metrics`,
    /// `/healthz`, `/readyz`.
    #[arg(long, default_value = "0.0.0.0:8444", value_name = "ADDR")]
    listen: std::net::SocketAddr,

    /// Largest request body (an EventList batch) accepted.
    #[arg(long, default_value_t = 64 << 20, value_name = "BYTES")]
    max_body_bytes: usize,

    /// Batches queued for the detections; when full, the API server is asked to retry
    /// (429 with Retry-After).
    #[arg(long, default_value_t = 64, value_name = "BATCHES")]
    queue: usize,

    #[command(flatten)]
    detect: DetectArgs,
}

/// `palisade audit webhook-config`.
#[derive(Debug, Args)]
pub struct WebhookConfigArgs {
    /// The URL the API server posts to, e.g.
    /// `https://palisade-audit.palisade.svc:8444/audit`.
    #[arg(long, value_name = "URL")]
    server: String,

    /// The PEM CA certificate that signed the backend's certificate (embedded in the file).
    #[arg(long, value_name = "FILE")]
    ca: PathBuf,
}

/// Run a subcommand.
pub fn command(cmd: &AuditCommand) -> Result<u8> {
    match cmd {
        AuditCommand::Scan(args) => pipeline::scan(args),
        AuditCommand::Follow(args) => follow::follow(args),
        AuditCommand::Serve(args) => serve::serve(args),
        AuditCommand::WebhookConfig(args) => webhook_config(args),
    }
}

/// The detections the configuration selects.
fn rules(args: &DetectArgs) -> Result<(RuleSet, FailOn)> {
    let overrides = Overrides {
        fail_on: args.fail_on.clone(),
        ..args.selection.overrides()
    };
    let mut resolved = palisade_config::resolve(&overrides).map_err(crate::config::error)?;
    resolved.settings.input = Input::Audit;
    let rules = RuleSet::new(palisade_rules::registry(), resolved.settings.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((rules, resolved.fail_on))
}

fn webhook_config(args: &WebhookConfigArgs) -> Result<u8> {
    use std::io::Write;
    let url: http::Uri = args
        .server
        .parse()
        .map_err(|e| anyhow::anyhow!("--server {:?}: {e}", args.server))?;
    if url.scheme_str() != Some("https") || url.host().is_none() {
        anyhow::bail!(
            "--server {:?}: the API server sends audit events only over https",
            args.server
        );
    }
    let ca = std::fs::read(&args.ca).with_context(|| format!("{}", args.ca.display()))?;
    if !String::from_utf8_lossy(&ca).contains("-----BEGIN CERTIFICATE-----") {
        anyhow::bail!("{}: not a PEM certificate", args.ca.display());
    }
    let mut out = std::io::stdout().lock();
    out.write_all(palisade_audit::webhook::webhook_config(&args.server, &ca).as_bytes())?;
    Ok(crate::EXIT_CLEAN)
}
