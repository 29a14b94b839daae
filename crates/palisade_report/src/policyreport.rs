//! `--format policyreport` and `--format openreports`: the findings as Kubernetes report
//! resources, which Policy Reporter and other tools read where the ecosystem already looks.
//!
//! One report per namespace (a `PolicyReport` / `Report` in it) and one for everything
//! cluster-scoped (a `ClusterPolicyReport` / `ClusterReport`), not one per resource: a
//! large cluster's reports stay a few objects in etcd. Each result is one finding of one rule
//! on one resource. A report lists at most [`MAX_RESULTS`] results, the most severe first,
//! and stays under [`MAX_BYTES`] (etcd refuses objects over 1.5 MiB, the API server's
//! requests over 3 MiB); its summary counts every finding, and an annotation says how many
//! results were left out. Findings read from several clusters give one set of reports per
//! cluster, named after it. The document is a `v1 List`, which `kubectl apply -f` takes.

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_diagnostics::{Finding, Severity, Subject};
use serde_json::{Value, json};

use crate::Report;

/// Results one report lists at most.
pub const MAX_RESULTS: usize = 1000;
/// The size one report stays under, in bytes of JSON.
pub const MAX_BYTES: usize = 900 * 1024;

/// Which API the reports are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `wgpolicyk8s.io/v1alpha2` `PolicyReport` and `ClusterPolicyReport`.
    PolicyReport,
    /// `openreports.io/v1alpha1` `Report` and `ClusterReport`.
    OpenReports,
}

impl Api {
    fn api_version(self) -> &'static str {
        match self {
            Api::PolicyReport => "wgpolicyk8s.io/v1alpha2",
            Api::OpenReports => "openreports.io/v1alpha1",
        }
    }

    fn kind(self, namespaced: bool) -> &'static str {
        match (self, namespaced) {
            (Api::PolicyReport, true) => "PolicyReport",
            (Api::PolicyReport, false) => "ClusterPolicyReport",
            (Api::OpenReports, true) => "Report",
            (Api::OpenReports, false) => "ClusterReport",
        }
    }
}

/// The label every report Palisade writes carries (and by which stale ones are found).
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "palisade");

/// A report's key: the cluster (when findings name several) and the namespace.
type Key = (Option<String>, Option<String>);

/// The result of one finding.
fn result(f: &Finding, fail_on: Option<Severity>) -> Value {
    let outcome = if f.suppressed {
        "skip"
    } else if fail_on.is_some_and(|min| f.severity >= min) {
        "fail"
    } else {
        "warn"
    };
    let mut properties = BTreeMap::new();
    properties.insert("field".to_string(), f.location.pointer.to_string());
    if let Some(c) = &f.container {
        properties.insert("container".to_string(), c.to_string());
    }
    for fw in f.rule.frameworks.iter() {
        if let Some(id) = fw.id() {
            let entry = properties
                .entry(fw.key().to_string())
                .or_insert_with(String::new);
            if !entry.is_empty() {
                entry.push(',');
            }
            entry.push_str(id);
        }
    }
    if let Some(reason) = &f.suppression_reason {
        properties.insert("suppressed".to_string(), reason.to_string());
    }
    if let Some(span) = &f.location.span {
        properties.insert("file".to_string(), format!("{}:{}", span.path, span.line));
    }
    let mut r = json!({
        "source": "palisade",
        "policy": f.rule.id.as_str(),
        "rule": f.rule.name.as_str(),
        "category": f.rule.layer.as_str(),
        "severity": f.severity.as_str(),
        "result": outcome,
        "scored": true,
        "message": f.message.as_str(),
        "properties": properties,
    });
    if let Subject::Object(o) = &*f.subject {
        let mut resource = json!({"apiVersion": o.api_version.as_str(), "kind": o.kind.as_str()});
        if let Some(ns) = &o.namespace {
            resource["namespace"] = json!(ns.as_str());
        }
        if let Some(name) = &o.name {
            resource["name"] = json!(name.as_str());
        }
        if let Some(uid) = &o.uid {
            resource["uid"] = json!(uid.as_str());
        }
        r["resources"] = json!([resource]);
    }
    r
}

