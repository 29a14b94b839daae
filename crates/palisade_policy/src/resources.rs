//! `MatchResources` (admissionregistration.k8s.io/v1), as the API server's matcher evaluates
//! it for ValidatingAdmissionPolicies and their bindings, and as Kyverno's ValidatingPolicy
//! reuses it: namespace selector, object selector, excluded rules, then rules.

use palisade_model::labels::LabelSelector;
use serde_json::Value;

use crate::data::ClusterData;
use crate::gatekeeper::matching::namespace_object;
use crate::load::strings;
use crate::review::{Review, labels_of};

/// One `resourceRules` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceRule {
    /// `apiGroups` (`*` any).
    pub groups: Vec<String>,
    /// `apiVersions` (`*` any).
    pub versions: Vec<String>,
    /// `resources` (`pods`, `pods/status`, `*`, `*/*`, `*/scale`).
    pub resources: Vec<String>,
    /// `operations` (`*` any).
    pub operations: Vec<String>,
    /// `scope`: `*`, `Namespaced` or `Cluster`.
    pub scope: String,
    /// `resourceNames` (empty: any).
    pub names: Vec<String>,
}

/// `matchConstraints` of a policy or `matchResources` of a binding.
#[derive(Debug, Clone, Default)]
pub struct MatchResources {
    /// `resourceRules` (empty: every resource, which only a binding may say).
    pub rules: Vec<ResourceRule>,
    /// `excludeResourceRules`.
    pub excluded: Vec<ResourceRule>,
    /// `namespaceSelector` (absent: `{}`, everything).
    pub namespace_selector: LabelSelector,
    /// `objectSelector` (absent: `{}`).
    pub object_selector: LabelSelector,
    /// Kyverno's matcher also matches `resourceNames` by `generateName`.
    pub names_match_generate_name: bool,
}

impl ResourceRule {
    fn parse(v: &Value) -> ResourceRule {
        ResourceRule {
            groups: strings(v.get("apiGroups")),
            versions: strings(v.get("apiVersions")),
            resources: strings(v.get("resources")),
            operations: strings(v.get("operations")),
            scope: v
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or("*")
                .to_string(),
            names: strings(v.get("resourceNames")),
        }
    }

