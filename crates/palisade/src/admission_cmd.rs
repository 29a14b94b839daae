//! `palisade admission serve | review | manifests`: the validating admission webhook, one
//! review answered offline, and the manifests that deploy the webhook.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_admission::manifests::{DeployOptions, render};
use palisade_admission::namespaces::read_namespace_file;
use palisade_admission::watch::watch_namespaces;
use palisade_admission::{Bound, Decision, Namespaces, Reviewer, ServerOptions};
use palisade_config::{Overrides, Resolved, parse_size};

use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};

/// `palisade admission` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdmissionCommand {
    /// Run the validating admission webhook over HTTPS (POST /validate, GET /healthz,
    /// /readyz, /metrics).
    Serve(Box<ServeArgs>),
    /// Answer one AdmissionReview (a JSON file or `-`) exactly as the server would, with no
    /// network: exit 0 allowed, 1 denied, 2 unreadable.
    Review(ReviewArgs),
    /// Print ready-to-apply manifests for the webhook: Namespace, ServiceAccount, RBAC,
    /// Deployment, PodDisruptionBudget, Service, NetworkPolicy, ValidatingWebhookConfiguration.
    Manifests(ManifestArgs),
}

/// The rules and governance, as for `palisade scan`.
#[derive(Debug, Args, Default)]
pub struct PolicyArgs {
    /// Use this configuration file instead of searching for palisade.toml.
    #[arg(long, value_name = "FILE", env = "PALISADE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,

    /// Default level of namespaces without labels: all (default), pss-baseline,
    /// pss-restricted, cis, nsa or mitre (`[admission] enforce` in palisade.toml wins).
    #[arg(long, env = "PALISADE_PROFILE", value_name = "PROFILE")]
    pub profile: Option<String>,

    /// Only run rules matching these selectors; comma-separated, repeatable.
    #[arg(
        long,
        env = "PALISADE_SELECT",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub select: Vec<String>,

    /// Never run rules matching these selectors; comma-separated, repeatable.
    #[arg(
        long,
        env = "PALISADE_IGNORE",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub ignore: Vec<String>,

    /// Deny when a finding is at least this severe: info, low (default), medium, high,
    /// critical, or never (findings below it are returned as warnings).
    #[arg(long, env = "PALISADE_FAIL_ON", value_name = "SEVERITY")]
    pub fail_on: Option<String>,

    /// Pod Security Standards version of levels that do not name one: v1.N or latest.
    #[arg(long, env = "PALISADE_PSS_VERSION", value_name = "VERSION")]
    pub pss_version: Option<String>,

    /// Also enforce the policies in this file or directory (Gatekeeper, ValidatingAdmissionPolicy,
    /// Kyverno ValidatingPolicy), in every namespace; repeatable, replaces `policies` in
    /// palisade.toml. A policy that does not load stops the server from starting.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// Which engines of Gatekeeper templates run: auto, rego, cel or both.
    #[arg(long, env = "PALISADE_POLICY_ENGINE", value_name = "ENGINE")]
    pub policy_engine: Option<String>,

    /// A file of Namespace objects (`kubectl get namespaces -o yaml`) whose
    /// `palisade.dev/enforce|warn|audit[-version]` labels set each namespace's levels.
    #[arg(long, value_name = "FILE")]
    pub namespace_labels: Option<PathBuf>,
}

impl PolicyArgs {
    fn resolve(&self) -> Result<Resolved> {
        let overrides = Overrides {
            config: self.config.clone(),
            no_config: self.no_config,
            profile: self.profile.clone(),
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            fail_on: self.fail_on.clone(),
            pss_version: self.pss_version.clone(),
            policies: self.policies.clone(),
            policy_engine: self.policy_engine.clone(),
            ..Overrides::default()
        };
        palisade_config::resolve(&overrides).map_err(crate::config::error)
    }

    /// The reviewer and the namespace cache (filled from `--namespace-labels`).
    fn reviewer(&self) -> Result<(Arc<Reviewer>, Arc<Namespaces>)> {
        let resolved = self.resolve()?;
        let policies = palisade_scan::load_policies(&resolved);
        if !policies.errors().is_empty() {
            let listed: Vec<String> = policies.errors().iter().map(|e| e.to_string()).collect();
            anyhow::bail!(
                "{} polic{} did not load:\n  {}",
                listed.len(),
                if listed.len() == 1 { "y" } else { "ies" },
                listed.join("\n  ")
            );
        }
        let reviewer =
            Reviewer::with_policies(&resolved, policies).map_err(|e| anyhow::anyhow!("{e}"))?;
        let namespaces = Namespaces::new(
            resolved.admission.defaults,
            resolved.settings.selection.pss_version,
        );
        if let Some(path) = &self.namespace_labels {
            let all = read_namespace_file(path)?;
            for problem in namespaces.replace_all(&all) {
                eprintln!("warning: {problem}; the strictest level applies");
            }
        }
        Ok((Arc::new(reviewer), Arc::new(namespaces)))
    }
}

