//! Central waivers: accepted risks with a scope, an owner, a reason and an expiry date. The same
//! semantics serve every front door (scan, admission, live cluster).

use palisade_diagnostics::{Finding, FindingList, Location, ProjectPaths};

use std::cell::OnceCell;

use crate::runner::path_matches_key;
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
    /// Only findings in files matching this glob (relative to the project, see
    /// [`ProjectPaths`]).
    pub path: Option<globset::GlobMatcher>,
    /// Who accepted the risk.
    pub owner: String,
    /// Why.
    pub reason: String,
    /// The last day the waiver applies; none means it never expires.
    pub expires: Option<time::Date>,
    /// Where the waiver is declared.
    pub declared_at: Location,
}

/// What went wrong with a waiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaiverProblem {
    /// The expiry date has passed: the waiver no longer suppresses anything.
    Expired,
    /// The waiver matched no finding, and the scan read every file it could match.
    Unused,
}

impl Waiver {
    /// Whether the waiver covers the finding (ignoring expiry); `project` turns the finding's
    /// path into the project-relative one the `path` glob is written for.
    pub fn covers(&self, finding: &Finding, project: &ProjectPaths) -> bool {
        self.covers_with(finding, project, &OnceCell::new())
    }

    /// [`Waiver::covers`], with the finding's project-relative path kept in `key` once
    /// computed, for the other waivers.
    fn covers_with(
        &self,
        finding: &Finding,
        project: &ProjectPaths,
        key: &OnceCell<String>,
    ) -> bool {
        // A subject other than an object has no namespace; its name is its path, address or
        // audit id. A finding with no file matches no `path`.
        let subject = &finding.subject;
        let namespace = subject.object().and_then(|o| o.namespace.as_deref());
        let name = Some(subject.identity().1).filter(|n| !n.is_empty());
        self.rules.iter().any(|s| s.matches_meta(&finding.rule))
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| namespace == Some(ns.as_str()))
            && self.kind.as_ref().is_none_or(|k| k == subject.kind())
            && self
                .name
                .as_ref()
                .is_none_or(|g| name.is_some_and(|n| g.is_match(n)))
            && self.path.as_ref().is_none_or(|g| {
                let Some(display) = finding.location.path() else {
                    return false;
                };
                path_matches_key(g, project, display, || {
                    key.get_or_init(|| project.key(display).into_owned())
                        .as_str()
                        .into()
                })
            })
    }

    /// Whether a scan that covered what `project` records read every file the waiver's `path`
    /// can match: the directory its glob starts with (the part before the first wildcard) lies
    /// under a scanned root. A waiver without a path applies anywhere.
    pub fn in_scope(&self, project: &ProjectPaths) -> bool {
        self.path
            .as_ref()
            .is_none_or(|g| project.covers(&literal_prefix(g.glob().glob())))
    }

    /// Whether the waiver has expired on `today`.
    pub fn expired(&self, today: time::Date) -> bool {
        self.expires.is_some_and(|e| e < today)
    }
}

/// The directories of a glob before its first wildcard: `deploy/legacy/**` -> `deploy/legacy`,
/// `**/x.yaml` -> `` (anywhere), `legacy/old.yaml` -> itself.
fn literal_prefix(glob: &str) -> String {
    let wild = |part: &str| part.contains(['*', '?', '[', '{', '\\']);
    let parts: Vec<&str> = glob.split('/').take_while(|part| !wild(part)).collect();
    parts.join("/")
}

/// Suppress the findings covered by live waivers (those already suppressed keep their
/// reason) and return each waiver that expired, or matched nothing although the scan covered
/// the paths it names ([`Waiver::in_scope`]), with its index.
pub fn apply_waivers(
    findings: &mut FindingList,
    waivers: &[Waiver],
    today: time::Date,
    project: &ProjectPaths,
    ran: &dyn Fn(&Selector) -> bool,
) -> Vec<(usize, WaiverProblem)> {
    let mut used = vec![false; waivers.len()];
    // One shared reason per waiver, however many findings it covers.
    let reasons: Vec<palisade_diagnostics::ArcStr> = waivers
        .iter()
        .map(|w| format!("waiver by {}: {}", w.owner, w.reason).into())
        .collect();
    if waivers.is_empty() {
        return Vec::new();
    }
    findings.update(
        |_| true,
        |finding| {
            waive(finding, waivers, today, project, |i| {
                used[i] = true;
                reasons[i].clone()
            })
        },
    );
    waivers
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            if w.expired(today) {
                Some((i, WaiverProblem::Expired))
            } else if !used[i] && w.in_scope(project) && w.rules.iter().any(ran) {
                Some((i, WaiverProblem::Unused))
            } else {
                None
            }
        })
        .collect()
}

