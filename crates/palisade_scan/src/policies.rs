//! The policies a configuration names (Gatekeeper, ValidatingAdmissionPolicy, Kyverno), as
//! rules of the scan's one rule set.

use std::path::PathBuf;
use std::sync::Arc;

use palisade_config::Resolved;
use palisade_diagnostics::InputError;
use palisade_engine::{RuleHandle, RuleSet, SelectionError};
use palisade_policy::{ClusterData, LoadOptions, PolicySet};

use palisade_model::objects_in;
use palisade_source::{Limits, map_documents};

use crate::collect::collect;

/// Load the configured policies. Errors (a template that does not compile, a constraint of an
/// unknown kind) are kept in the set; every policy that compiles loads.
pub fn load_policies(resolved: &Resolved) -> PolicySet {
    if resolved.policies.paths.is_empty() {
        return PolicySet::default();
    }
    PolicySet::load(
        &resolved.policies.paths,
        LoadOptions {
            engines: resolved.policies.engine,
            severities: resolved.policies.severities.clone(),
            ..LoadOptions::default()
        },
    )
}

/// Bind the policies to the objects under `paths` when some policy reads other objects than
/// the one it judges (Gatekeeper's `data.inventory`, namespace selectors, Kyverno's lookups):
/// the inputs are read once more, first, to index them. Standard input (`-`) is indexed from
/// `stdin_text`, which the caller read first: a stream can be read only once.
pub fn bind_policies(
    policies: &PolicySet,
    paths: &[PathBuf],
    render: bool,
    resolved: &Resolved,
    stdin_text: Option<&str>,
) -> PolicySet {
    if !policies.needs_data() {
        return policies.clone();
    }
    let files: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut objects = Vec::new();
    if !files.is_empty() {
        let collected = collect(
            &files,
            render,
            &resolved.input,
            crate::Progress::default(),
            |objects: &mut Vec<serde_json::Value>, object, _, _| {
                objects.push((*object.json()).clone())
            },
            |a, mut b| a.append(&mut b),
        );
        objects = collected.model;
    }
    if let Some(text) = stdin_text {
        for doc in map_documents(text, &Limits::default(), |d| d)
            .into_iter()
            .flatten()
        {
            objects.extend(objects_in(&doc).objects.iter().map(|o| (*o.json()).clone()));
        }
    }
    policies.with_data(Arc::new(ClusterData::new(objects)))
}

/// Bind the policies to the objects of a live cluster (compact JSON text), when some policy
/// reads other objects than the one it judges.
pub fn bind_policies_to_objects(policies: &PolicySet, objects: &[String]) -> PolicySet {
    if !policies.needs_data() {
        return policies.clone();
    }
    let values: Vec<serde_json::Value> = objects
        .iter()
        .filter_map(|o| serde_json::from_str::<serde_json::Value>(o).ok())
        .collect();
    policies.with_data(Arc::new(ClusterData::new(values)))
}

/// The rule set of a scan: the built-in rules and the loaded policies. When a report is
/// HTML, the set keeps the records the page's views of the cluster model need (objects
/// without a namespace in `default`; a front door with `-n` asks again with its namespace).
pub fn rule_set(resolved: &Resolved, policies: &PolicySet) -> Result<RuleSet, SelectionError> {
    let builtin = palisade_rules::registry()
        .iter()
        .map(|&r| RuleHandle::Builtin(r));
    let rules = RuleSet::with_rules(builtin.chain(policies.rules()), resolved.settings.clone())?;
    let html = (resolved.outputs.iter()).any(|o| o.format == palisade_report::Format::Html);
    Ok(if html { rules.keep_views(None) } else { rules })
}

/// The errors met loading policies, as input errors of the run.
pub fn policy_errors(policies: &PolicySet) -> Vec<InputError> {
    policies
        .errors()
        .iter()
        .map(|e| InputError {
            path: e.path.clone(),
            line: e.line,
            column: None,
            message: e.message.clone(),
        })
        .collect()
}
