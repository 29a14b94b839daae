//! `palisade cluster watch`: scan the clusters again every interval, serve Prometheus metrics
//! of the latest scans on `/metrics` (and `/healthz`, `/readyz`), and keep the clusters'
//! report resources current with `--apply-reports`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use clap::Args;
use palisade_diagnostics::Input;
use palisade_report::metrics::{ClusterMetrics, encode, unread_of};
use palisade_scan::{ScanOptions, ScanRequest};

use super::{ApplyReportsArgs, ClustersArgs, apply, collect_all, runtime, scan_cluster};
use crate::EXIT_CLEAN;
use crate::cli::ScanArgs;

/// `palisade cluster watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The clusters.
    #[command(flatten)]
    pub clusters: ClustersArgs,

    /// Time between the end of one scan and the start of the next, e.g. 10m (default), 1h.
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub interval: String,

    /// Where `/metrics`, `/healthz` and `/readyz` are served (`:9090` for every interface).
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1:9090")]
    pub listen: String,

    /// Keep each cluster's report resources current (as `cluster scan --apply-reports`).
    #[command(flatten)]
    pub reports: ApplyReportsArgs,

    /// Rule set: all (default), pss-baseline, pss-restricted, cis, nsa or mitre.
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Only run rules matching these selectors (as `scan --select`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Never run rules matching these selectors.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Also run the policies in this file or directory (as `scan --policy`).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// Use this configuration file instead of searching for palisade.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Do not read any palisade.toml.
    #[arg(long)]
    pub no_config: bool,
}

/// What the server shows: the latest metrics, and whether a scan has finished yet.
#[derive(Default)]
struct Shown {
    metrics: String,
    ready: bool,
}

/// Each cluster's scans since the start: (succeeded, failed), and when the last success ended.
#[derive(Default)]
struct History {
    scans: BTreeMap<String, (u64, u64)>,
    last_success: BTreeMap<String, f64>,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

async fn serve(listener: tokio::net::TcpListener, shown: Arc<RwLock<Shown>>) {
    let metrics = {
        let shown = Arc::clone(&shown);
        move || {
            let shown = Arc::clone(&shown);
            async move {
                let text = shown.read().map(|s| s.metrics.clone()).unwrap_or_default();
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    text,
                )
                    .into_response()
            }
        }
    };
    let ready = move || {
        let shown = Arc::clone(&shown);
        async move {
            if shown.read().is_ok_and(|s| s.ready) {
                (StatusCode::OK, "ready\n")
            } else {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the first scan has not finished\n",
                )
            }
        }
    };
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(metrics))
        .route("/healthz", axum::routing::get(|| async { "ok\n" }))
        .route("/readyz", axum::routing::get(ready));
    let _ = axum::serve(listener, app).await;
}

/// `host:port`, with `:port` meaning every interface.
fn listen_address(listen: &str) -> String {
    match listen.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => listen.to_string(),
    }
}