/// Suppress each of `findings` that a live waiver covers (those already suppressed keep their
/// reason): what a front door that sees objects one at a time (admission) applies, where an
/// unused waiver is no problem.
pub fn waive_findings(
    findings: &mut [Finding],
    waivers: &[Waiver],
    today: time::Date,
    project: &ProjectPaths,
) {
    for finding in findings {
        waive(finding, waivers, today, project, |i| {
            let w = &waivers[i];
            format!("waiver by {}: {}", w.owner, w.reason).into()
        });
    }
}

/// Apply every waiver to one finding; `covered(i)` is told of each waiver that covers it and
/// gives that waiver's reason.
fn waive(
    finding: &mut Finding,
    waivers: &[Waiver],
    today: time::Date,
    project: &ProjectPaths,
    mut covered: impl FnMut(usize) -> palisade_diagnostics::ArcStr,
) {
    let key = OnceCell::new();
    for (i, w) in waivers.iter().enumerate() {
        if !w.covers_with(finding, project, &key) {
            continue;
        }
        let reason = covered(i);
        if !w.expired(today) && !finding.suppressed {
            finding.suppressed = true;
            finding.suppression_reason = Some(reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    fn waiver(path: Option<&str>) -> Waiver {
        Waiver {
            rules: vec![Selector::new("PSS003")],
            namespace: None,
            kind: None,
            name: None,
            path: path.map(|p| globset::Glob::new(p).unwrap().compile_matcher()),
            owner: "o".into(),
            reason: "r".into(),
            expires: None,
            declared_at: Location::default(),
        }
    }

    #[test]
    fn literal_prefixes_stop_at_the_first_wildcard() {
        assert_eq!(literal_prefix("deploy/legacy/**"), "deploy/legacy");
        assert_eq!(literal_prefix("deploy/*.yaml"), "deploy");
        assert_eq!(literal_prefix("**/x.yaml"), "");
        assert_eq!(literal_prefix("{a,b}/x.yaml"), "");
        assert_eq!(literal_prefix("legacy/old.yaml"), "legacy/old.yaml");
    }

    #[test]
    fn unused_is_reported_only_for_waivers_the_scan_covered() {
        let mut project = ProjectPaths::new(PathBuf::from("/repo"), PathBuf::from("/repo"));
        project.add_root(Path::new("deploy"), PathBuf::from("/repo/deploy"));
        let waivers = [
            waiver(Some("legacy/**")),
            waiver(Some("deploy/old/**")),
            waiver(None),
            waiver(Some("**/x.yaml")),
        ];
        let problems = apply_waivers(
            &mut FindingList::new(),
            &waivers,
            time::macros::date!(2026 - 01 - 01),
            &project,
            &|_| true,
        );
        assert_eq!(
            problems,
            vec![(1, WaiverProblem::Unused), (2, WaiverProblem::Unused)],
            "legacy/ and the whole project were not scanned"
        );
        // Without an anchor, as before paths were anchored: every unused waiver is reported.
        let problems = apply_waivers(
            &mut FindingList::new(),
            &waivers,
            time::macros::date!(2026 - 01 - 01),
            &ProjectPaths::default(),
            &|_| true,
        );
        assert_eq!(problems.len(), 4);
        // A waiver for rules that did not run (`--select`, `--ignore`) could not be used.
        let problems = apply_waivers(
            &mut FindingList::new(),
            &waivers,
            time::macros::date!(2026 - 01 - 01),
            &ProjectPaths::default(),
            &|_| false,
        );
        assert!(problems.is_empty());
    }
}
