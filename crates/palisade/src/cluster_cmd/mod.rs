//! `palisade cluster`: scan live clusters read-only (one or many contexts at once), watch
//! them (re-scans and metrics), write a snapshot of one, and print the ClusterRole a scan
//! needs.

mod watch;

pub use watch::WatchArgs;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_cluster::{
    ClusterError, CollectOptions, CollectProgress, Collection, ResourceState, Retry, Target,
};
use palisade_diagnostics::{Input, InputError};
use palisade_report::Format;
use palisade_report::fleet::{ClusterSummary, Fleet, ResourceLine, cluster_heading, fleet_text};
use palisade_report::terminal::printable;
use palisade_scan::{ClusterObjects, ScanOptions, ScanOutcome, ScanRequest};

use crate::cli::{ColorChoice, ScanArgs};
use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// `palisade cluster`.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Scan live clusters, read-only: every rule, the RBAC and NetworkPolicy analyses, on the
    /// objects listed through the kubeconfig's contexts (several at once).
    Scan(Box<ClusterScanArgs>),
    /// Scan the clusters again every interval and serve Prometheus metrics of the latest
    /// scans on `/metrics`; with `--apply-reports`, keep their PolicyReports current.
    Watch(Box<WatchArgs>),
    /// Write what a scan reads from one cluster to a compressed snapshot file, which `scan`,
    /// `rbac` and `netpol` read offline (Secret values are never written).
    Snapshot(SnapshotArgs),
    /// Print the read-only ClusterRole and ClusterRoleBinding a cluster scan needs.
    RbacManifest(RbacManifestArgs),
    /// Print the objects that run `cluster watch` in the cluster it watches: ServiceAccount,
    /// read-only RBAC, Deployment, Service, ServiceMonitor, NetworkPolicy.
    WatchManifests(WatchManifestArgs),
}

/// `palisade cluster watch-manifests`.
#[derive(Debug, Args)]
pub struct WatchManifestArgs {
    /// The namespace of objects that name none, as `kubectl apply -n` places them: here
    /// every namespaced object of the watch.
    #[arg(
        short = 'n',
        long,
        value_name = "NAMESPACE",
        default_value = "palisade-system"
    )]
    pub namespace: String,

    /// The container image (default: the release image of this version).
    #[arg(long)]
    pub image: Option<String>,

    /// Time between scans.
    #[arg(long, value_name = "DURATION", default_value = "10m")]
    pub interval: String,

    /// Keep PolicyReports current: the role may write them.
    #[arg(long)]
    pub apply_reports: bool,

    /// Let the watch read Secrets (off by default: the Secret rules are then reported as not
    /// evaluated, and a compromised watcher cannot read every Secret).
    #[arg(long)]
    pub read_secrets: bool,

    /// Where Prometheus and the API server are: the NetworkPolicy allows these CIDRs only
    /// (repeatable; default: the private ranges 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16).
    #[arg(long = "allow-cidr", value_name = "CIDR")]
    pub allow_cidrs: Vec<String>,
}

/// Which clusters, and how they are read.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// The kubeconfig (default: KUBECONFIG, else ~/.kube/config; in a Pod with neither a
    /// kubeconfig nor a context, the in-cluster service account).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Only these namespaces (repeatable); cluster-scoped resources are read whole.
    #[arg(short = 'n', long = "namespace", value_name = "NAMESPACE")]
    pub namespaces: Vec<String>,

    /// The longest one API request may take, body included, e.g. 30s.
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub request_timeout: String,

    /// Objects per list page.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub page_size: u32,

    /// Resource types listed at once per cluster.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrency: usize,

    /// Retries of a request that is throttled (429), fails on the server (5xx), times out or
    /// loses its connection.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,
}

impl ConnectArgs {
    /// The defaults the flags have, with a kubeconfig.
    pub fn with_kubeconfig(kubeconfig: Option<PathBuf>) -> ConnectArgs {
        ConnectArgs {
            kubeconfig,
            namespaces: Vec::new(),
            request_timeout: "60s".into(),
            page_size: 500,
            concurrency: 4,
            retries: 5,
        }
    }

