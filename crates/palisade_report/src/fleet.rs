//! Reports of live-cluster scans: what each cluster was read as (resources listed, forbidden,
//! not served), per-cluster sections in text, and a fleet summary across clusters (findings by
//! cluster and severity, the clusters where each rule fails).

use std::collections::BTreeMap;
use std::io::{self, Write};

use palisade_diagnostics::{FindingList, Severity, Subject};
use serde::Serialize;

use crate::terminal::printable;

/// One resource type of a cluster and what came of listing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceLine {
    /// `deployments.apps`, as kubectl names it.
    pub resource: String,
    /// `listed`, `forbidden`, `not-served` or `failed`.
    pub state: String,
    /// Objects listed.
    pub objects: usize,
    /// Why it was not listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// When it was not listed: the rules that read objects of its kind, which could not
    /// evaluate them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// One cluster of a scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClusterSummary {
    /// The name findings carry (the kubeconfig context).
    pub name: String,
    /// The API server.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub server: String,
    /// The API server's version.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Objects scanned (after folding ReplicaSets and Pods into their owners).
    pub objects: usize,
    /// Unsuppressed findings.
    pub findings: usize,
    /// Unsuppressed findings per severity.
    pub by_severity: BTreeMap<&'static str, usize>,
    /// Every resource asked for.
    pub resources: Vec<ResourceLine>,
    /// Why the cluster could not be read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ClusterSummary {
    /// Resources that could not be listed, by state: what the scan could not evaluate.
    pub fn unread(&self) -> impl Iterator<Item = &ResourceLine> {
        self.resources
            .iter()
            .filter(|r| r.state == "forbidden" || r.state == "failed")
    }
}

/// Every cluster of a scan, and where each rule fails.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fleet {
    /// The clusters, in the order they were named.
    pub clusters: Vec<ClusterSummary>,
    /// Rule id -> the clusters where it has unsuppressed findings.
    pub rules: BTreeMap<String, Vec<String>>,
}

impl Fleet {
    /// Count `findings` (carrying their cluster) into the clusters, which come with their
    /// names, servers and resources.
    pub fn of(mut clusters: Vec<ClusterSummary>, findings: &FindingList) -> Fleet {
        let mut rules: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in findings.refs().filter(|f| !f.suppressed && !f.superseded) {
            let cluster = match f.subject {
                Subject::Object(o) => o.cluster.as_deref(),
                _ => None,
            };
            let Some(cluster) = cluster else { continue };
            if let Some(c) = clusters.iter_mut().find(|c| c.name == cluster) {
                c.findings += 1;
                *c.by_severity.entry(f.severity.as_str()).or_default() += 1;
            }
            let list = rules.entry(f.rule.id.to_string()).or_default();
            if !list.iter().any(|c| c == cluster) {
                list.push(cluster.to_string());
            }
        }
        for list in rules.values_mut() {
            list.sort();
        }
        Fleet { clusters, rules }
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The heading of a cluster's section in text output, with the resources it could not read.
pub fn cluster_heading(c: &ClusterSummary, out: &mut dyn Write) -> io::Result<()> {
    let mut about = Vec::new();
    if !c.server.is_empty() {
        about.push(printable(&c.server).into_owned());
    }
    if !c.version.is_empty() {
        about.push(printable(&c.version).into_owned());
    }
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join(", "))
    };
    writeln!(out, "== cluster {}{about} ==", printable(&c.name))?;
    if let Some(e) = &c.error {
        writeln!(out, "error: not scanned: {}", printable(e))?;
        return Ok(());
    }
    let listed = c.resources.iter().filter(|r| r.state == "listed").count();
    writeln!(
        out,
        "read {} objects from {listed} resource types",
        thousands(c.resources.iter().map(|r| r.objects).sum())
    )?;
    for r in c.unread() {
        let rules = if r.rules.is_empty() {
            "rules that read it".to_string()
        } else {
            r.rules.join(", ")
        };
        writeln!(
            out,
            "note: {} {}: not evaluated on it: {rules} ({})",
            printable(&r.resource),
            r.state,
            printable(r.message.as_deref().unwrap_or(""))
        )?;
    }
    writeln!(out)
}

