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

/// A label map as written (`matchLabels`, `metadata.labels`): every scalar value, as text.
pub fn label_map(node: Option<NodeRef<'_, '_>>) -> BTreeMap<String, String> {
    node.map(|n| {
        n.entries()
            .filter_map(|(k, v)| v.scalar_text().map(|t| (k.to_string(), t.into_owned())))
            .collect()
    })
    .unwrap_or_default()
}

/// A `matchExpressions` operator.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Operator {
    /// The label's value is one of the values.
    In,
    /// The label is absent, or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// An operator Kubernetes does not know (the API server rejects the object; as a selector
    /// it selects nothing).
    Unknown(String),
}

impl Operator {
    /// The operator written as `text`.
    pub fn parse(text: &str) -> Operator {
        match text {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            other => Operator::Unknown(other.to_string()),
        }
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
            Operator::Unknown(text) => text,
        }
    }
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// How the label is compared.
    pub operator: Operator,
    /// The values (`In`, `NotIn`).
    pub values: Vec<String>,
}

impl Requirement {
    /// Whether labels meet the requirement, as `labels.Selector.Matches` decides.
    pub fn matches(&self, labels: &impl LabelLookup) -> bool {
        let value = labels.label(&self.key);
        let listed = |v: &str| self.values.iter().any(|x| x == v);
        match (&self.operator, value) {
            (Operator::In, Some(v)) => listed(v),
            (Operator::In, None) => false,
            (Operator::NotIn, v) => v.is_none_or(|v| !listed(v)),
            (Operator::Exists, v) => v.is_some(),
            (Operator::DoesNotExist, v) => v.is_none(),
            (Operator::Unknown(_), _) => false,
        }
    }
}

/// A label selector (`matchLabels` and `matchExpressions`), as Kubernetes evaluates it: the one
/// implementation the inventory, the NetworkPolicy model and RBAC aggregation share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    /// `matchLabels`.
    pub match_labels: BTreeMap<String, String>,
    /// `matchExpressions`.
    pub expressions: Vec<Requirement>,
}

impl LabelSelector {
    /// Read a selector mapping (absent: the empty selector, which selects everything).
    pub fn of(node: Option<NodeRef<'_, '_>>) -> Self {
        let Some(node) = node else {
            return LabelSelector::default();
        };
        let text = |n: Option<NodeRef<'_, '_>>| {
            n.and_then(|n| n.scalar_text())
                .map(|t| t.into_owned())
                .unwrap_or_default()
        };
        let requirement = |x: NodeRef<'_, '_>| Requirement {
            key: text(x.get("key")),
            operator: Operator::parse(&text(x.get("operator"))),
            values: (x.get("values"))
                .map(|v| {
                    v.items()
                        .filter_map(|i| i.scalar_text())
                        .map(|t| t.into_owned())
                        .collect()
                })
                .unwrap_or_default(),
        };
        LabelSelector {
            match_labels: label_map(node.get("matchLabels")),
            expressions: (node.get("matchExpressions"))
                .map(|e| e.items().map(requirement).collect())
                .unwrap_or_default(),
        }
    }

    /// Read a selector written as JSON (policies and requests, which arrive without source
    /// positions). Non-string values are read as Kubernetes prints them.
    pub fn from_json(value: &serde_json::Value) -> Self {
        let text = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Bool(_) | serde_json::Value::Number(_) => Some(v.to_string()),
            _ => None,
        };
        let match_labels = (value.get("matchLabels").and_then(|m| m.as_object()))
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| text(v).map(|v| (k.clone(), v)))
                    .collect()
            })
            .unwrap_or_default();
        let expressions = (value.get("matchExpressions").and_then(|e| e.as_array()))
            .map(|items| {
                items
                    .iter()
                    .map(|x| Requirement {
                        key: x.get("key").and_then(text).unwrap_or_default(),
                        operator: Operator::parse(
                            x.get("operator").and_then(|o| o.as_str()).unwrap_or(""),
                        ),
                        values: (x.get("values").and_then(|v| v.as_array()))
                            .map(|v| v.iter().filter_map(text).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        LabelSelector {
            match_labels,
            expressions,
        }
    }

    /// Whether the selector has neither labels nor expressions (selects everything).
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty()
    }

    /// Whether the selector selects an object with these labels.
    pub fn matches(&self, labels: &impl LabelLookup) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.label(k) == Some(v.as_str()))
            && self.expressions.iter().all(|r| r.matches(labels))
    }
}

#[cfg(test)]
mod selector_tests {
    use super::*;
    use palisade_source::{Limits, parse_stream};

    fn selector(yaml: &str) -> LabelSelector {
        let doc = parse_stream(yaml, &Limits::default()).remove(0).unwrap();
        LabelSelector::of(doc.root())
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn every_operator_as_kubernetes_matches_it() {
        let s = selector(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [a, b]}\n- {key: track, operator: NotIn, values: [canary]}\n- {key: team, operator: Exists}\n- {key: legacy, operator: DoesNotExist}\n",
        );
        assert_eq!(s.expressions[0].operator, Operator::In);
        assert_eq!(s.expressions[3].operator.as_str(), "DoesNotExist");
        let base = [("app", "web"), ("tier", "a"), ("team", "x")];
        assert!(s.matches(&labels(&base)));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "c"), ("team", "x")])));
        assert!(
            !s.matches(&labels(&[("app", "web"), ("tier", "a")])),
            "Exists"
        );
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("tier", "a"),
            ("team", "x"),
            ("legacy", "1")
        ])));
        assert!(!s.matches(&labels(&[
            ("app", "web"),
            ("tier", "a"),
            ("team", "x"),
            ("track", "canary")
        ])));
        assert!(s.matches(&labels(&[
            ("app", "web"),
            ("tier", "b"),
            ("team", "x"),
            ("track", "stable")
        ])));
        // NotIn also selects objects without the label; an unknown operator selects nothing.
        let odd = selector("matchExpressions:\n- {key: a, operator: Near, values: [x]}\n");
        assert_eq!(
            odd.expressions[0].operator,
            Operator::Unknown("Near".into())
        );
        assert!(!odd.matches(&labels(&[("a", "x")])));
        assert!(
            LabelSelector::of(None).is_empty() && LabelSelector::of(None).matches(&labels(&[]))
        );
    }
}

/// The label the API server sets on every Namespace: its name.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// A namespace's labels as the API server holds them: those written (none for a namespace
/// without a Namespace object), with [`NAMESPACE_NAME_LABEL`] set to its name whatever was
/// written.
pub fn namespace_labels(
    name: &str,
    mut written: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    written.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
    written
}

#[cfg(test)]
mod namespace_tests {
    use super::*;

    #[test]
    fn the_name_label_is_always_the_name() {
        let written = BTreeMap::from([
            ("team".to_string(), "a".to_string()),
            (NAMESPACE_NAME_LABEL.to_string(), "spoofed".to_string()),
        ]);
        let l = namespace_labels("shop", written);
        assert_eq!(
            l.get(NAMESPACE_NAME_LABEL).map(String::as_str),
            Some("shop")
        );
        assert_eq!(l.get("team").map(String::as_str), Some("a"));
        assert_eq!(namespace_labels("x", BTreeMap::new()).len(), 1);
    }
}