    fn options(&self) -> Result<CollectOptions> {
        let timeout = palisade_config::parse_duration(&self.request_timeout)
            .map_err(|e| anyhow::anyhow!("--request-timeout: {e}"))?;
        if self.page_size == 0 {
            bail!("--page-size: must be at least 1");
        }
        Ok(CollectOptions {
            namespaces: self.namespaces.clone(),
            page_size: self.page_size,
            concurrency: self.concurrency.max(1),
            retry: Retry {
                retries: self.retries,
                timeout,
                ..CollectOptions::default().retry
            },
            ..CollectOptions::default()
        })
    }
}

/// Which clusters a command reads, and how.
#[derive(Debug, Clone, Args)]
pub struct ClustersArgs {
    /// A kubeconfig context to read (repeatable; default: the current context).
    #[arg(long = "context", value_name = "NAME")]
    pub contexts: Vec<String>,

    /// Read every context of the kubeconfig, concurrently.
    #[arg(long, conflicts_with = "contexts")]
    pub all_contexts: bool,

    /// Connection and listing.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

impl ClustersArgs {
    /// The clusters to read.
    fn targets(&self) -> Result<Vec<Target>> {
        targets(&self.contexts, self.all_contexts, &self.connect)
    }
}

/// `palisade cluster scan`.
#[derive(Debug, Args)]
pub struct ClusterScanArgs {
    /// The clusters.
    #[command(flatten)]
    pub clusters: ClustersArgs,

    /// Output format: text, compact, json, sarif, junit, html (one self-contained page),
    /// policyreport (PolicyReport resources) or openreports.
    #[arg(short, long, env = "PALISADE_FORMAT", value_name = "FORMAT")]
    pub format: Option<String>,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Print only the summary lines (and errors) in text output.
    #[arg(short, long)]
    pub quiet: bool,

    /// Rule set: all (default), pss-baseline, pss-restricted, cis, nsa or mitre.
    #[arg(long, env = "PALISADE_PROFILE", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Only run rules matching these selectors (as `scan --select`).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,

    /// Never run rules matching these selectors.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,

    /// Exit 1 when a finding is at least this severe (default low), or never.
    #[arg(long, env = "PALISADE_FAIL_ON", value_name = "SEVERITY")]
    pub fail_on: Option<String>,

    /// Do not report findings below this severity.
    #[arg(long, value_name = "SEVERITY")]
    pub min_severity: Option<String>,

    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write the findings that remain unsuppressed to FILE as a baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Also run the policies in this file or directory (as `scan --policy`).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// Writing reports back.
    #[command(flatten)]
    pub reports: ApplyReportsArgs,

    /// Print the compliance summary in text output.
    #[arg(long)]
    pub compliance: bool,

    /// Also list suppressed findings.
    #[arg(long)]
    pub show_suppressed: bool,

    /// Use this configuration file instead of searching for palisade.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Do not read any palisade.toml.
    #[arg(long)]
    pub no_config: bool,

    /// When to use colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// `--apply-reports`, for `cluster scan` and `cluster watch`.
#[derive(Debug, Clone, Args)]
pub struct ApplyReportsArgs {
    /// Also write the findings to each cluster as report resources (server-side apply, field
    /// manager `palisade`), deleting the ones Palisade wrote before that are no longer
    /// needed: `policyreport` (default, wgpolicyk8s.io) or `openreports`. Needs write access
    /// to them (`rbac-manifest --apply-reports`).
    #[arg(
        long,
        value_enum,
        value_name = "API",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "policyreport"
    )]
    pub apply_reports: Option<ReportApi>,
}

/// The report API `--apply-reports` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportApi {
    /// `wgpolicyk8s.io/v1alpha2` PolicyReport and ClusterPolicyReport.
    Policyreport,
    /// `openreports.io/v1alpha1` Report and ClusterReport.
    Openreports,
}

