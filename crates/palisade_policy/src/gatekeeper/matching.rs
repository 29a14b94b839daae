//! A constraint's `spec.match`, evaluated as Gatekeeper evaluates it: every criterion given
//! must hold (kinds, scope, namespaces, excludedNamespaces, labelSelector,
//! namespaceSelector, name).

use palisade_model::labels::LabelSelector;
use serde_json::Value;

use crate::data::ClusterData;
use crate::load::strings;
use crate::review::{Review, labels_of};

/// One `kinds` entry.
#[derive(Debug, Clone, Default)]
pub struct KindMatch {
    /// API groups (`""` is the core group, `*` any).
    pub groups: Vec<String>,
    /// Kinds (`*` any).
    pub kinds: Vec<String>,
}

/// `spec.match`.
#[derive(Debug, Clone, Default)]
pub struct Match {
    /// `kinds`; empty matches every kind.
    pub kinds: Vec<KindMatch>,
    /// `scope`: `*`, `Namespaced` or `Cluster`.
    pub scope: Option<String>,
    /// `namespaces` (prefix `abc*` and suffix `*abc` globs).
    pub namespaces: Option<Vec<String>>,
    /// `excludedNamespaces`.
    pub excluded_namespaces: Vec<String>,
    /// `labelSelector`.
    pub label_selector: Option<LabelSelector>,
    /// `namespaceSelector`.
    pub namespace_selector: Option<LabelSelector>,
    /// `name` (a glob).
    pub name: Option<String>,
}

