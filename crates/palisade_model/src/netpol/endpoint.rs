//! Naming an end of a connection: a workload or Pod by name, or an address.

use super::{Endpoint, Model};

/// A name that does not pick exactly one workload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Nothing has that name.
    #[error("no workload or Pod `{0}` in the input (use NAMESPACE/NAME or an IP address)")]
    Unknown(String),
    /// Several objects have it.
    #[error("`{name}` names several objects: {}; use Kind/NAMESPACE/NAME", candidates.join(", "))]
    Ambiguous {
        /// The name as qualified.
        name: String,
        /// `Kind/namespace/name` of each.
        candidates: Vec<String>,
    },
}

impl Model {
    /// The endpoint `spec` names: `NAME` (in `default_namespace`), `NS/NAME`,
    /// `Kind/NS/NAME` or an IP address. A Pod or ReplicaSet that folded into its controller
    /// names the controller.
    pub fn endpoint(&self, spec: &str, default_namespace: &str) -> Result<Endpoint, EndpointError> {
        if let Ok(ip) = spec.parse() {
            return Ok(Endpoint::Ip(ip));
        }
        let spec = if spec.contains('/') {
            spec.to_string()
        } else {
            format!("{default_namespace}/{spec}")
        };
        let named = |display: &str| {
            display == spec
                || display
                    .split_once('/')
                    .is_some_and(|(_, rest)| rest == spec)
        };
        let mut matches: Vec<usize> = (self.pods.iter().enumerate())
            .filter(|(_, p)| named(&p.display))
            .map(|(i, _)| i)
            .collect();
        if matches.is_empty() {
            matches.extend(
                self.folded
                    .iter()
                    .filter(|(d, _)| named(d))
                    .map(|(_, &i)| i),
            );
            matches.sort_unstable();
            matches.dedup();
        }
        match matches.as_slice() {
            [i] => Ok(Endpoint::Pod(*i)),
            [] => Err(EndpointError::Unknown(spec)),
            many => Err(EndpointError::Ambiguous {
                name: spec,
                candidates: many.iter().map(|i| self.pods[*i].display.clone()).collect(),
            }),
        }
    }
}