    /// Whether the rule covers the review.
    pub fn matches(&self, review: &Review, names_by_generate: bool) -> bool {
        let any = |list: &[String], value: &str| list.iter().any(|x| x == "*" || x == value);
        let resource = review.resource();
        let sub = review.request.sub_resource.as_str();
        let resource_ok = self.resources.iter().any(|r| {
            let (res, rsub) = r.split_once('/').unwrap_or((r.as_str(), ""));
            (res == "*" || res == resource) && (rsub == "*" || rsub == sub)
        });
        let cluster = review.namespace.is_empty() || resource == "namespaces";
        let scope_ok = match self.scope.as_str() {
            "Namespaced" => !cluster,
            "Cluster" => cluster,
            _ => true,
        };
        let names_ok = self.names.is_empty()
            || self.names.contains(&review.name)
            || (names_by_generate && review.name.is_empty() && {
                let generate = (review.any_object().pointer("/metadata/generateName"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                !generate.is_empty() && self.names.iter().any(|n| n.starts_with(generate))
            });
        any(&self.groups, review.group())
            && any(&self.versions, review.version())
            && resource_ok
            && any(&self.operations, review.request.operation.as_str())
            && scope_ok
            && names_ok
    }
}

impl MatchResources {
    /// Read a `MatchResources` (absent: everything).
    pub fn parse(v: Option<&Value>) -> MatchResources {
        let Some(v) = v else {
            return MatchResources::default();
        };
        let rules = |key: &str| -> Vec<ResourceRule> {
            (v.get(key).and_then(Value::as_array))
                .map(|a| a.iter().map(ResourceRule::parse).collect())
                .unwrap_or_default()
        };
        MatchResources {
            rules: rules("resourceRules"),
            excluded: rules("excludeResourceRules"),
            namespace_selector: v
                .get("namespaceSelector")
                .map(LabelSelector::from_json)
                .unwrap_or_default(),
            object_selector: v
                .get("objectSelector")
                .map(LabelSelector::from_json)
                .unwrap_or_default(),
            names_match_generate_name: false,
        }
    }

    /// Whether the review is matched, in the API server's order.
    pub fn matches(&self, review: &Review, data: &ClusterData) -> bool {
        if !self.namespace_matches(review, data) || !self.object_matches(review) {
            return false;
        }
        if self
            .excluded
            .iter()
            .any(|r| r.matches(review, self.names_match_generate_name))
        {
            return false;
        }
        self.rules.is_empty()
            || self
                .rules
                .iter()
                .any(|r| r.matches(review, self.names_match_generate_name))
    }

    fn namespace_matches(&self, review: &Review, data: &ClusterData) -> bool {
        if self.namespace_selector.is_empty() {
            return true;
        }
        if review.kind == "Namespace" && review.group().is_empty() {
            return self.namespace_selector.matches(&review.labels());
        }
        if review.namespace.is_empty() {
            return true;
        }
        let labels = namespace_object(review, data)
            .map(|ns| labels_of(&ns))
            .unwrap_or_default();
        self.namespace_selector.matches(&labels)
    }

    /// The object or the old object has matching labels.
    fn object_matches(&self, review: &Review) -> bool {
        if self.object_selector.is_empty() {
            return true;
        }
        let candidates = [Some(&*review.object), review.request.old_object.as_ref()];
        candidates
            .into_iter()
            .flatten()
            .filter(|o| !o.is_null())
            .any(|o| self.object_selector.matches(&labels_of(o)))
    }

    /// The (group, resource) pairs the rules name; `None` when a rule names every group or
    /// resource (or there are no rules, which matches everything).
    pub fn resources(&self) -> Option<Vec<(String, String)>> {
        if self.rules.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for r in &self.rules {
            for g in &r.groups {
                for res in &r.resources {
                    if g == "*" || res == "*" || res.starts_with("*/") {
                        return None;
                    }
                    out.push((g.clone(), res.clone()));
                }
            }
        }
        Some(out)
    }

    /// Whether these constraints match only core v1 Pods (Kyverno's autogen condition).
    pub fn only_pods(&self) -> bool {
        self.object_selector.is_empty()
            && self.excluded.is_empty()
            && matches!(self.rules.as_slice(), [r] if r.names.is_empty()
                && r.groups == [""] && r.versions == ["v1"] && r.resources == ["pods"])
    }
}

/// Kinds a ValidatingAdmissionPolicy can never match (the API server exempts its own
/// admission configuration).
pub fn is_exempt_admission_configuration(review: &Review) -> bool {
    review.group() == "admissionregistration.k8s.io"
        && matches!(
            review.kind.as_str(),
            "ValidatingAdmissionPolicy"
                | "ValidatingAdmissionPolicyBinding"
                | "MutatingAdmissionPolicy"
                | "MutatingAdmissionPolicyBinding"
                | "ValidatingWebhookConfiguration"
                | "MutatingWebhookConfiguration"
        )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn pod(labels: Value) -> Review {
        Review::of_object(Arc::new(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "shop", "labels": labels}})))
    }

    #[test]
    fn rules_match_group_version_resource_operation_and_scope() {
        let m = MatchResources::parse(Some(&json!({"resourceRules": [
            {"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"], "operations": ["CREATE", "UPDATE"]}
        ]})));
        let data = ClusterData::default();
        assert!(m.matches(&pod(json!({})), &data));
        let deploy = Review::of_object(Arc::new(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}),
        ));
        assert!(!m.matches(&deploy, &data));
        assert!(m.only_pods());
        let all = MatchResources::parse(Some(
            &json!({"resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"], "operations": ["*"], "scope": "Cluster"}]}),
        ));
        assert!(!all.matches(&pod(json!({})), &data));
        assert!(all.matches(&deploy, &data));
    }

    #[test]
    fn object_selectors_and_exclusions_apply() {
        let m = MatchResources::parse(Some(&json!({
            "resourceRules": [{"apiGroups": ["*"], "apiVersions": ["*"], "resources": ["*"], "operations": ["*"]}],
            "objectSelector": {"matchLabels": {"team": "a"}},
            "excludeResourceRules": [{"apiGroups": [""], "apiVersions": ["*"], "resources": ["pods"], "operations": ["*"], "resourceNames": ["skip-me"]}]
        })));
        let data = ClusterData::default();
        assert!(m.matches(&pod(json!({"team": "a"})), &data));
        assert!(!m.matches(&pod(json!({"team": "b"})), &data));
        let skipped = Review::of_object(Arc::new(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "skip-me", "labels": {"team": "a"}}}),
        ));
        assert!(!m.matches(&skipped, &data));
    }

    #[test]
    fn subresource_patterns_follow_the_api_server() {
        let rule = |r: &str| ResourceRule {
            groups: vec!["*".into()],
            versions: vec!["*".into()],
            resources: vec![r.into()],
            operations: vec!["*".into()],
            scope: "*".into(),
            names: vec![],
        };
        let p = pod(json!({}));
        assert!(rule("pods").matches(&p, false));
        assert!(rule("pods/*").matches(&p, false));
        assert!(rule("*").matches(&p, false));
        assert!(!rule("pods/status").matches(&p, false));
    }
}
