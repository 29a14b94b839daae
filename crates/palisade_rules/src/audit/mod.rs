//! Audit logging configuration: the audit `Policy` (`audit.k8s.io`) and what it records.

pub mod detect;
pub mod policy_coverage;
pub mod policy_leaks_secrets;

use palisade_engine::prelude::*;

/// One rule of an audit policy, reduced to what decides which level a request gets.
pub(crate) struct AuditRule<'d> {
    pub index: usize,
    pub level: &'d str,
    /// `(group, resources)` selectors; empty means every resource.
    pub resources: Vec<(&'d str, Vec<&'d str>)>,
    /// Whether the rule is limited by users, groups, verbs, namespaces or URLs (so it applies to
    /// only some requests).
    pub conditional: bool,
}

impl AuditRule<'_> {
    /// Whether the rule selects requests on `group`/`resource` (`resource` may be `pods/exec`).
    pub fn selects(&self, group: &str, resource: &str) -> bool {
        if self.resources.is_empty() {
            return true;
        }
        let sub = resource.split_once('/').map(|(_, s)| s);
        self.resources.iter().any(|(g, names)| {
            *g == group
                && (names.is_empty()
                    || names.iter().any(|n| {
                        *n == "*"
                            || *n == resource
                            || sub.is_some_and(|s| n.strip_prefix("*/") == Some(s))
                    }))
        })
    }

    /// Whether the level records request bodies.
    pub fn records_bodies(&self) -> bool {
        matches!(self.level, "Request" | "RequestResponse")
    }
}

/// The rules of an audit Policy object, or `None` for other objects.
pub(crate) fn audit_rules<'d>(object: &Object<'d, '_>) -> Option<Vec<AuditRule<'d>>> {
    if object.kind != "Policy" || !object.api_version.starts_with("audit.k8s.io/") {
        return None;
    }
    let rules = object.root.get("rules")?;
    Some(
        rules
            .items()
            .enumerate()
            .map(|(index, r)| AuditRule {
                index,
                level: r.get("level").and_then(|l| l.as_str()).unwrap_or("None"),
                resources: r
                    .get("resources")
                    .map(|list| {
                        list.items()
                            .map(|g| {
                                let group = g.get("group").and_then(|x| x.as_str()).unwrap_or("");
                                let names = g
                                    .get("resources")
                                    .map(|n| n.items().filter_map(|i| i.as_str()).collect())
                                    .unwrap_or_default();
                                (group, names)
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                conditional: [
                    "users",
                    "userGroups",
                    "verbs",
                    "namespaces",
                    "nonResourceURLs",
                ]
                .iter()
                .any(|k| r.get(k).is_some_and(|v| v.items().len() > 0)),
            })
            .collect(),
    )
}
