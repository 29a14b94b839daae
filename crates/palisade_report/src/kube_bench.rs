//! `palisade node --format kube-bench-json`: the node's results in the JSON form kube-bench
//! writes (`kube-bench --json`), so that dashboards and pipelines built on it keep working:
//! `{"Controls": [...], "Totals": {...}}`, one control per CIS part (1 control plane, 2 etcd,
//! 4 worker node), one group per section, one result per CIS check with `status` PASS, FAIL
//! or INFO. A check is FAIL when a Palisade rule mapped to it found something, PASS when one
//! evaluated what it applies to and found nothing, INFO when nothing on the node applied
//! (no such file or component). The descriptions are Palisade's rule titles.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use palisade_diagnostics::{ArcStr, Finding, FrameworkRef, RuleMeta};
use serde::Serialize;

/// The CIS Benchmark version the results are filed under.
pub const CIS_VERSION: &str = "cis-1.12";

#[derive(Serialize)]
struct Overall {
    #[serde(rename = "Controls")]
    controls: Vec<Control>,
    #[serde(rename = "Totals")]
    totals: Totals,
}

#[derive(Serialize, Default, Clone, Copy)]
struct Totals {
    total_pass: usize,
    total_fail: usize,
    total_warn: usize,
    total_info: usize,
}

#[derive(Serialize)]
struct Control {
    id: String,
    version: &'static str,
    text: &'static str,
    node_type: &'static str,
    tests: Vec<Group>,
    #[serde(flatten)]
    totals: Totals,
}

#[derive(Serialize)]
struct Group {
    section: String,
    #[serde(rename = "type")]
    kind: &'static str,
    pass: usize,
    fail: usize,
    warn: usize,
    info: usize,
    desc: &'static str,
    results: Vec<Check>,
}

#[derive(Serialize)]
struct Check {
    test_number: String,
    test_desc: String,
    audit: String,
    #[serde(rename = "AuditEnv")]
    audit_env: &'static str,
    #[serde(rename = "AuditConfig")]
    audit_config: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    remediation: String,
    test_info: Vec<String>,
    status: &'static str,
    actual_value: String,
    scored: bool,
    #[serde(rename = "IsMultiple")]
    is_multiple: bool,
    expected_result: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    reason: String,
}

/// The control a CIS id belongs to: id, title, node type.
fn control_of(cis: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match cis.split('.').next()? {
        "1" => Some(("1", "Control plane security configuration", "master")),
        "2" => Some(("2", "etcd node configuration", "etcd")),
        "4" => Some(("4", "Worker node security configuration", "node")),
        _ => None,
    }
}

/// The section of a CIS id (`1.2.7` → `1.2`; etcd's checks are one section, `2`), and its
/// description.
fn section_of(cis: &str) -> (String, &'static str) {
    let parts: Vec<&str> = cis.split('.').collect();
    let section = if parts[0] == "2" {
        "2".to_string()
    } else {
        parts.iter().take(2).copied().collect::<Vec<_>>().join(".")
    };
    let desc = match section.as_str() {
        "1.1" => "Control plane node configuration files",
        "1.2" => "API server",
        "1.3" => "Controller manager",
        "1.4" => "Scheduler",
        "2" => "etcd",
        "4.1" => "Worker node configuration files",
        "4.2" => "Kubelet",
        "4.3" => "kube-proxy",
        _ => "",
    };
    (section, desc)
}

/// Order CIS ids by their numbers (`1.2.10` after `1.2.9`).
fn numeric(cis: &str) -> Vec<u32> {
    cis.split('.').filter_map(|p| p.parse().ok()).collect()
}

/// Write the results of `rules` (those that ran) as kube-bench JSON: `findings` are theirs,
/// `evaluated` the ids of those that found something to check. Controls other than the
/// control plane's and etcd's are left out unless `master` is false or true respectively:
/// a worker reports part 4 only.
pub fn write_kube_bench_json(
    out: &mut dyn Write,
    rules: &[&RuleMeta],
    findings: &[Finding],
    evaluated: &BTreeSet<ArcStr>,
    master: bool,
) -> io::Result<()> {
    // CIS id -> the rules mapped to it.
    let mut by_cis: BTreeMap<Vec<u32>, (String, Vec<&RuleMeta>)> = BTreeMap::new();
    for rule in rules {
        for f in rule.frameworks.iter() {
            if let FrameworkRef::Cis(id) = f
                && control_of(id).is_some()
                && (master || id.starts_with("4."))
            {
                by_cis
                    .entry(numeric(id))
                    .or_insert_with(|| (id.to_string(), Vec::new()))
                    .1
                    .push(rule);
            }
        }
    }
    let mut controls: Vec<Control> = Vec::new();
    for (cis, mapped) in by_cis.values() {
        let found: Vec<&Finding> = findings
            .iter()
            .filter(|f| !f.suppressed && mapped.iter().any(|r| r.id == f.rule.id))
            .collect();
        let ran = mapped.iter().any(|r| evaluated.contains(&r.id));
        let status = if !found.is_empty() {
            "FAIL"
        } else if ran {
            "PASS"
        } else {
            "INFO"
        };
        let ids: Vec<&str> = mapped.iter().map(|r| r.id.as_str()).collect();
        let check = Check {
            test_number: cis.clone(),
            test_desc: mapped
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            audit: format!("palisade node: {}", ids.join(", ")),
            audit_env: "",
            audit_config: "",
            kind: "",
            remediation: mapped
                .iter()
                .map(|r| r.remediation.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            test_info: mapped.iter().map(|r| r.remediation.to_string()).collect(),
            status,
            actual_value: found
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            scored: true,
            is_multiple: false,
            expected_result: String::new(),
            reason: if status == "INFO" {
                "nothing on this node that the check applies to".to_string()
            } else {
                String::new()
            },
        };
        let Some((control_id, text, node_type)) = control_of(cis) else {
            continue;
        };
        let at = match controls.iter().position(|c| c.id == control_id) {
            Some(i) => i,
            None => {
                controls.push(Control {
                    id: control_id.to_string(),
                    version: CIS_VERSION,
                    text,
                    node_type,
                    tests: Vec::new(),
                    totals: Totals::default(),
                });
                controls.len() - 1
            }
        };
        let control = &mut controls[at];
        let (section, desc) = section_of(cis);
        let at = match control.tests.iter().position(|g| g.section == section) {
            Some(i) => i,
            None => {
                control.tests.push(Group {
                    section,
                    kind: "",
                    pass: 0,
                    fail: 0,
                    warn: 0,
                    info: 0,
                    desc,
                    results: Vec::new(),
                });
                control.tests.len() - 1
            }
        };
        let group = &mut control.tests[at];
        match status {
            "FAIL" => {
                group.fail += 1;
                control.totals.total_fail += 1;
            }
            "PASS" => {
                group.pass += 1;
                control.totals.total_pass += 1;
            }
            _ => {
                group.info += 1;
                control.totals.total_info += 1;
            }
        }
        group.results.push(check);
    }
    let totals = controls.iter().fold(Totals::default(), |t, c| Totals {
        total_pass: t.total_pass + c.totals.total_pass,
        total_fail: t.total_fail + c.totals.total_fail,
        total_warn: t.total_warn + c.totals.total_warn,
        total_info: t.total_info + c.totals.total_info,
    });
    serde_json::to_writer_pretty(&mut *out, &Overall { controls, totals })?;
    out.write_all(b"\n")
}
