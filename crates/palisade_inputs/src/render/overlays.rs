//! One finding per place in a file, however many kustomizations build it.
//!
//! Scanning a repository builds a base and each of its overlays: a field written in the base
//! is found once per build, and every copy is mapped back to the same line of the same base
//! file. Those copies are one problem with one fix, so they are folded into one finding that
//! names the other kustomizations in [`Origin::also_in`](palisade_diagnostics::Origin).

use std::collections::HashMap;

use palisade_diagnostics::{Finding, FindingList, FindingRef};

/// What makes two mapped findings the same: the place in the source file, the rule, the field
/// and container, and the message (an overlay that changes the value found is a different
/// finding), and whether it is suppressed (an overlay may suppress what another does not).
type Key<'a> = (
    Option<(&'a str, u32, u32)>,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    bool,
);

fn key(f: &Finding) -> Key<'_> {
    let l = &f.location;
    (
        l.span.as_ref().map(|s| (s.path.as_str(), s.line, s.column)),
        &f.rule.id,
        &l.pointer,
        f.container.as_deref(),
        &f.message,
        f.suppressed,
    )
}

fn from_kustomize(f: &FindingRef) -> bool {
    f.origin.as_ref().is_some_and(|o| o.renderer == "kustomize")
}

/// Whether the kustomization directory `source` holds the file `path` (the base's own build,
/// which names the finding first).
fn holds(source: &str, path: &str) -> bool {
    path.strip_prefix(source)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Fold findings that several kustomizations built from the same place of the same file into
/// one: the copy from the nearest kustomization that holds the file (else the first by name) is kept,
/// and the others' kustomization directories are listed in its `origin.also_in`. Findings of
/// plain files and Helm charts are left alone. Returns the copies folded away: each is still a
/// finding about its own build (its object, its namespace), which a baseline must remember.
pub fn merge_overlays(findings: &mut FindingList) -> Vec<Finding> {
    let mut built = findings.extract(from_kustomize);
    let folded = merge(&mut built);
    findings.append(&mut built);
    folded
}

fn merge(findings: &mut Vec<Finding>) -> Vec<Finding> {
    let mut groups: HashMap<Key<'_>, Vec<usize>> = HashMap::new();
    for (i, f) in findings
        .iter()
        .enumerate()
        .filter(|(_, f)| from_kustomize(&f.view()))
    {
        groups.entry(key(f)).or_default().push(i);
    }
    // (kept, the kustomizations of the copies dropped), in index order.
    let mut merges: Vec<(usize, Vec<String>)> = Vec::new();
    let mut dropped = vec![false; findings.len()];
    for (_, mut group) in groups {
        if group.len() < 2 {
            continue;
        }
        let source = |i: &usize| {
            findings[*i]
                .origin
                .as_ref()
                .map_or("", |o| o.source.as_str())
        };
        // The nearest kustomization holding the file first (the base itself, not a directory
        // above it), then by name.
        let path = findings[group[0]]
            .location
            .path()
            .map_or("", |p| p.as_str());
        let rank = |i: &usize| {
            let nearest = if holds(source(i), path) {
                usize::MAX - source(i).len()
            } else {
                usize::MAX
            };
            (nearest, source(i), *i)
        };
        group.sort_by(|a, b| rank(a).cmp(&rank(b)));
        let kept = group[0];
        let mut others: Vec<String> = group[1..]
            .iter()
            .filter(|i| source(i) != source(&kept))
            .map(|i| source(i).to_string())
            .collect();
        others.sort();
        others.dedup();
        for i in &group[1..] {
            dropped[*i] = true;
        }
        merges.push((kept, others));
    }
    for (kept, others) in merges {
        if let Some(origin) = findings[kept].origin.as_mut() {
            origin.also_in = others;
        }
    }
    // In place: the findings can be most of a scan's memory, so they are never copied whole.
    let mut index = 0;
    findings
        .extract_if(.., |_| {
            index += 1;
            dropped[index - 1]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_diagnostics::{Location, ObjectRef, Origin, Span};

    fn finding(path: &str, line: u32, source: Option<&str>, message: &str) -> Finding {
        let mut f = Finding::new(
            &palisade_rules::pod::default_namespace::RULE.meta,
            ObjectRef::default(),
            Location {
                span: Some(Span {
                    path: path.into(),
                    line,
                    column: 3,
                    ..Span::default()
                }),
                pointer: "/spec/x".into(),
                ..Location::default()
            },
            message,
        );
        f.origin = source.map(|s| {
            Box::new(Origin {
                renderer: "kustomize",
                source: s.into(),
                exact: true,
                values: Vec::new(),
                also_in: Vec::new(),
            })
        });
        f
    }

    fn also_in(f: &Finding) -> Vec<&str> {
        let origin = f.origin.as_ref().unwrap();
        origin.also_in.iter().map(String::as_str).collect()
    }

    #[test]
    fn copies_of_a_base_finding_fold_into_the_base_build() {
        let mut findings = vec![
            finding("k/base/d.yaml", 7, Some("k/overlays/b"), "m"),
            finding("k/base/d.yaml", 7, Some("k/base"), "m"),
            finding("k/base/d.yaml", 7, Some("k/overlays/a"), "m"),
            finding("k/base/d.yaml", 7, Some("k"), "m"),
            finding("k/base/d.yaml", 7, Some("k/overlays/a"), "m"),
            // Another line, another message, a plain file: kept apart.
            finding("k/base/d.yaml", 9, Some("k/overlays/a"), "m"),
            finding("k/base/d.yaml", 7, Some("k/overlays/c"), "other value"),
            finding("k/base/d.yaml", 7, None, "m"),
        ];
        let mut list = FindingList::from(findings.clone());
        assert_eq!(merge_overlays(&mut list).len(), 4);
        merge(&mut findings);
        assert_eq!(findings.len(), 4);
        // The list holds the same four, the plain file's first (it was never taken out).
        assert_eq!(list.len(), 4);
        assert!(list.get(0).unwrap().origin.is_none());
        let kept = &findings[0];
        assert_eq!(kept.origin.as_ref().unwrap().source, "k/base");
        assert_eq!(also_in(kept), vec!["k", "k/overlays/a", "k/overlays/b"]);
        assert_eq!(findings[1].location.span.as_ref().unwrap().line, 9);
        assert!(also_in(&findings[1]).is_empty());
        assert_eq!(findings[2].message, "other value");
        assert!(findings[3].origin.is_none());
    }

    #[test]
    fn without_the_base_build_the_first_overlay_names_the_others() {
        let mut findings = vec![
            finding("c/net/p.yaml", 2, Some("t/two"), "m"),
            finding("c/net/p.yaml", 2, Some("t/one"), "m"),
            finding("c/net/p.yaml", 2, Some("t/three"), "m"),
        ];
        let mut suppressed = finding("c/net/p.yaml", 2, Some("t/four"), "m");
        suppressed.suppressed = true;
        findings.push(suppressed);
        merge(&mut findings);
        assert_eq!(findings.len(), 2, "a suppressed copy stays apart");
        assert_eq!(findings[0].origin.as_ref().unwrap().source, "t/one");
        assert_eq!(also_in(&findings[0]), vec!["t/three", "t/two"]);
        assert!(holds("k/base", "k/base/d.yaml") && !holds("k/base", "k/base2/d.yaml"));
    }
}
