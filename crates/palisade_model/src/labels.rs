//! Label maps as the scan's facts hold them.
//!
//! A scan keeps one fact per workload until it ends, and each holds the pod template's labels:
//! as a `BTreeMap` every map costs a 500-byte tree node however few labels it has, more than
//! the manifest it came from. [`Labels`] is a sorted slice of shared strings: a handful of
//! labels cost a few dozen bytes, and keys (`app`, `app.kubernetes.io/name`) are shared among
//! the objects of a file.

use std::collections::BTreeMap;

use palisade_diagnostics::{ArcStr, Interner};
use palisade_source::NodeRef;

/// Read access to a label map, so that one selector implementation matches the compact
/// [`Labels`] of facts and the maps of the other models alike.
pub trait LabelLookup {
    /// The value of label `key`.
    fn label(&self, key: &str) -> Option<&str>;
}

impl<T: LabelLookup + ?Sized> LabelLookup for &T {
    fn label(&self, key: &str) -> Option<&str> {
        (**self).label(key)
    }
}

impl LabelLookup for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

/// A label map, sorted by key (keys are unique).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels(Box<[(ArcStr, ArcStr)]>);

impl Labels {
    /// The string-valued entries of a `labels` mapping (others are not labels the API server
    /// would store); a later duplicate key wins, as in a YAML load.
    pub fn of(node: Option<NodeRef<'_, '_>>, strings: &mut Interner) -> Labels {
        let Some(node) = node else {
            return Labels::default();
        };
        let mut entries: Vec<(ArcStr, ArcStr)> = node
            .entries()
            .filter_map(|(k, v)| v.scalar_text().map(|t| (strings.str(k), strings.str(&t))))
            .collect();
        entries.reverse();
        // Stable: of equal keys the last written (first after the reversal) is kept.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, kept| later.0 == kept.0);
        Labels(entries.into_boxed_slice())
    }

    /// The value of label `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    /// The labels, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Whether there is no label.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl LabelLookup for Labels {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(yaml: &str) -> Labels {
        let docs = palisade_source::parse_stream(yaml, &palisade_source::Limits::default());
        let doc = docs.into_iter().next().unwrap().unwrap();
        Labels::of(doc.root().unwrap().get("labels"), &mut Interner::default())
    }

    #[test]
    fn labels_are_looked_up_by_key_and_the_last_duplicate_wins() {
        let l = labels("labels: {tier: web, app: shop, app: api, n: 3, bad: {x: 1}}\n");
        assert_eq!(l.get("app"), Some("api"));
        assert_eq!(l.get("tier"), Some("web"));
        assert_eq!(l.get("n"), Some("3"));
        assert_eq!(l.get("bad"), None);
        assert_eq!(l.get("missing"), None);
        let keys: Vec<&str> = l.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["app", "n", "tier"]);
        assert!(labels("other: 1\n").is_empty());
    }

    #[test]
    fn a_map_of_labels_stays_small() {
        assert_eq!(std::mem::size_of::<Labels>(), 16);
    }
}
