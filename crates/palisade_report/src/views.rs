//! Views of the cluster model that a report shows beside the findings: the dangerous powers
//! each subject holds with its escalation path (the RBAC model), and NetworkPolicy coverage
//! and connectivity (the NetworkPolicy model). Built once from the models by the front door
//! that has them (`scan`, `cluster scan`, `rbac risks`, `netpol matrix`); the HTML page
//! renders them. Plain data: a renderer never runs an analysis.

use std::collections::BTreeMap;

use palisade_diagnostics::Severity;
use palisade_model::authz::Risk;
use palisade_model::netpol::{Connection, Direction, Matrix, Model, Node, Policy};

use crate::netpol::Names;

/// What a report shows besides its findings.
#[derive(Debug, Clone, Default)]
pub struct Views {
    /// Each dangerous power a subject holds, most dangerous first.
    pub risks: Vec<RiskRow>,
    /// NetworkPolicy coverage and connectivity, one per cluster (or one for files).
    pub networks: Vec<Network>,
    /// The page shows these views alone (`netpol matrix`): no compliance summary and no
    /// findings table, since nothing was judged.
    pub only: bool,
}

impl Views {
    /// Whether there is anything to show.
    pub fn is_empty(&self) -> bool {
        self.risks.is_empty() && self.networks.is_empty()
    }

    /// Add another cluster's views.
    pub fn extend(&mut self, other: Views) {
        self.risks.extend(other.risks);
        self.networks.extend(other.networks);
    }

    /// Name the cluster every view came from (a multi-cluster report tells them apart).
    pub fn in_cluster(mut self, cluster: &str) -> Views {
        for r in &mut self.risks {
            r.cluster = cluster.to_string();
        }
        for n in &mut self.networks {
            n.cluster = cluster.to_string();
        }
        self
    }
}

/// One dangerous power one subject holds through one binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskRow {
    /// The cluster (empty for files).
    pub cluster: String,
    /// `ServiceAccount ns/name`, `User alice`, `Group system:masters`.
    pub subject: String,
    /// What the power lets its holder do.
    pub power: String,
    /// How severe the rule that reports the power is.
    pub severity: Severity,
    /// The namespace it applies in; empty for cluster-wide.
    pub namespace: String,
    /// The verb and resource that confer it (`create pods`).
    pub grant: String,
    /// `RoleBinding/ns/name → Role/ns/name`.
    pub via: String,
    /// The escalation path, one step each.
    pub steps: Vec<String>,
    /// Workloads whose pods run as the subject and so hold the power.
    pub held_by: Vec<String>,
}

impl RiskRow {
    /// A row of the RBAC model's risk; `severity` is that of the rule reporting its power.
    pub fn of(risk: &Risk, severity: Severity) -> RiskRow {
        RiskRow {
            cluster: String::new(),
            subject: risk.subject.display(),
            power: risk.power.describe().to_string(),
            severity,
            namespace: risk.namespace.clone().unwrap_or_default(),
            grant: format!("{} {}", risk.grant.0, risk.grant.1),
            via: format!("{} → {}", risk.via.binding, risk.via.role),
            steps: risk.path.split(" → ").map(str::to_string).collect(),
            held_by: risk.held_by.clone(),
        }
    }
}

/// NetworkPolicy coverage of one namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceCoverage {
    /// The namespace.
    pub namespace: String,
    /// Workloads (and bare Pods) in it.
    pub workloads: usize,
    /// Of them, those some policy isolates for incoming connections.
    pub ingress_isolated: usize,
    /// Of them, those some policy isolates for outgoing connections.
    pub egress_isolated: usize,
    /// NetworkPolicies in it.
    pub policies: usize,
}

/// Classes a connectivity grid shows at most; a larger matrix is shown as a list.
pub const GRID_CLASSES: usize = 40;
/// Connections a list shows at most.
pub const LIST_CONNECTIONS: usize = 5_000;

/// NetworkPolicy coverage and connectivity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Network {
    /// The cluster (empty for files).
    pub cluster: String,
    /// Workloads in the model.
    pub workloads: usize,
    /// Classes of pods that policies treat alike.
    pub classes: usize,
    /// Coverage per namespace, by name.
    pub namespaces: Vec<NamespaceCoverage>,
    /// The names of the matrix's ends: classes (by their first workload) and address ranges.
    pub ends: Vec<String>,
    /// Allowed connections as (from, to, ports), indexes into `ends`; the first
    /// [`LIST_CONNECTIONS`].
    pub connections: Vec<(usize, usize, String)>,
    /// Allowed connections in all.
    pub total_connections: usize,
    /// Whether `ends` are all classes, few enough for a grid ([`GRID_CLASSES`]).
    pub grid: bool,
}

impl Network {
    /// The coverage and connectivity of a model, with its matrix and the connections to show
    /// (all of the matrix's, or those a filter leaves).
    pub fn of(model: &Model, matrix: &Matrix, connections: &[&Connection]) -> Network {
        let mut namespaces: BTreeMap<&str, NamespaceCoverage> = BTreeMap::new();
        let entry = |ns: &str| NamespaceCoverage {
            namespace: ns.to_string(),
            workloads: 0,
            ingress_isolated: 0,
            egress_isolated: 0,
            policies: 0,
        };
        // Policies by namespace: a pod is isolated only by those of its own.
        let mut by_namespace: BTreeMap<&str, Vec<&Policy>> = BTreeMap::new();
        for policy in &model.policies {
            by_namespace
                .entry(&policy.namespace)
                .or_default()
                .push(policy);
            namespaces
                .entry(&policy.namespace)
                .or_insert_with(|| entry(&policy.namespace))
                .policies += 1;
        }
        for pod in &model.pods {
            let isolated = |direction: Direction| {
                by_namespace.get(pod.namespace.as_str()).is_some_and(|ps| {
                    ps.iter()
                        .any(|p| p.rules(direction).is_some() && p.selector.matches(&pod.labels))
                })
            };
            let c = namespaces
                .entry(&pod.namespace)
                .or_insert_with(|| entry(&pod.namespace));
            c.workloads += 1;
            c.ingress_isolated += usize::from(isolated(Direction::Ingress));
            c.egress_isolated += usize::from(isolated(Direction::Egress));
        }
        let names = Names { model, matrix };
        let mut ends: Vec<String> = Vec::new();
        let mut index: BTreeMap<Node, usize> = BTreeMap::new();
        let mut at = |node: Node, ends: &mut Vec<String>| {
            *index.entry(node).or_insert_with(|| {
                ends.push(names.node(node));
                ends.len() - 1
            })
        };
        let grid = matrix.classes.len() <= GRID_CLASSES
            && connections
                .iter()
                .all(|c| matches!((c.from, c.to), (Node::Class(_), Node::Class(_))));
        if grid {
            for c in 0..matrix.classes.len() {
                at(Node::Class(c), &mut ends);
            }
        }
        let total_connections = connections.len();
        let connections = connections
            .iter()
            .take(LIST_CONNECTIONS)
            .map(|c| {
                (
                    at(c.from, &mut ends),
                    at(c.to, &mut ends),
                    c.ports.to_string(),
                )
            })
            .collect();
        Network {
            cluster: String::new(),
            workloads: model.pods.len(),
            classes: matrix.classes.len(),
            namespaces: namespaces.into_values().collect(),
            ends,
            connections,
            total_connections,
            grid,
        }
    }
}
