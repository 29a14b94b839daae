//! Baselines: the fingerprints of the findings accepted at one point in time, suppressed in
//! later scans.

use std::path::{Path, PathBuf};

use palisade_diagnostics::{Finding, FindingList, ProjectPaths};

use crate::outcome::ScanOutcome;

/// A baseline that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BaselineError {
    /// The file cannot be read.
    #[error("cannot read baseline {}", path.display())]
    Read {
        /// The baseline.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("{} is not a Palisade baseline", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What the JSON reader says.
        #[source]
        source: serde_json::Error,
    },
    /// A baseline written by a newer Palisade.
    #[error("{} is a version {version} baseline; this Palisade reads versions up to {BASELINE_VERSION}", path.display())]
    Version {
        /// The baseline.
        path: PathBuf,
        /// Its format version.
        version: u32,
    },
    /// The baseline cannot be written.
    #[error("cannot write baseline {}", path.display())]
    Write {
        /// The baseline.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// The baseline format written today: fingerprints of the subject (rule, object, field,
/// container), not of the file.
pub const BASELINE_VERSION: u32 = 3;

/// How an applied baseline matched, by the version that wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaselineMatch {
    /// Version 3: by subject, wherever the object is read from.
    Subject,
    /// Version 2: by file relative to the project as well.
    ProjectFile,
    /// Version 1: by file as written on the command line, so only from the directory it was
    /// written in.
    FileAsWritten,
}

/// The namespace that identifies a finding's object: where `kubectl apply` places it, objects
/// without one going to `default_namespace`. Other subjects have none.
pub fn subject_namespace<'a>(f: &'a Finding, default_namespace: &'a str) -> &'a str {
    match f.subject.object() {
        Some(object) => palisade_model::resources::placed_namespace(
            &object.api_version,
            &object.kind,
            object.namespace.as_deref(),
            default_namespace,
        ),
        None => "",
    }
}

/// Suppress findings whose fingerprint is in the baseline file; objects without a namespace
/// are placed in `default_namespace`. Baselines of versions 1 and 2, whose fingerprints named
/// the file, are still read and matched as they were written; the answer says which.
pub fn apply_baseline(
    findings: &mut FindingList,
    path: &Path,
    project: &ProjectPaths,
    default_namespace: &str,
) -> Result<BaselineMatch, BaselineError> {
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let baseline: Baseline =
        serde_json::from_str(&text).map_err(|source| BaselineError::Format {
            path: path.to_path_buf(),
            source,
        })?;
    if baseline.version > BASELINE_VERSION {
        return Err(BaselineError::Version {
            path: path.to_path_buf(),
            version: baseline.version,
        });
    }
    let known: std::collections::HashSet<&str> = baseline
        .findings
        .iter()
        .map(|f| f.fingerprint.as_str())
        .collect();
    let matching = match baseline.version {
        0 | 1 => BaselineMatch::FileAsWritten,
        2 => BaselineMatch::ProjectFile,
        _ => BaselineMatch::Subject,
    };
    let reason = palisade_diagnostics::ArcStr::from(format!("baseline {}", path.display()));
    findings.update(
        |f| !f.suppressed,
        |f| {
            // Versions 1 and 2 knew only findings in files.
            let path = f.location.path().map_or("", |p| p.as_str());
            let fingerprint = match matching {
                BaselineMatch::Subject => f.fingerprint(subject_namespace(f, default_namespace)),
                BaselineMatch::ProjectFile => f.path_fingerprint(&project.key(path)),
                BaselineMatch::FileAsWritten => f.path_fingerprint(path),
            };
            if known.contains(fingerprint.as_str()) {
                f.suppressed = true;
                f.suppression_reason = Some(reason.clone());
            }
        },
    );
    Ok(matching)
}

/// A baseline: the fingerprints of the findings accepted at one point in time.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// Format version ([`BASELINE_VERSION`]).
    pub version: u32,
    /// One entry per accepted finding.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding; `rule`, `object` and `path` are there for readers, matching uses the
/// fingerprint.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    /// Rule id.
    pub rule: String,
    /// `Kind/namespace/name` of the object, or the name of another subject (version 3 on).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub object: String,
    /// The file it was found in, relative to the project (the directory of palisade.toml, or
    /// the scan root); none for a finding not read from a file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// [`Finding::fingerprint`] of the subject (of the file too, before version 3).
    pub fingerprint: String,
}

/// Write the unsuppressed findings as a baseline of their subjects' fingerprints; objects
/// without a namespace are placed in `default_namespace`.
pub fn write_baseline(
    outcome: &ScanOutcome,
    path: &Path,
    project: &ProjectPaths,
    default_namespace: &str,
) -> Result<(), BaselineError> {
    let baseline = Baseline {
        version: BASELINE_VERSION,
        findings: outcome
            .findings
            .iter()
            .chain(outcome.folded.iter().cloned())
            .filter(|f| !f.suppressed)
            .map(|f| {
                let namespace = subject_namespace(&f, default_namespace);
                BaselineEntry {
                    rule: f.rule.id.to_string(),
                    fingerprint: f.fingerprint(namespace),
                    object: f.subject.display_name(),
                    path: f
                        .location
                        .path()
                        .map(|p| project.key(p).into_owned())
                        .unwrap_or_default(),
                }
            })
            .collect(),
    };
    let write = |source| BaselineError::Write {
        path: path.to_path_buf(),
        source,
    };
    let text = serde_json::to_string_pretty(&baseline)
        .map_err(std::io::Error::from)
        .map_err(write)?;
    std::fs::write(path, text + "\n").map_err(write)
}