/// `palisade admission serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// PEM certificate chain served to the API server (reloaded when the file changes).
    #[arg(long, value_name = "FILE")]
    pub tls_cert_file: PathBuf,

    /// PEM private key of the certificate (reloaded when the file changes).
    #[arg(long, value_name = "FILE")]
    pub tls_key_file: PathBuf,

    /// HTTPS address of the webhook.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,

    /// Serve /metrics, /healthz and /readyz over plain HTTP on this address (else /metrics
    /// is served over HTTPS on --listen).
    #[arg(long, value_name = "ADDR")]
    pub metrics_listen: Option<SocketAddr>,

    /// Largest request body.
    #[arg(long, value_name = "SIZE", default_value = "3MiB")]
    pub max_body: String,

    /// Deadline of one request, from its headers to its answer (keep it under the
    /// webhook's timeoutSeconds).
    #[arg(long, value_name = "DURATION", default_value = "8s")]
    pub timeout: String,

    /// Reviews evaluated at once (default: 4 per CPU); more wait within their deadline.
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    /// How long in-flight requests may take to finish after SIGTERM.
    #[arg(long, value_name = "DURATION", default_value = "25s")]
    pub grace: String,

    /// How often the certificate, key and namespace labels files are checked for changes.
    #[arg(long, value_name = "DURATION", default_value = "2s")]
    pub reload_interval: String,

    /// Keep namespace labels current by watching the API server (in-cluster credentials, or
    /// the kubeconfig); the webhook is ready once they are listed.
    #[arg(long, conflicts_with = "namespace_labels")]
    pub watch_namespaces: bool,

    /// The kubeconfig for --watch-namespaces outside a cluster (default: KUBECONFIG or
    /// ~/.kube/config).
    #[arg(long, value_name = "FILE", requires = "watch_namespaces")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context for --watch-namespaces.
    #[arg(long, value_name = "NAME", requires = "watch_namespaces")]
    pub context: Option<String>,

    /// The rules and namespace levels.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// The client for the namespace watch: the named kubeconfig and context, else in-cluster
/// credentials or the default kubeconfig (as `palisade cluster` connects).
async fn kube_client(args: &ServeArgs) -> Result<kube::Client> {
    let target = palisade_cluster::Target {
        kubeconfig: args.kubeconfig.clone(),
        context: args.context.clone(),
    };
    let connection = palisade_cluster::connect(&target, std::time::Duration::from_secs(30))
        .await
        .context("--watch-namespaces")?;
    Ok(connection.client)
}

/// `palisade admission review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The AdmissionReview (JSON); `-` reads standard input.
    #[arg(value_name = "FILE", default_value = "-")]
    pub file: PathBuf,

    /// The rules and namespace levels.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// `palisade admission manifests`.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// The namespace of objects that name none, as `kubectl apply -n` places them: here
    /// every namespaced object of the webhook, which never checks that namespace.
    #[arg(
        short = 'n',
        long,
        value_name = "NAMESPACE",
        default_value = "palisade-system"
    )]
    pub namespace: String,

    /// Replicas of the webhook.
    #[arg(long, default_value_t = 2)]
    pub replicas: u32,

    /// The container image.
    #[arg(long)]
    pub image: Option<String>,

    /// PEM of the CA that signed the serving certificate, for the webhook's caBundle.
    /// Without it, cert-manager issues the certificate and injects the CA.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// What the API server does when the webhook cannot answer: Fail (default) or Ignore.
    #[arg(long, default_value = "Fail", value_parser = ["Fail", "Ignore"])]
    pub failure_policy: String,

    /// Ship the policies in this file or directory with the webhook (a ConfigMap the server
    /// loads with --policy) and register it for the resources they match; repeatable.
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,

    /// How long the API server waits for an answer, in seconds (1 to 30).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub timeout_seconds: u32,
}

/// Run a `palisade admission` subcommand.
pub fn command(cmd: &AdmissionCommand) -> Result<u8> {
    match cmd {
        AdmissionCommand::Serve(args) => serve(args),
        AdmissionCommand::Review(args) => review(args),
        AdmissionCommand::Manifests(args) => manifests(args),
    }
}