/// The fleet summary: a table of findings by cluster and severity, and the rules that fail
/// in more than one cluster.
pub fn fleet_text(fleet: &Fleet, out: &mut dyn Write) -> io::Result<()> {
    let severities: Vec<Severity> = Severity::ALL.iter().rev().copied().collect();
    let width = fleet
        .clusters
        .iter()
        .map(|c| printable(&c.name).chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    writeln!(out, "Fleet summary ({} clusters)", fleet.clusters.len())?;
    write!(out, "  {:<width$}", "cluster")?;
    for s in &severities {
        write!(out, " {:>8}", s.as_str())?;
    }
    writeln!(out, " {:>8}", "total")?;
    for c in &fleet.clusters {
        write!(out, "  {:<width$}", printable(&c.name))?;
        if c.error.is_some() {
            writeln!(out, " not scanned")?;
            continue;
        }
        for s in &severities {
            write!(
                out,
                " {:>8}",
                c.by_severity.get(s.as_str()).copied().unwrap_or(0)
            )?;
        }
        writeln!(out, " {:>8}", c.findings)?;
    }
    let shared: Vec<(&String, &Vec<String>)> =
        fleet.rules.iter().filter(|(_, cs)| cs.len() > 1).collect();
    if !shared.is_empty() {
        writeln!(out, "Rules failing in more than one cluster:")?;
        for (rule, clusters) in shared {
            let names: Vec<String> = clusters.iter().map(|c| printable(c).into_owned()).collect();
            writeln!(out, "  {rule}: {}", names.join(", "))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_diagnostics::{Finding, Location, ObjectRef};

    fn summary(name: &str) -> ClusterSummary {
        ClusterSummary {
            name: name.into(),
            server: format!("https://{name}.example:6443"),
            version: "v1.35.0".into(),
            objects: 10,
            findings: 0,
            by_severity: BTreeMap::new(),
            resources: vec![ResourceLine {
                resource: "secrets".into(),
                state: "forbidden".into(),
                objects: 0,
                message: Some("403 Forbidden".into()),
                rules: vec!["SEC001".into()],
            }],
            error: None,
        }
    }

    #[test]
    fn findings_are_counted_per_cluster_and_rule() {
        let meta = palisade_diagnostics::RuleRef::of(&crate::tests::PRIVILEGED);
        let mut list = FindingList::new();
        for (cluster, sev) in [
            ("prod", Severity::High),
            ("prod", Severity::Low),
            ("dev", Severity::High),
        ] {
            let object = ObjectRef {
                kind: "Pod".into(),
                name: Some("p".into()),
                cluster: Some(cluster.into()),
                ..ObjectRef::default()
            };
            let mut f = Finding::new(meta.clone(), object, Location::unplaced("/spec"), "m");
            f.severity = sev;
            list.push(&f);
        }
        let fleet = Fleet::of(vec![summary("prod"), summary("dev")], &list);
        assert_eq!(fleet.clusters[0].findings, 2);
        assert_eq!(fleet.clusters[0].by_severity["high"], 1);
        assert_eq!(fleet.clusters[1].findings, 1);
        assert_eq!(fleet.rules[meta.id.as_str()], ["dev", "prod"]);
        let mut text = Vec::new();
        fleet_text(&fleet, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("Fleet summary (2 clusters)"), "{text}");
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with("prod") && l.trim_end().ends_with('2')),
            "{text}"
        );
        assert!(text.contains("Rules failing in more than one cluster:"));
        let mut heading = Vec::new();
        cluster_heading(&fleet.clusters[0], &mut heading).unwrap();
        let heading = String::from_utf8(heading).unwrap();
        assert!(heading.contains("== cluster prod (https://prod.example:6443, v1.35.0) =="));
        assert!(
            heading.contains("secrets forbidden: not evaluated on it: SEC001 (403 Forbidden)"),
            "{heading}"
        );
    }
}
