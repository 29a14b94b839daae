//! Central waivers: accepted risks with a scope, an owner, a reason and an expiry date. The same
//! semantics serve every front door (scan, admission, live cluster).

use palisade_diagnostics::{Finding, Location};

use crate::selection::Selector;

/// One waiver.
#[derive(Debug, Clone)]
pub struct Waiver {
    /// Which rules (ids, names or prefixes).
    pub rules: Vec<Selector>,
    /// Only objects in this namespace.
    pub namespace: Option<String>,
    /// Only objects of this kind.
    pub kind: Option<String>,
    /// Only objects whose name matches this glob.
    pub name: Option<globset::GlobMatcher>,
    /// Only findings in files matching this glob.
    pub path: Option<globset::GlobMatcher>,
    /// Who accepted the risk.
    pub owner: String,
    /// Why.
    pub reason: String,
    /// The last day the waiver applies (`YYYY-MM-DD`); none means it never expires.
    pub expires: Option<String>,
    /// Where the waiver is declared.
    pub declared_at: Location,
}

/// What went wrong with a waiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverProblem {
    /// The expiry date has passed: the waiver no longer suppresses anything.
    Expired,
    /// The waiver matched no finding.
    Unused,
}

impl Waiver {
    /// Whether the waiver covers the finding (ignoring expiry).
    pub fn covers(&self, finding: &Finding) -> bool {
        let object = &finding.object;
        self.rules.iter().any(|s| s.matches_meta(finding.rule))
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| object.namespace.as_deref() == Some(ns))
            && self.kind.as_ref().is_none_or(|k| *k == object.kind)
            && self
                .name
                .as_ref()
                .is_none_or(|g| object.name.as_deref().is_some_and(|n| g.is_match(n)))
            && self.path.as_ref().is_none_or(|g| {
                let p = &finding.location.path;
                g.is_match(p) || g.is_match(p.trim_start_matches("./"))
            })
    }

    /// Whether the waiver has expired on `today` (`YYYY-MM-DD`).
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }
}

/// Suppress the findings covered by live waivers (those already suppressed keep their
/// reason) and return each waiver that expired or matched nothing, with its index.
pub fn apply_waivers(
    findings: &mut [Finding],
    waivers: &[Waiver],
    today: &str,
) -> Vec<(usize, WaiverProblem)> {
    let mut used = vec![false; waivers.len()];
    for finding in findings.iter_mut() {
        for (i, w) in waivers.iter().enumerate() {
            if !w.covers(finding) {
                continue;
            }
            used[i] = true;
            if !w.expired(today) && !finding.suppressed {
                finding.suppressed = true;
                finding.suppression_reason = Some(format!("waiver by {}: {}", w.owner, w.reason));
            }
        }
    }
    waivers
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            if w.expired(today) {
                Some((i, WaiverProblem::Expired))
            } else if !used[i] {
                Some((i, WaiverProblem::Unused))
            } else {
                None
            }
        })
        .collect()
}
