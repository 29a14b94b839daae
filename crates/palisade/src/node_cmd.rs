//! `palisade node`: the CIS Benchmark's node and control-plane checks from a node's root —
//! file permissions and owners, the components' flags from their processes or static pod
//! manifests, the kubelet's effective configuration — as findings of the one model.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use palisade_diagnostics::{Finding, Input, InputError, Interner, Summary};
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

    /// Output format: text, json, sarif, junit, compact, html.
    #[arg(short, long, default_value = "text", value_name = "FORMAT")]
    format: String,

    /// Exit 1 when a finding is at least this severe: info, low (default), medium, high,
    /// critical, or never.
    #[arg(long, default_value = "low", value_name = "SEVERITY")]
    fail_on: String,

    #[command(flatten)]
    selection: crate::cli::SelectionArgs,
}

/// Run `palisade node`.
pub fn command(args: &NodeArgs) -> Result<u8> {
    let choice = match args.role.as_str() {
        "master" => RoleChoice::Master,
        "worker" => RoleChoice::Worker,
        _ => RoleChoice::Auto,
    };
    let collected = palisade_node::collect(&args.root, choice)?;
    let resolved =
        palisade_config::resolve(&args.selection.overrides()).map_err(crate::config::error)?;
    let (findings, errors) = check(
        &collected,
        resolved.settings.clone(),
        args.selection.select.is_empty(),
    )?;
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

/// The findings of the node rules on the facts, and of the component rules on the
/// configurations; with `families_only`, only the node's rule families.
pub fn check(
    collected: &Collected,
    mut settings: palisade_engine::Settings,
    families_only: bool,
) -> Result<(Vec<Finding>, Vec<InputError>)> {
    settings.input = Input::Node;
    let node_rules = RuleSet::new(palisade_rules::registry(), settings.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut findings = node_rules.scan_node(&collected.facts).findings;
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
                Ok(doc) => findings.extend(
                    document_rules
                        .scan_document(&doc, &document.path, &mut strings)
                        .findings,
                ),
                Err(e) => errors.push(InputError {
                    path: document.path.clone(),
                    line: None,
                    column: None,
                    message: e.to_string(),
                }),
            }
        }
    }
    if families_only {
        findings.retain(|f| NODE_FAMILIES.iter().any(|p| f.rule.id.starts_with(p)));
    }
    Ok((findings, errors))
}
