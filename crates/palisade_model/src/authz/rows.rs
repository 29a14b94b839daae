//! A subject's permissions grouped for reading: one row per namespace and resource (or URL),
//! with the verbs merged and what grants them.

use std::collections::BTreeMap;

use super::{Permission, Via};

/// One row of a subject's permissions: the verbs, and the bindings and roles that grant them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Row {
    /// Verbs, in the order the rules give them.
    pub verbs: Vec<String>,
    /// What grants them.
    pub via: Vec<Via>,
}

/// A resource row: (namespace, API group, resource, subresource, resource names).
pub type RowKey = (Option<String>, String, String, Option<String>, Vec<String>);

/// A subject's permissions as rows: resources, and non-resource URLs by (namespace, URL).
#[derive(Debug, Default)]
pub struct PermissionRows {
    /// Resource rows.
    pub resources: BTreeMap<RowKey, Row>,
    /// Non-resource URL rows.
    pub urls: BTreeMap<(String, String), Row>,
}

/// Expand rules into (namespace, group, resource, subresource, names) rows with merged verbs.
pub fn permission_rows(perms: &[Permission]) -> PermissionRows {
    let mut resources: BTreeMap<RowKey, Row> = BTreeMap::new();
    let mut urls: BTreeMap<(String, String), Row> = BTreeMap::new();
    let merge = |row: &mut Row, p: &Permission| {
        for v in &p.rule.verbs {
            if !row.verbs.contains(v) {
                row.verbs.push(v.clone());
            }
        }
        if !row.via.contains(&p.via) {
            row.via.push(p.via.clone());
        }
    };
    for p in perms {
        for url in &p.rule.non_resource_urls {
            let ns = p.namespace.clone().unwrap_or_default();
            merge(urls.entry((ns, url.clone())).or_default(), p);
        }
        for group in &p.rule.api_groups {
            for resource in &p.rule.resources {
                let (r, s) = match resource.split_once('/') {
                    Some((r, s)) => (r.to_string(), Some(s.to_string())),
                    None => (resource.clone(), None),
                };
                let key = (
                    p.namespace.clone(),
                    group.clone(),
                    r,
                    s,
                    p.rule.resource_names.clone(),
                );
                merge(resources.entry(key).or_default(), p);
            }
        }
    }
    PermissionRows { resources, urls }
}
