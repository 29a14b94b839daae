//! `--context`: the posture of the cluster the events come from, read from a snapshot or the
//! manifests it runs, with the scan's rules and the RBAC analysis: what every alert's identity
//! can do and what its object's findings are.

use std::io::Write;

use anyhow::{Context, Result};
use palisade_config::Overrides;
use palisade_engine::RuleSet;
use palisade_report::terminal::printable;
use palisade_scan::posture::Posture;
use palisade_scan::{ScanOptions, ScanRequest};

use super::DetectArgs;

/// Read the context the arguments name, if any. Inputs that cannot be read are reported as
/// warnings on standard error: the detections run with what could be read.
pub fn load(args: &DetectArgs) -> Result<Option<Posture>> {
    if args.context.is_empty() && !args.context_cluster {
        return Ok(None);
    }
    // The live cluster is read into a snapshot in a private temporary directory (mode 0700),
    // read like any other, and deleted once loaded.
    let live = tempfile::Builder::new()
        .prefix("palisade-context-")
        .tempdir()
        .context("cannot create a temporary directory for the cluster's snapshot")?;
    let mut paths = args.context.clone();
    if args.context_cluster {
        let snapshot = live.path().join("cluster.snapshot.json");
        let connect = crate::cluster_cmd::ConnectArgs::with_kubeconfig(args.kubeconfig.clone());
        let code =
            crate::cluster_cmd::write_snapshot(args.kube_context.as_deref(), &connect, &snapshot)?;
        if code != crate::EXIT_CLEAN {
            anyhow::bail!("--context-cluster: the cluster could not be read");
        }
        paths.push(snapshot);
    }
    let overrides = Overrides {
        config: args.selection.config.clone(),
        no_config: args.selection.no_config,
        ..Overrides::default()
    };
    let resolved = palisade_config::resolve(&overrides).map_err(crate::config::error)?;
    let (rbac, mut errors) = crate::rbac_cmd::load(&crate::rbac_cmd::LoadOptions {
        paths: &paths,
        render: true,
        namespace: None,
        builtin_roles: true,
        input: resolved.input,
    });
    let rules = RuleSet::new(palisade_rules::registry(), resolved.settings.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let opts = ScanOptions::new(
        &resolved,
        ScanRequest {
            render: true,
            respect_ignore_files: true,
            ..ScanRequest::default()
        },
        crate::progress::Progress::for_stderr(),
    );
    let outcome = palisade_scan::scan_paths(&paths, &rules, &opts);
    errors.extend(outcome.errors);
    errors.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    errors.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.message == b.message);
    let mut err = std::io::stderr().lock();
    for e in &errors {
        writeln!(
            err,
            "warning: --context: {}",
            printable(&crate::input_error_line(e))
        )?;
    }
    Ok(Some(Posture::new(rbac, &outcome.findings)))
}
