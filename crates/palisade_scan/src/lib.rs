//! The scan pipeline every front door runs: sources (files, standard input, rendered charts
//! and overlays) -> documents, in parallel -> the engine -> cross-object rules -> a governed
//! (waivers, baseline, threshold), sorted [`ScanOutcome`]. Also: [`collect`] for the front
//! doors that analyse a whole set of objects, [`Checker`] for one in-memory object with no
//! filesystem (admission), and [`fix`] planning.
//!
//! It reads files but never prints: progress goes to a [`Progress`] the front door passes in,
//! and errors are typed.
#![deny(missing_docs)]

mod baseline;
mod check;
mod collect;
pub mod fix;
mod governed;
mod objects;
mod options;
mod outcome;
mod pipeline;
mod policies;
pub mod posture;
mod views;

pub use baseline::{
    BASELINE_VERSION, Baseline, BaselineEntry, BaselineError, BaselineMatch, apply_baseline,
    subject_namespace, write_baseline,
};
pub use check::{CheckError, CheckFailure, Checked, Checker, check_object};
pub use collect::{Collected, collect, collect_index};
pub use governed::{ScanError, govern, scan_governed};
pub use objects::{ClusterObjects, place_in_clusters, scan_objects};
pub use options::{Progress, ScanOptions, ScanRequest, Tick};
pub use outcome::{ScanOutcome, mask_messages};
pub use pipeline::{Inputs, inputs, scan_paths, source_of};
pub use policies::{
    bind_policies, bind_policies_to_objects, load_policies, policy_errors, rule_set,
};
pub use views::{network_view, views_of};