/// The value of the `palisade.dev/cluster` label of a cluster's reports.
pub fn cluster_label(cluster: &str) -> String {
    name_part(cluster)
}

/// A DNS-1123 label of `text` for a report's name.
fn name_part(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    out.truncate(40);
    out.trim_matches('-').to_string()
}

/// One report object from its (most severe first) results.
fn report_object(api: Api, key: &Key, results: &[Value], several_clusters: bool) -> Value {
    let (cluster, namespace) = key;
    let mut summary = BTreeMap::from([
        ("pass", 0),
        ("fail", 0),
        ("warn", 0),
        ("error", 0),
        ("skip", 0),
    ]);
    for r in results {
        if let Some(n) = r["result"].as_str().and_then(|o| summary.get_mut(o)) {
            *n += 1;
        }
    }
    let mut name = "palisade".to_string();
    if several_clusters && let Some(c) = cluster {
        name = format!("palisade-{}", name_part(c));
    }
    let mut labels = json!({MANAGED_BY.0: MANAGED_BY.1});
    if let Some(c) = cluster {
        labels["palisade.dev/cluster"] = json!(name_part(c));
    }
    let mut metadata = json!({"name": name, "labels": labels});
    if let Some(ns) = namespace {
        metadata["namespace"] = json!(ns);
    }
    // The most severe results first, within the caps.
    let mut listed = Vec::new();
    let mut bytes = 0;
    for r in results.iter().take(MAX_RESULTS) {
        let size = r.to_string().len() + 1;
        if bytes + size > MAX_BYTES {
            break;
        }
        bytes += size;
        listed.push(r.clone());
    }
    if listed.len() < results.len() {
        metadata["annotations"] = json!({
            "palisade.dev/results-omitted": (results.len() - listed.len()).to_string(),
        });
    }
    let mut object = json!({
        "apiVersion": api.api_version(),
        "kind": api.kind(namespace.is_some()),
        "metadata": metadata,
        "summary": summary,
        "results": listed,
    });
    if api == Api::OpenReports {
        object["source"] = json!("palisade");
    }
    object
}

/// The report objects of the visible findings.
pub fn objects(report: &Report<'_>, api: Api) -> Vec<Value> {
    let mut groups: BTreeMap<Key, Vec<(Severity, Value)>> = BTreeMap::new();
    for batch in report.visible_batches() {
        for f in batch.iter().filter(|f| !f.superseded) {
            let (cluster, namespace) = match &*f.subject {
                Subject::Object(o) => (
                    o.cluster.as_deref().map(str::to_string),
                    o.namespace.as_deref().map(str::to_string),
                ),
                _ => (None, None),
            };
            groups
                .entry((cluster, namespace))
                .or_default()
                .push((f.severity, result(f, report.fail_on)));
        }
    }
    let clusters: std::collections::BTreeSet<&Option<String>> =
        groups.keys().map(|(c, _)| c).collect();
    let several = clusters.len() > 1;
    groups
        .into_iter()
        .map(|(key, mut results)| {
            // Stable: within a severity, the findings keep the report's order.
            results.sort_by_key(|r| std::cmp::Reverse(r.0));
            let results: Vec<Value> = results.into_iter().map(|(_, r)| r).collect();
            report_object(api, &key, &results, several)
        })
        .collect()
}

/// Write the reports as a `v1 List`.
pub(crate) fn render(report: &Report<'_>, api: Api, out: &mut dyn Write) -> io::Result<()> {
    let list = json!({"apiVersion": "v1", "kind": "List", "items": objects(report, api)});
    serde_json::to_writer_pretty(&mut *out, &list)?;
    out.write_all(b"\n")
}
