//! A scan under the project's governance: waivers (expired and unused ones reported), the
//! baseline, the reporting threshold, overlay copies folded, and the chosen order.

use std::path::PathBuf;

use palisade_config::{ConfigError, Resolved, today};
use palisade_engine::RuleSet;
use palisade_inputs::render::merge_overlays;

use crate::baseline::{BaselineError, BaselineMatch, apply_baseline};
use crate::options::ScanOptions;
use crate::outcome::ScanOutcome;
use crate::pipeline::scan_paths;

/// What stops a governed scan (input errors do not: they are in the outcome).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The configuration cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The baseline cannot be used.
    #[error(transparent)]
    Baseline(#[from] BaselineError),
}

/// Scan, then apply waivers (reporting expired and unused ones) and the baseline.
pub fn scan_governed(
    paths: &[PathBuf],
    rules: &RuleSet,
    opts: &ScanOptions,
    resolved: &Resolved,
) -> Result<ScanOutcome, ScanError> {
    let outcome = scan_paths(paths, rules, opts);
    govern(outcome, rules, opts.render.namespace.as_deref(), resolved)
}

/// Apply the project's governance to an outcome of any front door that reads a set of
/// objects (files, a snapshot, a live cluster): waivers (reporting expired and unused ones),
/// the baseline (fingerprints place objects without a namespace in `namespace`, default
/// `default`), the reporting threshold, overlay folding and the chosen order.
pub fn govern(
    mut outcome: ScanOutcome,
    rules: &RuleSet,
    namespace: Option<&str>,
    resolved: &Resolved,
) -> Result<ScanOutcome, ScanError> {
    outcome.notes.extend(resolved.notes.iter().cloned());
    let problems = palisade_engine::apply_waivers(
        &mut outcome.findings,
        &resolved.waivers,
        today()?,
        &resolved.project,
        &|sel| rules.enabled().iter().any(|r| sel.matches(r)),
    );
    let mut waiver_findings =
        palisade_rules::pal::waiver_findings(&problems, &resolved.waivers, rules.enabled());
    outcome.findings.append(&mut waiver_findings);
    if let Some(baseline) = &resolved.baseline {
        let namespace = namespace.unwrap_or("default");
        let matching = apply_baseline(
            &mut outcome.findings,
            baseline,
            &resolved.project,
            namespace,
        )?;
        let how = match matching {
            BaselineMatch::Subject => None,
            BaselineMatch::ProjectFile => Some(
                "records the file of each finding, so it does not match the same objects read from elsewhere (a snapshot, another file)",
            ),
            BaselineMatch::FileAsWritten => Some(
                "records paths as written on the command line, so it matches only from the directory it was written in",
            ),
        };
        if let Some(how) = how {
            outcome.notes.push(format!(
                "baseline {} {how}; write it again to match the same objects wherever they are read",
                baseline.display()
            ));
        }
    }
    // Every finding below the reporting threshold goes, Palisade's own (PAL) included: rules
    // drop theirs as they run, the limit, parse and waiver findings are made outside rules.
    if let Some(min) = resolved.settings.min_severity {
        outcome.findings.retain(|f| f.severity >= min);
    }
    // Folded last: waivers (a namespace, an object name) and baselines (a fingerprint with the
    // object) match each overlay's own copy, so what they suppress does not depend on whether
    // the overlay was scanned alone or with its base; copies fold only when equally suppressed.
    outcome.folded = merge_overlays(&mut outcome.findings);
    outcome.count();
    if resolved.sort != palisade_report::SortOrder::Path {
        palisade_report::sort_findings(&mut outcome.findings, resolved.sort);
    }
    Ok(outcome)
}