impl Match {
    /// Read `spec.match` (absent: matches everything).
    pub fn parse(value: Option<&Value>) -> Result<Match, String> {
        let Some(value) = value else {
            return Ok(Match::default());
        };
        let kinds = (value.get("kinds").and_then(Value::as_array))
            .map(|a| {
                a.iter()
                    .map(|k| KindMatch {
                        groups: strings(k.get("apiGroups")),
                        kinds: strings(k.get("kinds")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let scope = value.get("scope").and_then(Value::as_str).map(String::from);
        if let Some(s) = &scope
            && !matches!(s.as_str(), "*" | "Namespaced" | "Cluster")
        {
            return Err(format!(
                "`match.scope` is `{s}`; it must be `*`, `Namespaced` or `Cluster`"
            ));
        }
        Ok(Match {
            kinds,
            scope,
            namespaces: value.get("namespaces").map(|v| strings(Some(v))),
            excluded_namespaces: strings(value.get("excludedNamespaces")),
            label_selector: value.get("labelSelector").map(selector),
            namespace_selector: value.get("namespaceSelector").map(selector),
            name: value.get("name").and_then(Value::as_str).map(String::from),
        })
    }

    /// The (group, resource) pairs `kinds` names; `None` when it names every kind or group
    /// (or is empty, which matches everything).
    pub fn resources(&self) -> Option<Vec<(String, String)>> {
        if self.kinds.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for k in &self.kinds {
            if k.groups.is_empty() || k.kinds.is_empty() {
                return None;
            }
            for g in &k.groups {
                for kind in &k.kinds {
                    if g == "*" || kind == "*" {
                        return None;
                    }
                    let resource = palisade_model::resources::builtin_resource_of_kind(g, kind)
                        .map(String::from)
                        .unwrap_or_else(|| crate::review::guess_plural(kind));
                    out.push((g.clone(), resource));
                }
            }
        }
        Some(out)
    }

    /// Whether the review is in scope.
    pub fn matches(&self, review: &Review, data: &ClusterData) -> bool {
        self.kind_matches(review)
            && self.scope_matches(review)
            && self.namespaces_match(review)
            && self.labels_match(review)
            && self.namespace_selector_matches(review, data)
            && self.name.as_deref().is_none_or(|g| glob(g, &review.name))
    }

    fn kind_matches(&self, review: &Review) -> bool {
        self.kinds.is_empty()
            || self.kinds.iter().any(|k| {
                (k.groups.is_empty() || k.groups.iter().any(|g| g == "*" || g == review.group()))
                    && (k.kinds.is_empty() || k.kinds.iter().any(|x| x == "*" || *x == review.kind))
            })
    }

    fn scope_matches(&self, review: &Review) -> bool {
        match self.scope.as_deref() {
            Some("Namespaced") => review.is_namespaced(),
            Some("Cluster") => !review.is_namespaced(),
            _ => true,
        }
    }

    /// The namespace criteria see a Namespace's own name; other cluster-scoped objects are
    /// outside their reach and match.
    fn namespaces_match(&self, review: &Review) -> bool {
        let Some(ns) = own_namespace(review) else {
            return true;
        };
        self.namespaces
            .as_ref()
            .is_none_or(|list| list.iter().any(|g| glob(g, ns)))
            && !self.excluded_namespaces.iter().any(|g| glob(g, ns))
    }

    fn labels_match(&self, review: &Review) -> bool {
        self.label_selector
            .as_ref()
            .is_none_or(|s| s.matches(&review.labels()))
    }

    /// A Namespace is selected by its own labels; a namespaced object by its namespace's
    /// (from the run's Namespace objects or the request); cluster-scoped objects match.
    fn namespace_selector_matches(&self, review: &Review, data: &ClusterData) -> bool {
        let Some(selector) = &self.namespace_selector else {
            return true;
        };
        if review.kind == "Namespace" && review.group().is_empty() {
            return selector.matches(&review.labels());
        }
        if review.namespace.is_empty() {
            return true;
        }
        let labels = namespace_object(review, data)
            .map(|ns| labels_of(&ns))
            .unwrap_or_default();
        selector.matches(&labels)
    }
}

/// The namespace object of a review: the request's, else the run's, else a Namespace with the
/// name and the one label the API server always sets (a manifest scan rarely holds its
/// Namespaces).
pub fn namespace_object(review: &Review, data: &ClusterData) -> Option<Value> {
    if review.namespace.is_empty() {
        return None;
    }
    if let Some(ns) = &review.request.namespace_object {
        return Some(ns.clone());
    }
    if let Some(ns) = data.namespace(&review.namespace) {
        return Some((**ns).clone());
    }
    Some(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": review.namespace,
            "labels": {"kubernetes.io/metadata.name": review.namespace},
        },
    }))
}

fn own_namespace(review: &Review) -> Option<&str> {
    if review.kind == "Namespace" && review.group().is_empty() {
        Some(&review.name)
    } else if review.namespace.is_empty() {
        None
    } else {
        Some(&review.namespace)
    }
}

fn selector(value: &Value) -> LabelSelector {
    LabelSelector::from_json(value)
}

/// Gatekeeper's wildcard: `abc*` (prefix), `*abc` (suffix), `*abc*` (contains), or the exact
/// text.
pub fn glob(pattern: &str, text: &str) -> bool {
    if pattern.len() >= 2
        && let Some(inner) = pattern.strip_prefix('*').and_then(|p| p.strip_suffix('*'))
    {
        text.contains(inner)
    } else if let Some(prefix) = pattern.strip_suffix('*') {
        text.starts_with(prefix)
    } else if let Some(suffix) = pattern.strip_prefix('*') {
        text.ends_with(suffix)
    } else {
        pattern == text
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn review(v: Value) -> Review {
        Review::of_object(Arc::new(v))
    }

    #[test]
    fn globs_match_prefixes_and_suffixes() {
        assert!(glob("kube-*", "kube-system"));
        assert!(glob("*-system", "kube-system"));
        assert!(!glob("kube-*", "default"));
        assert!(glob("default", "default"));
        assert!(glob("*system*", "kube-system-x"));
        assert!(glob("*", "anything"));
    }

    #[test]
    fn every_criterion_must_hold() {
        let m = Match::parse(Some(&json!({
            "kinds": [{"apiGroups": [""], "kinds": ["Pod"]}],
            "excludedNamespaces": ["kube-*"],
            "labelSelector": {"matchLabels": {"app": "web"}}
        })))
        .unwrap();
        let data = ClusterData::default();
        let pod = |ns: &str, app: &str| {
            review(json!({"apiVersion": "v1", "kind": "Pod",
                          "metadata": {"name": "p", "namespace": ns, "labels": {"app": app}}}))
        };
        assert!(m.matches(&pod("shop", "web"), &data));
        assert!(!m.matches(&pod("kube-system", "web"), &data));
        assert!(!m.matches(&pod("shop", "db"), &data));
        let deploy = review(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                                   "metadata": {"name": "d", "namespace": "shop", "labels": {"app": "web"}}}));
        assert!(!m.matches(&deploy, &data));
    }

    #[test]
    fn namespace_selectors_read_the_runs_namespaces() {
        let m = Match::parse(Some(
            &json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}}),
        ))
        .unwrap();
        let data = ClusterData::new([json!({"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": "shop", "labels": {"env": "prod"}}})]);
        let in_ns = |ns: &str| {
            review(
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": ns}}),
            )
        };
        assert!(m.matches(&in_ns("shop"), &data));
        assert!(!m.matches(&in_ns("dev"), &data));
        let cluster = review(
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}}),
        );
        assert!(m.matches(&cluster, &data));
    }

    #[test]
    fn an_unknown_scope_is_refused() {
        assert!(Match::parse(Some(&json!({"scope": "Everywhere"}))).is_err());
    }
}