impl From<ReportApi> for palisade_report::policyreport::Api {
    fn from(api: ReportApi) -> Self {
        match api {
            ReportApi::Policyreport => palisade_report::policyreport::Api::PolicyReport,
            ReportApi::Openreports => palisade_report::policyreport::Api::OpenReports,
        }
    }
}

/// `palisade cluster snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The kubeconfig context (default: the current context).
    #[arg(long = "context", value_name = "NAME")]
    pub context: Option<String>,

    /// Connection and listing.
    #[command(flatten)]
    pub connect: ConnectArgs,

    /// The snapshot file to write.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

/// `palisade cluster rbac-manifest`.
#[derive(Debug, Args)]
pub struct RbacManifestArgs {
    /// The namespace of the ServiceAccount the scan runs as.
    #[arg(long, value_name = "NAME", default_value = "palisade")]
    pub sa_namespace: String,

    /// The ServiceAccount the scan runs as.
    #[arg(long, value_name = "NAME", default_value = "palisade")]
    pub service_account: String,

    /// Leave Secrets out: their rules are then reported as not evaluated.
    #[arg(long)]
    pub without_secrets: bool,

    /// Also let the scan write its report resources (`cluster scan --apply-reports`): get,
    /// list, create, patch and delete of PolicyReports and OpenReports, nothing else.
    #[arg(long)]
    pub apply_reports: bool,
}

