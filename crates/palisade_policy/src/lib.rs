//! Policies a team already has, run as Palisade rules: OPA Gatekeeper `ConstraintTemplate`s
//! and their constraints (Rego through regorus, CEL through cel), Kubernetes
//! `ValidatingAdmissionPolicy` with its bindings and params, and Kyverno `ValidatingPolicy`
//! (with its pod-controller rules). Each policy compiles once and becomes a rule of the one
//! engine, so `scan` and `admission serve` give the same verdicts; the same compiled policies
//! run Gatekeeper suites and Kyverno tests (`palisade policy test`).
//!
//! It reads the policy files it is pointed at and never prints.
#![deny(missing_docs)]

pub mod cel;
pub mod data;
pub mod error;
pub mod gatekeeper;
pub mod hints;
pub mod load;
pub mod policy;
pub mod review;
pub mod set;
pub mod suite;

pub use data::ClusterData;
pub use error::PolicyError;
pub use policy::{Action, Policy, Prepared, SharedPolicy, Verdict, Violation};
pub use review::Review;
pub use set::{LoadOptions, PolicySet};
