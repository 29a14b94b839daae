//! `palisade node`: the CIS Benchmark's node and control-plane checks from a node's root —
//! file permissions and owners, the components' flags from their processes or static pod
//! manifests, the kubelet's effective configuration — as findings of the one model.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use palisade_diagnostics::{ArcStr, Finding, Input, InputError, Interner, RuleRef, Summary};
use palisade_engine::RuleSet;
use palisade_node::{Collected, RoleChoice};

/// The rule families a node's checks belong to (the control-plane audit-log flags included).
const NODE_FAMILIES: [&str; 5] = ["CP", "ETCD", "KUBELET", "NODE", "AUDIT0"];

/// `palisade node`.
#[derive(Debug, Args)]
pub struct NodeArgs {
    /// The node's root directory: `/` on the node itself, or the host's root mounted into a
    /// pod (run it with hostPID so that the components' processes are visible under it).
    #[arg(long, default_value = "/", value_name = "DIR")]
    root: PathBuf,

    /// Which checks apply: master (control plane and kubelet), worker (kubelet, kube-proxy,
    /// runtime), or auto (master when a control-plane component runs or has a manifest).
    #[arg(long, default_value = "auto", value_parser = ["master", "worker", "auto"])]
    role: String,

    /// Output format: text, json, sarif, junit, compact, html, or kube-bench-json (the JSON
    /// kube-bench writes, for tools built on it).
    #[arg(short, long, default_value = "text", value_name = "FORMAT")]
    format: String,

    /// Exit 1 when a finding is at least this severe: info, low (default), medium, high,
    /// critical, or never.
    #[arg(long, default_value = "low", value_name = "SEVERITY")]
    fail_on: String,

    #[command(flatten)]
    selection: crate::cli::SelectionArgs,

    /// Also probe the node's components on loopback (the kubelet's API and read-only port,
    /// the API server on a control-plane node) and reconcile what they answer with what their
    /// configuration says.
    #[arg(long)]
    probe: bool,

    /// How long one probe request may take, e.g. 5s.
    #[arg(
        long,
        default_value = "5s",
        value_name = "DURATION",
        requires = "probe"
    )]
    probe_timeout: String,
}

/// Run `palisade node`.
pub fn command(args: &NodeArgs) -> Result<u8> {
    let choice = match args.role.as_str() {
        "master" => RoleChoice::Master,
        "worker" => RoleChoice::Worker,
        _ => RoleChoice::Auto,
    };
    let mut collected = palisade_node::collect(&args.root, choice)?;
    if args.probe {
        let timeout = crate::daemon::duration("probe-timeout", &args.probe_timeout)?;
        crate::probe_cmd::probe_local(&mut collected, &args.root, timeout)?;
    }
    let resolved =
        palisade_config::resolve(&args.selection.overrides()).map_err(crate::config::error)?;
    let checked = check(
        &collected,
        resolved.settings.clone(),
        args.selection.select.is_empty(),
    )?;
    if args.format == "kube-bench-json" {
        let metas: Vec<&palisade_diagnostics::RuleMeta> =
            checked.rules.iter().map(|r| &**r).collect();
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        palisade_report::kube_bench::write_kube_bench_json(
            &mut out,
            &metas,
            &checked.findings,
            &checked.evaluated,
            collected.role == Some(palisade_node::Role::Master),
        )?;
        std::io::Write::flush(&mut out)?;
        let fail_on = palisade_config::parse_fail_on(&args.fail_on)
            .map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?;
        let failing = checked
            .findings
            .iter()
            .any(|f| !f.suppressed && fail_on.threshold().is_some_and(|t| f.severity >= t));
        return Ok(if !checked.errors.is_empty() {
            crate::EXIT_ERROR
        } else if failing {
            crate::EXIT_FINDINGS
        } else {
            crate::EXIT_CLEAN
        });
    }
    let (findings, errors) = (checked.findings, checked.errors);
    let read = Summary {
        files: collected.documents.len() + collected.facts.files.len(),
        ..Summary::default()
    };
    crate::rbac_cmd::render_findings(
        findings,
        errors,
        read,
        &args.format,
        &args.fail_on,
        None,
        &collected.notes,
    )
}

/// What the checks of a node found.
pub struct NodeChecked {
    /// Findings of the node rules and of the component rules.
    pub findings: Vec<Finding>,
    /// Configurations that did not parse.
    pub errors: Vec<InputError>,
    /// Ids of the rules that found what they apply to.
    pub evaluated: BTreeSet<ArcStr>,
    /// The rules that ran (in the node's families unless the selection said otherwise).
    pub rules: Vec<RuleRef>,
}

/// Run the node rules on the facts and the component rules on the configurations; with
/// `families_only`, only the node's rule families count.
pub fn check(
    collected: &Collected,
    mut settings: palisade_engine::Settings,
    families_only: bool,
) -> Result<NodeChecked> {
    let in_families = |id: &str| !families_only || NODE_FAMILIES.iter().any(|p| id.starts_with(p));
    settings.input = Input::Node;
    let node_rules = RuleSet::new(palisade_rules::registry(), settings.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let report = node_rules.scan_node(&collected.facts);
    let mut findings = report.findings;
    let mut evaluated: BTreeSet<ArcStr> = report.evaluated.into_iter().collect();
    settings.input = Input::Manifest;
    let document_rules =
        RuleSet::new(palisade_rules::registry(), settings).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut errors = Vec::new();
    let mut strings = Interner::default();
    for document in &collected.documents {
        for doc in
            palisade_source::parse_stream(&document.text, &palisade_source::Limits::default())
        {
            match doc {
                Ok(doc) => {
                    let report = document_rules.scan_document(&doc, &document.path, &mut strings);
                    findings.extend(report.findings);
                    evaluated.extend(report.evaluated);
                }
                Err(e) => errors.push(InputError {
                    path: document.path.clone(),
                    line: None,
                    column: None,
                    message: e.to_string(),
                }),
            }
        }
    }
    findings.retain(|f| in_families(&f.rule.id));
    let rules = node_rules
        .enabled()
        .iter()
        .chain(document_rules.enabled())
        .map(|r| r.meta.clone())
        .filter(|m| in_families(&m.id))
        .collect();
    Ok(NodeChecked {
        findings,
        errors,
        evaluated,
        rules,
    })
}
