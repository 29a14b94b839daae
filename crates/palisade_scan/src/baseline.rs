//! Baselines: the fingerprints of the findings accepted at one point in time, suppressed in
//! later scans.

use std::path::{Path, PathBuf};

use palisade_diagnostics::{FindingList, ProjectPaths};

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

/// The baseline format written today: paths and fingerprints relative to the project.
pub const BASELINE_VERSION: u32 = 2;

/// Suppress findings whose fingerprint is in the baseline file. Version 2 baselines hold
/// fingerprints of paths relative to the project (see [`ProjectPaths`]), so they match from
/// any working directory; version 1 ones, of paths as written on the command line, are still
/// read: `true` says the baseline is one of those.
pub fn apply_baseline(
    findings: &mut FindingList,
    path: &Path,
    project: &ProjectPaths,
) -> Result<bool, BaselineError> {
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
    let legacy = baseline.version < 2;
    let reason = palisade_diagnostics::ArcStr::from(format!("baseline {}", path.display()));
    findings.update(
        |f| !f.suppressed,
        |f| {
            let fingerprint = if legacy {
                f.fingerprint()
            } else {
                f.fingerprint_at(&project.key(&f.location.path))
            };
            if known.contains(fingerprint.as_str()) {
                f.suppressed = true;
                f.suppression_reason = Some(reason.clone());
            }
        },
    );
    Ok(legacy)
}

/// A baseline: the fingerprints of the findings accepted at one point in time.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    /// Format version ([`BASELINE_VERSION`]).
    pub version: u32,
    /// One entry per accepted finding.
    pub findings: Vec<BaselineEntry>,
}

/// One accepted finding; `rule` and `path` are there for readers, matching uses the fingerprint.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    /// Rule id.
    pub rule: String,
    /// The file, relative to the project (the directory of palisade.toml, or the scan root).
    pub path: String,
    /// [`Finding::fingerprint_at`] the project-relative path.
    pub fingerprint: String,
}

/// Write the unsuppressed findings as a baseline, with paths relative to the project so that
/// it matches from any working directory.
pub fn write_baseline(
    outcome: &ScanOutcome,
    path: &Path,
    project: &ProjectPaths,
) -> Result<(), BaselineError> {
    let baseline = Baseline {
        version: BASELINE_VERSION,
        findings: outcome
            .findings
            .iter()
            .chain(outcome.folded.iter().cloned())
            .filter(|f| !f.suppressed)
            .map(|f| {
                let key = project.key(&f.location.path);
                BaselineEntry {
                    rule: f.rule.id.to_string(),
                    fingerprint: f.fingerprint_at(&key),
                    path: key.into_owned(),
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
