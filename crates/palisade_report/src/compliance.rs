//! Compliance summaries: each framework control and each 4C layer as pass, fail or not
//! evaluated, from the findings and the rules that ran.

use std::collections::BTreeMap;

use palisade_diagnostics::frameworks::FRAMEWORKS;
use palisade_diagnostics::{ArcStr, FindingList, Layer, RuleMeta, RuleRef, control_name};
use serde::Serialize;

/// The state of one control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Rules that check the control ran and found nothing unsuppressed.
    Pass,
    /// At least one unsuppressed finding from a rule that checks the control.
    Fail,
    /// No rule that ran can show the control from this input.
    NotEvaluated,
}

/// One framework control.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// The control id (`5.2.2`, `C-0057`, `T1611`, `privileged`).
    pub id: &'static str,
    /// A short name of the control (`Privileged containers admitted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
    /// Pass, fail or not evaluated.
    pub status: Status,
    /// The rules that check it.
    pub rules: Vec<ArcStr>,
    /// Unsuppressed findings against it.
    pub findings: usize,
}

/// One framework's summary.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkSummary {
    /// `pss`, `cis`, `nsa` or `mitre`.
    pub framework: &'static str,
    /// Readable name.
    pub name: &'static str,
    /// Controls passed.
    pub passed: usize,
    /// Controls failed.
    pub failed: usize,
    /// Controls not evaluated.
    pub not_evaluated: usize,
    /// Passed as a percentage of evaluated controls (100 when none was evaluated).
    pub score: f64,
    /// Every control.
    pub controls: Vec<Control>,
}

/// One 4C layer's summary.
#[derive(Debug, Clone, Serialize)]
pub struct LayerSummary {
    /// The layer.
    pub layer: Layer,
    /// Rules of the layer that found objects to evaluate.
    pub rules: usize,
    /// Of those, rules with unsuppressed findings.
    pub failed_rules: usize,
    /// Unsuppressed findings in the layer.
    pub findings: usize,
    /// Rules without findings as a percentage of the layer's rules.
    pub score: f64,
}

/// Compliance per framework and per layer.
#[derive(Debug, Clone, Serialize)]
pub struct Compliance {
    /// Per framework.
    pub frameworks: Vec<FrameworkSummary>,
    /// Per 4C layer.
    pub layers: Vec<LayerSummary>,
}

fn percent(good: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        (good as f64 * 1000.0 / total as f64).round() / 10.0
    }
}

/// Summarise `findings` (only unsuppressed ones count) against the `rules` that ran; a rule
/// counts only if it found objects it applies to (`evaluated`) or reported something.
pub fn compliance(
    findings: &FindingList,
    rules: &[RuleRef],
    evaluated: &std::collections::BTreeSet<ArcStr>,
) -> Compliance {
    let mut per_rule: BTreeMap<ArcStr, usize> = BTreeMap::new();
    // Superseded findings are hidden, not accepted: they still fail their controls.
    for f in findings.refs().filter(|f| !f.suppressed || f.superseded) {
        match per_rule.get_mut(f.rule.id.as_str()) {
            Some(n) => *n += 1,
            None => {
                per_rule.insert(f.rule.id.clone(), 1);
            }
        }
    }
    let rules: Vec<&RuleMeta> = rules
        .iter()
        .map(|r| &**r)
        .filter(|r| evaluated.contains(&r.id) || per_rule.contains_key(&r.id))
        .collect();
    let rules = &rules[..];
    let frameworks = FRAMEWORKS
        .iter()
        .map(|fw| {
            let mut controls: BTreeMap<&'static str, Control> = BTreeMap::new();
            let mut order: Vec<&'static str> = fw.controls.to_vec();
            for rule in rules {
                for id in rule.framework_ids(fw.key) {
                    if !order.contains(&id) {
                        order.push(id);
                    }
                    let c = controls.entry(id).or_insert(Control {
                        id,
                        name: control_name(fw.key, id),
                        status: Status::Pass,
                        rules: Vec::new(),
                        findings: 0,
                    });
                    c.rules.push(rule.id.clone());
                    c.findings += per_rule.get(&rule.id).copied().unwrap_or(0);
                }
            }
            let controls: Vec<Control> = order
                .into_iter()
                .map(|id| match controls.remove(id) {
                    Some(mut c) => {
                        c.status = if c.findings > 0 {
                            Status::Fail
                        } else {
                            Status::Pass
                        };
                        c
                    }
                    None => Control {
                        id,
                        name: control_name(fw.key, id),
                        status: Status::NotEvaluated,
                        rules: Vec::new(),
                        findings: 0,
                    },
                })
                .collect();
            let count = |s: Status| controls.iter().filter(|c| c.status == s).count();
            let (passed, failed, not_evaluated) = (
                count(Status::Pass),
                count(Status::Fail),
                count(Status::NotEvaluated),
            );
            FrameworkSummary {
                framework: fw.key,
                name: fw.name,
                passed,
                failed,
                not_evaluated,
                score: percent(passed, passed + failed),
                controls,
            }
        })
        .collect();
    let layers = [Layer::Cloud, Layer::Cluster, Layer::Container, Layer::Code]
        .into_iter()
        .map(|layer| {
            let in_layer: Vec<&&RuleMeta> = rules.iter().filter(|r| r.layer == layer).collect();
            let failed_rules = in_layer
                .iter()
                .filter(|r| per_rule.contains_key(&r.id))
                .count();
            LayerSummary {
                layer,
                rules: in_layer.len(),
                failed_rules,
                findings: findings
                    .iter()
                    .filter(|f| !f.suppressed && f.rule.layer == layer)
                    .count(),
                score: percent(in_layer.len() - failed_rules, in_layer.len()),
            }
        })
        .collect();
    Compliance { frameworks, layers }
}

/// How text output names a control: `CIS 5.2.2`, `PSS privileged`, or the id alone where it
/// says its framework (`C-0057`, `T1611`).
fn control_label(framework: &str, id: &str) -> String {
    match framework {
        "cis" => format!("CIS {id}"),
        "pss" => format!("PSS {id}"),
        _ => id.to_string(),
    }
}

/// The compliance section of text output: per framework its score and every failing control
/// with its name and findings, then per 4C layer.
pub fn text(c: &Compliance) -> String {
    let mut out = String::from("Compliance\n");
    for fw in &c.frameworks {
        out.push_str(&format!(
            "  {:<40} {:>5.1}%  {} passed, {} failed, {} not evaluated\n",
            fw.name, fw.score, fw.passed, fw.failed, fw.not_evaluated
        ));
        let failing: Vec<(String, &Control)> = fw
            .controls
            .iter()
            .filter(|c| c.status == Status::Fail)
            .map(|c| (control_label(fw.framework, c.id), c))
            .collect();
        let width = failing.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        let names = failing
            .iter()
            .map(|(_, c)| c.name.map_or(0, |n| n.chars().count()))
            .max()
            .unwrap_or(0);
        for (label, control) in failing {
            let findings = control.findings;
            out.push_str(&format!(
                "      {label:<width$}  {:<names$}  {findings} finding{}\n",
                control.name.unwrap_or(""),
                if findings == 1 { "" } else { "s" }
            ));
        }
    }
    for l in &c.layers {
        out.push_str(&format!(
            "  layer {:<34} {:>5.1}%  {} of {} rules failing, {} findings\n",
            l.layer.as_str(),
            l.score,
            l.failed_rules,
            l.rules,
            l.findings
        ));
    }
    out
}
