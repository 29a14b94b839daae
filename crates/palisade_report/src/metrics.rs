//! Prometheus metrics of cluster scans (`palisade cluster watch` serves them on `/metrics`):
//! findings by severity and layer, by rule and by namespace, compliance per framework, what
//! was read and what could not be, and how the scans went. Gauges describe the latest scan of
//! each cluster; counters count every scan since the process started.

use std::sync::atomic::AtomicU64;

use palisade_diagnostics::{ArcStr, FindingList, RuleRef, Subject};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// What one cluster's latest scan gives the metrics.
#[derive(Debug, Clone, Copy)]
pub struct ClusterMetrics<'a> {
    /// The cluster (the kubeconfig context).
    pub cluster: &'a str,
    /// Findings of the latest successful scan (suppressed ones are not counted).
    pub findings: &'a FindingList,
    /// The rules that ran, and those that found something to evaluate (for compliance).
    pub rules: &'a [RuleRef],
    /// The rules that found objects they apply to.
    pub evaluated: &'a std::collections::BTreeSet<ArcStr>,
    /// Objects scanned.
    pub objects: usize,
    /// Resources not read: (`deployments.apps`, `forbidden` or `failed`).
    pub unread: &'a [(String, String)],
    /// How long the latest scan took.
    pub duration_seconds: f64,
    /// When the latest successful scan finished (Unix seconds), if any did.
    pub last_success: Option<f64>,
    /// Scans that succeeded and that failed since the start.
    pub scans: (u64, u64),
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Findings {
    cluster: String,
    severity: &'static str,
    layer: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RuleFindings {
    cluster: String,
    rule: String,
    severity: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct NamespaceFindings {
    cluster: String,
    namespace: String,
    severity: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Framework {
    cluster: String,
    framework: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Cluster {
    cluster: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Unread {
    cluster: String,
    resource: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Scans {
    cluster: String,
    result: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The metrics of every cluster, in the Prometheus text format.
pub fn encode(clusters: &[ClusterMetrics<'_>]) -> String {
    let mut registry = Registry::with_prefix("palisade");
    let findings = Family::<Findings, Gauge>::default();
    let by_rule = Family::<RuleFindings, Gauge>::default();
    let by_namespace = Family::<NamespaceFindings, Gauge>::default();
    let compliance = Family::<Framework, FloatGauge>::default();
    let objects = Family::<Cluster, Gauge>::default();
    let unread = Family::<Unread, Gauge>::default();
    let duration = Family::<Cluster, FloatGauge>::default();
    let last_success = Family::<Cluster, FloatGauge>::default();
    let scans = Family::<Scans, Counter>::default();
    for c in clusters {
        let cluster = c.cluster.to_string();
        for f in c.findings.refs().filter(|f| !f.suppressed && !f.superseded) {
            let severity = f.severity.as_str();
            findings
                .get_or_create(&Findings {
                    cluster: cluster.clone(),
                    severity,
                    layer: f.rule.layer.as_str(),
                })
                .inc();
            by_rule
                .get_or_create(&RuleFindings {
                    cluster: cluster.clone(),
                    rule: f.rule.id.to_string(),
                    severity,
                })
                .inc();
            let namespace = match f.subject {
                Subject::Object(o) => o.namespace.as_deref().unwrap_or(""),
                _ => "",
            };
            by_namespace
                .get_or_create(&NamespaceFindings {
                    cluster: cluster.clone(),
                    namespace: namespace.to_string(),
                    severity,
                })
                .inc();
        }
        let summary = crate::compliance::compliance(c.findings, c.rules, c.evaluated);
        for fw in &summary.frameworks {
            compliance
                .get_or_create(&Framework {
                    cluster: cluster.clone(),
                    framework: fw.framework,
                })
                .set(fw.score / 100.0);
        }
        let key = Cluster {
            cluster: cluster.clone(),
        };
        objects
            .get_or_create(&key)
            .set(i64::try_from(c.objects).unwrap_or(i64::MAX));
        for (resource, state) in c.unread {
            unread
                .get_or_create(&Unread {
                    cluster: cluster.clone(),
                    resource: resource.clone(),
                    state: state.clone(),
                })
                .set(1);
        }
        duration.get_or_create(&key).set(c.duration_seconds);
        if let Some(t) = c.last_success {
            last_success.get_or_create(&key).set(t);
        }
        for (result, n) in [("success", c.scans.0), ("failure", c.scans.1)] {
            scans
                .get_or_create(&Scans {
                    cluster: cluster.clone(),
                    result,
                })
                .inc_by(n);
        }
    }
    registry.register(
        "findings",
        "Unsuppressed findings of the latest scan, by severity and 4C layer",
        findings,
    );
    registry.register(
        "rule_findings",
        "Unsuppressed findings of the latest scan, by rule",
        by_rule,
    );
    registry.register(
        "namespace_findings",
        "Unsuppressed findings of the latest scan, by namespace (empty: cluster-scoped)",
        by_namespace,
    );
    registry.register(
        "compliance_ratio",
        "Passed controls as a share of evaluated controls, per framework",
        compliance,
    );
    registry.register("objects", "Objects the latest scan evaluated", objects);
    registry.register(
        "unread_resources",
        "Resources the latest scan could not list (forbidden or failed)",
        unread,
    );
    registry.register(
        "scan_duration_seconds",
        "How long the latest scan took, listing included",
        duration,
    );
    registry.register(
        "last_success_timestamp_seconds",
        "When the latest successful scan finished (Unix time)",
        last_success,
    );
    registry.register("scans", "Scans since the start, by result", scans);
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
    text
}

/// Unread resources of a fleet summary's cluster, for [`ClusterMetrics::unread`].
pub fn unread_of(c: &crate::fleet::ClusterSummary) -> Vec<(String, String)> {
    c.unread()
        .map(|r| (r.resource.clone(), r.state.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_diagnostics::{Finding, Location, ObjectRef, Severity};

    /// Metrics of one cluster with findings, for the tests.
    fn sample_text() -> String {
        let mut list = FindingList::new();
        let object = ObjectRef {
            kind: "Pod".into(),
            namespace: Some("shop".into()),
            name: Some("p".into()),
            ..ObjectRef::default()
        };
        list.push(&Finding::new(
            RuleRef::of(&crate::tests::PRIVILEGED),
            object,
            Location::unplaced("/spec"),
            "m",
        ));
        let rules = [RuleRef::of(&crate::tests::PRIVILEGED)];
        let evaluated = ["PSS003"].into_iter().map(ArcStr::from).collect();
        let unread = [("secrets".to_string(), "forbidden".to_string())];
        encode(&[ClusterMetrics {
            cluster: "prod",
            findings: &list,
            rules: &rules,
            evaluated: &evaluated,
            objects: 1,
            unread: &unread,
            duration_seconds: 1.0,
            last_success: Some(1.0),
            scans: (1, 1),
        }])
    }

    /// The dashboard in `deploy/grafana` queries only metrics Palisade serves, through its
    /// data source variable.
    #[test]
    fn the_grafana_dashboard_queries_only_served_metrics() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../deploy/grafana/palisade.json");
        let dashboard: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let served: std::collections::BTreeSet<String> = sample_text()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split(['{', ' ']).next())
            .map(str::to_string)
            .collect();
        let metric = regex::Regex::new(r"palisade_[a-z_]+").unwrap();
        let panels = dashboard["panels"].as_array().unwrap();
        assert!(panels.len() >= 8);
        let mut ids = std::collections::BTreeSet::new();
        let mut queried = 0;
        for panel in panels {
            assert!(
                ids.insert(panel["id"].as_u64().unwrap()),
                "panel ids are unique"
            );
            assert_eq!(panel["datasource"]["uid"], "${datasource}");
            for target in panel["targets"].as_array().unwrap() {
                let expr = target["expr"].as_str().unwrap();
                for m in metric.find_iter(expr) {
                    assert!(
                        served.contains(m.as_str()),
                        "{} is not served:\n{served:?}",
                        m.as_str()
                    );
                    queried += 1;
                }
            }
        }
        assert!(queried >= 10);
        let variables = dashboard["templating"]["list"].to_string();
        assert!(variables.contains("label_values(palisade_objects, cluster)"));
    }

    #[test]
    fn metrics_count_findings_and_scans_per_cluster() {
        let mut list = FindingList::new();
        for (ns, sev) in [
            ("shop", Severity::Critical),
            ("shop", Severity::Low),
            ("pay", Severity::Low),
        ] {
            let object = ObjectRef {
                kind: "Pod".into(),
                namespace: Some(ns.into()),
                name: Some("p".into()),
                ..ObjectRef::default()
            };
            let mut f = Finding::new(
                RuleRef::of(&crate::tests::PRIVILEGED),
                object,
                Location::unplaced("/spec"),
                "m",
            );
            f.severity = sev;
            list.push(&f);
        }
        let rules = [RuleRef::of(&crate::tests::PRIVILEGED)];
        let evaluated = ["PSS003"].into_iter().map(ArcStr::from).collect();
        let unread = [("secrets".to_string(), "forbidden".to_string())];
        let text = encode(&[ClusterMetrics {
            cluster: "prod",
            findings: &list,
            rules: &rules,
            evaluated: &evaluated,
            objects: 12,
            unread: &unread,
            duration_seconds: 1.5,
            last_success: Some(1_700_000_000.0),
            scans: (3, 1),
        }]);
        for line in [
            "palisade_findings{cluster=\"prod\",severity=\"critical\",layer=\"container\"} 1",
            "palisade_findings{cluster=\"prod\",severity=\"low\",layer=\"container\"} 2",
            "palisade_namespace_findings{cluster=\"prod\",namespace=\"shop\",severity=\"low\"} 1",
            "palisade_rule_findings{cluster=\"prod\",rule=\"PSS003\",severity=\"critical\"} 1",
            "palisade_objects{cluster=\"prod\"} 12",
            "palisade_unread_resources{cluster=\"prod\",resource=\"secrets\",state=\"forbidden\"} 1",
            "palisade_scans_total{cluster=\"prod\",result=\"success\"} 3",
            "palisade_scans_total{cluster=\"prod\",result=\"failure\"} 1",
            "palisade_scan_duration_seconds{cluster=\"prod\"} 1.5",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
        assert!(text.contains("# HELP palisade_compliance_ratio"));
        assert!(
            text.contains("palisade_compliance_ratio{cluster=\"prod\",framework=\"cis\"} 0"),
            "{text}"
        );
        assert!(text.trim_end().ends_with("# EOF"));
    }
}