/// `palisade cluster`.
pub fn command(cmd: &ClusterCommand) -> Result<u8> {
    match cmd {
        ClusterCommand::Scan(args) => scan(args),
        ClusterCommand::Watch(args) => watch::command(args),
        ClusterCommand::WatchManifests(args) => {
            palisade_config::parse_duration(&args.interval)
                .map_err(|e| anyhow::anyhow!("--interval: {e}"))?;
            let defaults = palisade_cluster::WatchDeployment::default();
            let deployment = palisade_cluster::WatchDeployment {
                namespace: args.namespace.clone(),
                image: args.image.clone().unwrap_or(defaults.image),
                interval: args.interval.clone(),
                apply_reports: args.apply_reports,
                read_secrets: args.read_secrets,
                allow_cidrs: if args.allow_cidrs.is_empty() {
                    defaults.allow_cidrs
                } else {
                    args.allow_cidrs.clone()
                },
            };
            print!("{}", palisade_cluster::watch_manifests(&deployment));
            Ok(EXIT_CLEAN)
        }
        ClusterCommand::Snapshot(args) => snapshot(args),
        ClusterCommand::RbacManifest(args) => {
            print!(
                "{}",
                palisade_cluster::rbac_manifest(
                    &args.sa_namespace,
                    &args.service_account,
                    !args.without_secrets,
                    args.apply_reports
                )
            );
            Ok(EXIT_CLEAN)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    palisade_admission::server::install_ring();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// The clusters to read.
fn targets(contexts: &[String], all: bool, connect: &ConnectArgs) -> Result<Vec<Target>> {
    let kubeconfig = connect.kubeconfig.clone();
    let names: Vec<Option<String>> = if all {
        let names = palisade_cluster::contexts(kubeconfig.as_deref())?;
        if names.is_empty() {
            bail!("--all-contexts: the kubeconfig has no context");
        }
        names.into_iter().map(Some).collect()
    } else if contexts.is_empty() {
        vec![None]
    } else {
        contexts.iter().cloned().map(Some).collect()
    };
    Ok(names
        .into_iter()
        .map(|context| Target {
            kubeconfig: kubeconfig.clone(),
            context,
        })
        .collect())
}

/// What each cluster is doing, for the progress line.
#[derive(Default)]
struct Listing {
    clusters: Mutex<BTreeMap<String, CollectProgress>>,
}

impl Listing {
    fn line(&self, started: Instant) -> String {
        let clusters = self.clusters.lock().map(|c| c.clone()).unwrap_or_default();
        let parts: Vec<String> = clusters
            .iter()
            .map(|(name, p)| {
                format!(
                    "{name} {}/{} resources, {} objects",
                    p.resources_done, p.resources, p.objects
                )
            })
            .collect();
        format!(
            "listing {} ({:.1}s)",
            parts.join(" · "),
            started.elapsed().as_secs_f64()
        )
    }
}

/// Collect every target concurrently; each result comes with the name it is shown under.
/// A cluster read: its connection (for writing reports back) and what was collected.
type Read = Result<(palisade_cluster::Connection, Collection), ClusterError>;

fn collect_all(
    targets: &[Target],
    connect: &ConnectArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<Vec<(String, Read)>> {
    let options = connect.options()?;
    let timeout = options.retry.timeout;
    let listing = Arc::new(Listing::default());
    let started = Instant::now();
    let shown = Arc::clone(&listing);
    let progress = crate::progress::Progress::line_stderr(move || shown.line(started));
    let results = runtime.block_on(async {
        let jobs = targets.iter().map(|target| {
            let (listing, options) = (Arc::clone(&listing), options.clone());
            async move {
                let shown = target
                    .context
                    .clone()
                    .unwrap_or_else(|| "current context".into());
                let connection = match palisade_cluster::connect(target, timeout).await {
                    Ok(c) => c,
                    Err(e) => return (shown, Err(e)),
                };
                let name = connection.info.name.clone();
                let report = |p: CollectProgress| {
                    if let Ok(mut c) = listing.clusters.lock() {
                        c.insert(name.clone(), p);
                    }
                };
                let collected = palisade_cluster::collect(&connection, &options, &report).await;
                (name.clone(), collected.map(|c| (connection, c)))
            }
        });
        futures_util::future::join_all(jobs).await
    });
    drop(progress);
    Ok(results)
}

/// The rules that read objects of a resource: those that evaluate a bare object of its kind.
fn rules_reading(
    r: &palisade_cluster::ResourceStatus,
    rules: &palisade_engine::RuleSet,
    opts: &ScanOptions,
) -> Vec<String> {
    let api_version = if r.group.is_empty() {
        r.version.clone()
    } else {
        format!("{}/{}", r.group, r.version)
    };
    let mut metadata = serde_json::json!({"name": "probe", "uid": "probe"});
    if r.namespaced {
        metadata["namespace"] = "default".into();
    }
    let stub = serde_json::json!({"apiVersion": api_version, "kind": r.kind, "metadata": metadata});
    let cluster = palisade_cluster::ClusterInfo::default();
    let objects = [stub.to_string()];
    let outcome = palisade_scan::scan_objects(
        ClusterObjects {
            cluster: &cluster,
            resources: &[],
            objects: &objects,
        },
        rules,
        opts,
    );
    outcome.evaluated.iter().map(ToString::to_string).collect()
}

fn resource_lines(
    c: &Collection,
    rules: &palisade_engine::RuleSet,
    opts: &ScanOptions,
) -> Vec<ResourceLine> {
    c.resources
        .iter()
        .map(|r| ResourceLine {
            rules: match r.state {
                ResourceState::Forbidden | ResourceState::Failed => rules_reading(r, rules, opts),
                ResourceState::Listed | ResourceState::NotServed => Vec::new(),
            },
            resource: r.name(),
            state: match r.state {
                ResourceState::Listed => "listed",
                ResourceState::Forbidden => "forbidden",
                ResourceState::NotServed => "not-served",
                ResourceState::Failed => "failed",
            }
            .into(),
            objects: r.objects,
            message: r.message.clone(),
        })
        .collect()
}

/// The scan flags as `scan`'s, for the configuration.
fn as_scan_args(args: &ClusterScanArgs) -> ScanArgs {
    ScanArgs {
        format: args.format.clone(),
        output: args.output.clone(),
        quiet: args.quiet,
        profile: args.profile.clone(),
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.clone(),
        min_severity: args.min_severity.clone(),
        baseline: args.baseline.clone(),
        policies: args.policies.clone(),
        compliance: args.compliance,
        show_suppressed: args.show_suppressed,
        config: args.config.clone(),
        no_config: args.no_config,
        color: args.color,
        ..ScanArgs::default()
    }
}

/// One cluster's part of the run.
struct Scanned {
    summary: ClusterSummary,
    outcome: ScanOutcome,
    /// The connection, to write reports back with.
    connection: Option<palisade_cluster::Connection>,
}

fn scan(args: &ClusterScanArgs) -> Result<u8> {
    let scan_args = as_scan_args(args);
    let mut resolved = crate::config::resolve(&scan_args)?;
    resolved.settings.input = Input::Live;
    let policies = palisade_scan::load_policies(&resolved);
    let targets = args.clusters.targets()?;
    let runtime = runtime()?;
    let collected = collect_all(&targets, &args.clusters.connect, &runtime)?;
    let opts = ScanOptions::new(
        &resolved,
        ScanRequest::default(),
        crate::progress::Progress::for_stderr(),
    );
    let mut rules_run = None;
    let mut scanned = Vec::new();
    for (name, result) in collected {
        match result {
            Ok((connection, collection)) => {
                let (one, rules) =
                    scan_cluster(connection, &collection, &policies, &resolved, &opts)?;
                scanned.push(one);
                rules_run.get_or_insert(rules);
            }
            Err(e) => scanned.push(unread(name, &e)),
        }
    }
    let rules = match rules_run {
        Some(r) => r,
        None => palisade_scan::rule_set(&resolved, &policies)?,
    };
    let mut all = merged(&scanned, &resolved);
    let fleet = Fleet::of(
        scanned.iter().map(|s| s.summary.clone()).collect(),
        &all.findings,
    );
    if let Some(path) = &args.write_baseline {
        palisade_scan::write_baseline(&all, path, &resolved.project, "default")?;
    }
    let metas: Vec<_> = rules.enabled().iter().map(|r| r.meta.clone()).collect();
    let shown = crate::scan::Shown {
        suppressed: args.show_suppressed,
        compliance: args.compliance || rules.settings().selection.profile.is_framework(),
        quiet: args.quiet,
    };
    let report_of = |outcome| crate::scan::report_of(outcome, &metas, &resolved, shown);
    if let Some(api) = args.reports.apply_reports {
        for s in &scanned {
            let objects =
                palisade_report::policyreport::objects(&report_of(&s.outcome), api.into());
            all.errors.extend(apply(s, &objects, &runtime));
        }
        all.summary.errors = all.errors.len();
    }
    for output in &resolved.outputs {
        write_output(args, output, &scanned, &all, &fleet, &report_of)?;
    }
    if resolved.outputs.iter().all(|o| o.path.is_some()) {
        eprintln!("{}", palisade_report::summary_line(&report_of(&all)));
    }
    Ok(if !all.errors.is_empty() {
        EXIT_ERROR
    } else if all.fails(resolved.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// Scan one cluster's collection with the configured rules and the policies bound to its
/// objects; the rule set is returned for the reports.
fn scan_cluster(
    connection: palisade_cluster::Connection,
    collection: &Collection,
    policies: &palisade_policy::PolicySet,
    resolved: &palisade_config::Resolved,
    opts: &ScanOptions,
) -> Result<(Scanned, palisade_engine::RuleSet)> {
    let bound = palisade_scan::bind_policies_to_objects(policies, &collection.objects);
    let rules = palisade_scan::rule_set(resolved, &bound)?;
    let outcome = palisade_scan::scan_objects(
        ClusterObjects {
            cluster: &collection.cluster,
            resources: &collection.resources,
            objects: &collection.objects,
        },
        &rules,
        opts,
    );
    let mut outcome = palisade_scan::govern(outcome, &rules, None, resolved)?;
    outcome.errors.extend(palisade_scan::policy_errors(&bound));
    outcome.count();
    let scanned = Scanned {
        summary: ClusterSummary {
            name: collection.cluster.name.clone(),
            server: collection.cluster.server.clone(),
            version: collection.cluster.version.clone(),
            objects: outcome.summary.objects,
            findings: 0,
            by_severity: BTreeMap::new(),
            resources: resource_lines(collection, &rules, opts),
            error: None,
        },
        outcome,
        connection: Some(connection),
    };
    Ok((scanned, rules))
}

/// A cluster that could not be read: an input error, and a section that says so.
fn unread(name: String, e: &ClusterError) -> Scanned {
    let mut outcome = ScanOutcome::default();
    outcome.errors.push(InputError {
        path: format!("cluster {name}"),
        line: None,
        column: None,
        message: e.to_string(),
    });
    outcome.count();
    Scanned {
        summary: ClusterSummary {
            name,
            server: String::new(),
            version: String::new(),
            objects: 0,
            findings: 0,
            by_severity: BTreeMap::new(),
            resources: Vec::new(),
            error: Some(e.to_string()),
        },
        outcome,
        connection: None,
    }
}

/// Every cluster's findings, errors and notes in one outcome, for the formats that take one
/// document and for the exit code.
fn merged(scanned: &[Scanned], resolved: &palisade_config::Resolved) -> ScanOutcome {
    let mut all = ScanOutcome::default();
    for s in scanned {
        all.findings.append_list(&s.outcome.findings);
        all.errors.extend(s.outcome.errors.iter().cloned());
        all.warnings.extend(s.outcome.warnings.iter().cloned());
        all.notes.extend(s.outcome.notes.iter().cloned());
        all.evaluated.extend(s.outcome.evaluated.iter().cloned());
        all.summary.objects += s.outcome.summary.objects;
        if let Some(views) = &s.outcome.views {
            let views = views.clone().in_cluster(&s.summary.name);
            all.views.get_or_insert_with(Default::default).extend(views);
        }
    }
    all.notes.sort();
    all.notes.dedup();
    all.summary.clusters = scanned.iter().filter(|s| s.summary.error.is_none()).count();
    all.count();
    if resolved.sort != palisade_report::SortOrder::Path {
        palisade_report::sort_findings(&mut all.findings, resolved.sort);
    }
    all
}

/// Write a cluster's report objects back to it (`--apply-reports`); what failed, as input
/// errors.
fn apply(
    s: &Scanned,
    objects: &[serde_json::Value],
    runtime: &tokio::runtime::Runtime,
) -> Vec<InputError> {
    let Some(connection) = &s.connection else {
        return Vec::new();
    };
    let selector = format!(
        "{}={},palisade.dev/cluster={}",
        palisade_report::policyreport::MANAGED_BY.0,
        palisade_report::policyreport::MANAGED_BY.1,
        palisade_report::policyreport::cluster_label(&s.summary.name)
    );
    let applied = runtime.block_on(palisade_cluster::apply_reports(
        &connection.client,
        objects,
        &selector,
    ));
    eprintln!(
        "cluster {}: applied {} report{}, deleted {} stale",
        printable(&s.summary.name),
        applied.applied,
        if applied.applied == 1 { "" } else { "s" },
        applied.deleted
    );
    applied
        .errors
        .into_iter()
        .map(|message| InputError {
            path: format!("cluster {}", s.summary.name),
            line: None,
            column: None,
            message: format!("cannot write reports: {message}"),
        })
        .collect()
}

/// Write one output: text and compact per cluster with the fleet summary, the other formats
/// as one document of every cluster.
fn write_output<'a>(
    args: &ClusterScanArgs,
    output: &palisade_config::Output,
    scanned: &'a [Scanned],
    all: &'a ScanOutcome,
    fleet: &Fleet,
    report_of: &dyn Fn(&'a ScanOutcome) -> palisade_report::Report<'a>,
) -> Result<()> {
    let to_terminal = output.path.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut sink: Box<dyn Write> = match &output.path {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = (|| -> std::io::Result<()> {
        if matches!(output.format, Format::Text | Format::Compact) {
            for (s, fleet_cluster) in scanned.iter().zip(&fleet.clusters) {
                cluster_heading(fleet_cluster, &mut sink)?;
                if s.summary.error.is_none() {
                    palisade_report::render(
                        output.format,
                        &report_of(&s.outcome),
                        color,
                        &mut sink,
                    )?;
                    writeln!(sink)?;
                }
            }
            if scanned.len() > 1 {
                fleet_text(fleet, &mut sink)?;
                writeln!(sink, "{}", palisade_report::summary_line(&report_of(all)))?;
            }
            Ok(())
        } else {
            palisade_report::render_clusters(
                output.format,
                &report_of(all),
                fleet,
                color,
                &mut sink,
            )
        }
    })()
    .and_then(|()| sink.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write the report")?,
    }
    Ok(())
}

fn snapshot(args: &SnapshotArgs) -> Result<u8> {
    write_snapshot(args.context.as_deref(), &args.connect, &args.output)
}

/// Read one cluster (the kubeconfig's `context`, or its current one) and write everything a
/// scan reads to `output`, saying on standard error what was written and what could not be
/// read: the exit code.
pub(crate) fn write_snapshot(
    context: Option<&str>,
    connect: &ConnectArgs,
    output: &std::path::Path,
) -> Result<u8> {
    let contexts: Vec<String> = context.into_iter().map(str::to_string).collect();
    let targets = targets(&contexts, false, connect)?;
    let runtime = runtime()?;
    let mut collected = collect_all(&targets, connect, &runtime)?;
    let Some((name, result)) = collected.pop() else {
        bail!("no cluster to read");
    };
    let collection = match result {
        Ok((_, c)) => c,
        Err(e) => {
            eprintln!("error: cluster {name}: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    let generator = concat!("palisade ", env!("CARGO_PKG_VERSION"));
    collection
        .write_snapshot(output, generator)
        .with_context(|| format!("cannot write {}", output.display()))?;
    let listed = collection
        .resources
        .iter()
        .filter(|r| r.state == ResourceState::Listed)
        .count();
    eprintln!(
        "Wrote {}: {} objects from {listed} resource types of cluster {}.",
        output.display(),
        collection.objects.len(),
        collection.cluster.name
    );
    for r in collection
        .resources
        .iter()
        .filter(|r| matches!(r.state, ResourceState::Forbidden | ResourceState::Failed))
    {
        eprintln!(
            "note: {} not read: {}",
            r.name(),
            r.message.as_deref().unwrap_or("")
        );
    }
    Ok(EXIT_CLEAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_progress_line_names_each_cluster_with_its_counts() {
        let listing = Listing::default();
        for (name, done, objects) in [("staging", 3, 120), ("prod", 12, 45_210)] {
            listing.clusters.lock().unwrap().insert(
                name.into(),
                CollectProgress {
                    resources_done: done,
                    resources: 31,
                    objects,
                },
            );
        }
        let line = listing.line(Instant::now());
        assert!(
            line.starts_with(
                "listing prod 12/31 resources, 45210 objects · staging 3/31 resources, 120 objects ("
            ),
            "{line}"
        );
        assert!(line.ends_with("s)"), "{line}");
    }

    #[test]
    fn connection_flags_become_collect_options() {
        let args = ConnectArgs {
            kubeconfig: None,
            namespaces: vec!["shop".into()],
            request_timeout: "5s".into(),
            page_size: 100,
            concurrency: 0,
            retries: 2,
        };
        let o = args.options().unwrap();
        assert_eq!(o.namespaces, ["shop"]);
        assert_eq!((o.page_size, o.concurrency, o.retry.retries), (100, 1, 2));
        assert_eq!(o.retry.timeout, Duration::from_secs(5));
        let bad = ConnectArgs {
            page_size: 0,
            ..args.clone()
        };
        assert!(
            bad.options()
                .unwrap_err()
                .to_string()
                .contains("--page-size")
        );
        let bad = ConnectArgs {
            request_timeout: "soon".into(),
            ..args
        };
        assert!(
            bad.options()
                .unwrap_err()
                .to_string()
                .contains("--request-timeout")
        );
    }
}
