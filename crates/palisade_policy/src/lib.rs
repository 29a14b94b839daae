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
pub mod kyverno;
pub mod load;
pub mod policy;
pub mod resources;
pub mod review;
pub mod set;
pub mod suite;
pub mod vap;

pub use data::ClusterData;
pub use error::PolicyError;
pub use policy::{Action, Policy, Prepared, SharedPolicy, Verdict, Violation};
pub use review::Review;
pub use set::{LoadOptions, PolicySet};

/// JSON to a Rego value, without copying the JSON first.
pub(crate) fn rego_value(json: &serde_json::Value) -> regorus::Value {
    use serde_json::Value as J;
    match json {
        J::Null => regorus::Value::Null,
        J::Bool(b) => regorus::Value::Bool(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => regorus::Value::from(i),
            (None, Some(u), _) => regorus::Value::from(u),
            (_, _, Some(f)) => regorus::Value::from(f),
            _ => regorus::Value::Null,
        },
        J::String(s) => regorus::Value::from(s.as_str()),
        J::Array(items) => regorus::Value::from(items.iter().map(rego_value).collect::<Vec<_>>()),
        J::Object(map) => {
            let mut out = regorus::Value::new_object();
            if let Ok(o) = out.as_object_mut() {
                for (k, v) in map {
                    o.insert(regorus::Value::from(k.as_str()), rego_value(v));
                }
            }
            out
        }
    }
}