fn serve(args: &ServeArgs) -> Result<u8> {
    crate::daemon::init_logging();
    let mut opts = ServerOptions::new(args.tls_cert_file.clone(), args.tls_key_file.clone());
    opts.listen = args.listen;
    opts.metrics_listen = args.metrics_listen;
    opts.max_body = usize::try_from(
        parse_size(&args.max_body).map_err(|e| anyhow::anyhow!("--max-body: {e}"))?,
    )?;
    opts.timeout = crate::daemon::duration("timeout", &args.timeout)?;
    opts.grace = crate::daemon::duration("grace", &args.grace)?;
    opts.reload_interval = crate::daemon::duration("reload-interval", &args.reload_interval)?;
    if let Some(n) = args.concurrency {
        if n == 0 {
            bail!("--concurrency: must be at least 1");
        }
        opts.concurrency = n;
    }
    opts.namespace_labels = args.policy.namespace_labels.clone();
    let (reviewer, namespaces) = args.policy.reviewer()?;
    palisade_admission::server::install_ring();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        if args.watch_namespaces {
            let client = kube_client(args).await?;
            tokio::spawn(watch_namespaces(client, namespaces.clone()));
        }
        let bound = Bound::new(opts, reviewer, namespaces).await?;
        tracing::info!(listen = %bound.local_addr()?, metrics = ?bound.metrics_addr(), "palisade admission webhook ready");
        bound.run(crate::daemon::shutdown_signal()).await?;
        tracing::info!("stopped");
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(EXIT_CLEAN)
}

fn review(args: &ReviewArgs) -> Result<u8> {
    let limit = palisade_admission::DEFAULT_MAX_BODY;
    let mut body = Vec::new();
    let shown = args.file.display().to_string();
    if args.file.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit as u64 + 1)
            .read_to_end(&mut body)
            .context("cannot read standard input")?;
    } else {
        std::fs::File::open(&args.file)
            .and_then(|f| f.take(limit as u64 + 1).read_to_end(&mut body))
            .with_context(|| format!("cannot read {shown}"))?;
    }
    if body.len() > limit {
        bail!("{shown}: over the {limit}-byte limit of an AdmissionReview");
    }
    let (reviewer, namespaces) = args.policy.reviewer()?;
    let reviewed = match reviewer.review_bytes(&body, namespaces.as_ref()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {shown}: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &reviewed.response)?;
    writeln!(out)?;
    out.flush()?;
    Ok(match reviewed.decision {
        Decision::Denied | Decision::Invalid => EXIT_FINDINGS,
        _ => EXIT_CLEAN,
    })
}

/// A ConfigMap holds at most 1 MiB.
const MAX_SHIPPED_POLICIES: usize = 1 << 20;

/// Load the policies (they must all load), put their files into the manifests' ConfigMap and
/// the resources they match into the webhook's rules.
fn ship_policies(paths: &[PathBuf], o: &mut DeployOptions) -> Result<()> {
    let set = palisade_policy::PolicySet::load(paths, palisade_policy::LoadOptions::default());
    if !set.errors().is_empty() {
        let listed: Vec<String> = set.errors().iter().map(|e| e.to_string()).collect();
        bail!("policies did not load:\n  {}", listed.join("\n  "));
    }
    for p in set.policies() {
        match p.resources() {
            Some(resources) => o.policy_resources.extend(resources),
            None => eprintln!(
                "note: {} matches every resource; the webhook is registered for the resources Palisade's rules read and those other policies name, not for every resource (narrow its match to have the API server send others)",
                crate::printable_error(p.id())
            ),
        }
    }
    let mut total = 0;
    for path in paths {
        let files =
            palisade_policy::load::policy_files(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        for file in files {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            total += text.len();
            // The file's path under the directory given (or its name), as a ConfigMap key.
            let relative = file
                .strip_prefix(path)
                .ok()
                .filter(|r| !r.as_os_str().is_empty());
            let name = relative.unwrap_or_else(|| Path::new(file.file_name().unwrap_or_default()));
            let mut key: String = (name.to_string_lossy().chars())
                .map(|c| {
                    if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            while o.policies.iter().any(|(k, _)| *k == key) {
                key.insert(0, '_');
            }
            o.policies.push((key, text));
        }
    }
    if total > MAX_SHIPPED_POLICIES {
        bail!(
            "the policies hold {total} bytes, more than a ConfigMap can (1 MiB): ship them with your own ConfigMap and pass --policy to the server"
        );
    }
    Ok(())
}

fn manifests(args: &ManifestArgs) -> Result<u8> {
    let mut o = DeployOptions {
        namespace: args.namespace.clone(),
        replicas: args.replicas,
        failure_policy: args.failure_policy.clone(),
        timeout_seconds: args.timeout_seconds,
        ..DeployOptions::default()
    };
    if let Some(image) = &args.image {
        o.image = image.clone();
    }
    if let Some(ca) = &args.ca_file {
        let pem = std::fs::read(ca).with_context(|| format!("cannot read {}", ca.display()))?;
        if !pem.starts_with(b"-----BEGIN") {
            bail!("{}: not a PEM certificate", ca.display());
        }
        o.ca_pem = Some(pem);
    }
    if !args.policies.is_empty() {
        ship_policies(&args.policies, &mut o)?;
    }
    let mut out = std::io::stdout().lock();
    out.write_all(render(&o).as_bytes())?;
    out.flush()?;
    Ok(EXIT_CLEAN)
}
