//! The views of the cluster model a report shows beside the findings, built from the models
//! a scan (or `rbac risks`, `netpol matrix`) already has: one place, so that every front door
//! shows the same risk paths and coverage.

use palisade_model::authz::RbacGraph;
use palisade_model::netpol::{Connection, Model};
use palisade_report::views::{Network, RiskRow, Views};

/// The RBAC risk paths of `rbac` (each power with the severity of the rule that reports it)
/// and the NetworkPolicy coverage and connectivity of `network` (none when it has neither
/// workloads nor policies).
pub fn views_of(rbac: &RbacGraph, network: &Model) -> Views {
    let risks = rbac
        .risks()
        .iter()
        .map(|r| RiskRow::of(r, palisade_rules::rbac::rule_for(r.power).severity))
        .collect();
    let networks = if network.pods.is_empty() && network.policies.is_empty() {
        Vec::new()
    } else {
        let matrix = network.matrix();
        let connections: Vec<&Connection> = matrix.connections.iter().collect();
        vec![Network::of(network, &matrix, &connections)]
    };
    Views {
        risks,
        networks,
        only: false,
    }
}

/// The coverage and connectivity of `model` alone, for `netpol matrix` (its connections
/// limited to `connections`, as the command's namespace filter leaves them).
pub fn network_view(
    model: &Model,
    matrix: &palisade_model::netpol::Matrix,
    connections: &[&Connection],
) -> Views {
    Views {
        risks: Vec::new(),
        networks: vec![Network::of(model, matrix, connections)],
        only: true,
    }
}