/// `palisade cluster watch`: runs until interrupted (SIGINT or SIGTERM).
pub fn command(args: &WatchArgs) -> Result<u8> {
    let scan_args = ScanArgs {
        profile: args.profile.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        policies: args.policies.clone(),
        config: args.config.clone(),
        no_config: args.no_config,
        ..ScanArgs::default()
    };
    let mut resolved = crate::config::resolve(&scan_args)?;
    resolved.settings.input = Input::Live;
    let interval = palisade_config::parse_duration(&args.interval)
        .map_err(|e| anyhow::anyhow!("--interval: {e}"))?;
    let policies = palisade_scan::load_policies(&resolved);
    let targets = args.clusters.targets()?;
    let runtime = runtime()?;
    let address = listen_address(&args.listen);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(&address))
        .with_context(|| format!("--listen {}: cannot listen", args.listen))?;
    let local = listener.local_addr().context("the listening address")?;
    let shown = Arc::new(RwLock::new(Shown::default()));
    runtime.spawn(serve(listener, Arc::clone(&shown)));
    eprintln!("palisade cluster watch: serving /metrics on http://{local}");
    let opts = ScanOptions::new(&resolved, ScanRequest::default(), Default::default());
    let mut history = History::default();
    loop {
        let started = Instant::now();
        let collected = collect_all(&targets, &args.clusters.connect, &runtime)?;
        let mut cycle = Vec::new();
        for (name, result) in collected {
            let scans = history.scans.entry(name.clone()).or_default();
            match result {
                Ok((connection, collection)) => {
                    let (one, rules) =
                        scan_cluster(connection, &collection, &policies, &resolved, &opts)?;
                    scans.0 += 1;
                    history.last_success.insert(name.clone(), now());
                    if let Some(api) = args.reports.apply_reports {
                        let metas: Vec<_> =
                            rules.enabled().iter().map(|r| r.meta.clone()).collect();
                        let shown_report = crate::scan::Shown {
                            suppressed: false,
                            compliance: false,
                            quiet: true,
                        };
                        let report =
                            crate::scan::report_of(&one.outcome, &metas, &resolved, shown_report);
                        let objects = palisade_report::policyreport::objects(&report, api.into());
                        for e in apply(&one, &objects, &runtime) {
                            eprintln!("error: {}", crate::input_error_line(&e));
                        }
                    }
                    cycle.push((name, Some((one, rules))));
                }
                Err(e) => {
                    scans.1 += 1;
                    eprintln!(
                        "error: cluster {}: {}",
                        crate::printable_error(&name),
                        crate::printable_error(&e.to_string())
                    );
                    cycle.push((name, None));
                }
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let empty = palisade_diagnostics::FindingList::new();
        let no_rules = Vec::new();
        let no_evaluated = Default::default();
        let metas: Vec<Vec<_>> = cycle
            .iter()
            .map(|(_, s)| {
                s.as_ref().map_or_else(Vec::new, |(_, rules)| {
                    rules.enabled().iter().map(|r| r.meta.clone()).collect()
                })
            })
            .collect();
        let unread: Vec<Vec<(String, String)>> = cycle
            .iter()
            .map(|(_, s)| {
                s.as_ref()
                    .map_or_else(Vec::new, |(one, _)| unread_of(&one.summary))
            })
            .collect();
        let clusters: Vec<ClusterMetrics<'_>> = cycle
            .iter()
            .zip(&metas)
            .zip(&unread)
            .map(|(((name, s), metas), unread)| ClusterMetrics {
                cluster: name,
                findings: s.as_ref().map_or(&empty, |(one, _)| &one.outcome.findings),
                rules: if s.is_some() { metas } else { &no_rules },
                evaluated: s
                    .as_ref()
                    .map_or(&no_evaluated, |(one, _)| &one.outcome.evaluated),
                objects: s.as_ref().map_or(0, |(one, _)| one.outcome.summary.objects),
                unread,
                duration_seconds: seconds,
                last_success: history.last_success.get(name).copied(),
                scans: history.scans.get(name).copied().unwrap_or_default(),
            })
            .collect();
        let text = encode(&clusters);
        if let Ok(mut s) = shown.write() {
            s.metrics = text;
            s.ready = true;
        }
        let findings: usize = cycle
            .iter()
            .filter_map(|(_, s)| s.as_ref())
            .map(|(one, _)| one.outcome.summary.findings)
            .sum();
        eprintln!(
            "scanned {} cluster{} in {seconds:.1}s: {findings} findings; next scan in {}",
            cycle.len(),
            if cycle.len() == 1 { "" } else { "s" },
            args.interval
        );
        let _ = std::io::stderr().flush();
        let stop = runtime.block_on(async {
            tokio::select! {
                () = tokio::time::sleep(interval) => false,
                () = shutdown() => true,
            }
        });
        if stop {
            return Ok(EXIT_CLEAN);
        }
    }
}

/// SIGINT or SIGTERM.
async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_port_listens_on_every_interface() {
        assert_eq!(listen_address(":9090"), "0.0.0.0:9090");
        assert_eq!(listen_address("127.0.0.1:0"), "127.0.0.1:0");
    }
}
