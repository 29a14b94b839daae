//! RBAC analysis as people read it: who can, can I, a subject's permissions, and the
//! granted-versus-used comparison of `rbac generate --diff`. Names come from the input: text
//! goes through a [`crate::terminal::TerminalWriter`] at the caller.

use std::io::{self, Write};

use palisade_model::authz::{
    Decision, PermissionRows, Request, Scope, SubjectRef, Target, UnknownVia, Via, WhoCan,
};
use serde_json::{Value, json};

/// Standard verbs, in the order the matrix shows them.
pub const VERBS: [&str; 8] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

/// Bindings and roles, for JSON.
pub fn via_json(via: &[Via]) -> serde_json::Value {
    via.iter()
        .map(|v| {
            json!({
                "binding": v.binding,
                "role": v.role,
                "builtinBinding": v.builtin_binding,
                "builtinRole": v.builtin_role,
            })
        })
        .collect()
}

/// Bindings to missing roles, for JSON.
pub fn unknown_json(via: &[UnknownVia]) -> serde_json::Value {
    via.iter()
        .map(|v| json!({"binding": v.binding, "role": v.role}))
        .collect()
}

/// `via BINDING -> ROLE`, built-in parts marked.
pub fn via_text(v: &Via) -> String {
    let mark = |builtin: bool| if builtin { " (built-in)" } else { "" };
    format!(
        "via {}{} -> {}{}",
        v.binding,
        mark(v.builtin_binding),
        v.role,
        mark(v.builtin_role)
    )
}

/// A subject, for JSON.
pub fn subject_json(s: &SubjectRef) -> serde_json::Value {
    json!({"kind": s.kind.as_str(), "name": s.name, "namespace": s.namespace})
}

/// `rbac who-can --format json`.
pub fn who_can_json(found: &WhoCan, warnings: &[String]) -> Value {
    let with = |s: &SubjectRef, via: Value| {
        let mut v = subject_json(s);
        v["via"] = via;
        v
    };
    let subjects: Vec<Value> = (found.subjects.iter())
        .map(|(s, via)| with(s, via_json(via)))
        .collect();
    let unknown: Vec<Value> = (found.unknown.iter())
        .map(|(s, via)| with(s, unknown_json(via)))
        .collect();
    json!({ "subjects": subjects, "unknown": unknown, "warnings": warnings })
}

/// `rbac who-can`: each subject allowed and how, then those whose roles are missing.
pub fn write_who_can(out: &mut impl Write, found: &WhoCan) -> io::Result<()> {
    if found.subjects.is_empty() {
        writeln!(out, "No subject in the input may do that.")?;
    }
    for (subject, via) in &found.subjects {
        writeln!(out, "{}", subject.display())?;
        for v in via {
            writeln!(out, "    {}", via_text(v))?;
        }
    }
    if !found.unknown.is_empty() {
        writeln!(
            out,
            "\nUnknown: bound to roles neither in the input nor built in, which may allow it:"
        )?;
        for (subject, via) in &found.unknown {
            writeln!(out, "{}", subject.display())?;
            for v in via {
                writeln!(out, "    via {} -> {} (missing)", v.binding, v.role)?;
            }
        }
    }
    Ok(())
}

/// `rbac can-i --format json`.
pub fn can_i_json(decision: &Decision, warnings: &[String]) -> Value {
    json!({
        "allowed": !decision.allowed.is_empty(),
        "decision": decision.as_str(),
        "via": via_json(&decision.allowed),
        "unknown": unknown_json(&decision.unknown),
        "warnings": warnings,
    })
}

/// `rbac can-i`: yes, no or unknown, and why.
pub fn write_can_i(out: &mut impl Write, decision: &Decision) -> io::Result<()> {
    writeln!(out, "{}", decision.as_str())?;
    for v in &decision.allowed {
        writeln!(out, "    {}", via_text(v))?;
    }
    if decision.allowed.is_empty() {
        for v in &decision.unknown {
            writeln!(
                out,
                "    via {} -> {} (missing: what it grants is unknown)",
                v.binding, v.role
            )?;
        }
    }
    Ok(())
}

/// `rbac permissions --format json`.
pub fn permissions_json(subject: &SubjectRef, rows: &PermissionRows) -> Value {
    let rules: Vec<Value> = rows
        .resources
        .iter()
        .map(|((ns, group, resource, sub, names), row)| {
            json!({
                "namespace": ns,
                "apiGroup": group,
                "resource": resource,
                "subresource": sub,
                "resourceNames": names,
                "verbs": row.verbs,
                "via": via_json(&row.via),
            })
        })
        .collect();
    let urls: Vec<Value> = rows
        .urls
        .iter()
        .map(|((_, url), row)| json!({"nonResourceURL": url, "verbs": row.verbs, "via": via_json(&row.via)}))
        .collect();
    json!({
        "subject": subject_json(subject),
        "rules": rules,
        "nonResourceURLs": urls,
    })
}

/// `rbac permissions`: a matrix of the standard verbs per namespace and resource, then the
/// non-resource URLs.
pub fn write_permissions(
    out: &mut impl Write,
    subject: &SubjectRef,
    rows: &PermissionRows,
) -> io::Result<()> {
    let (resources, urls) = (&rows.resources, &rows.urls);
    writeln!(out, "{}", subject.display())?;
    if resources.is_empty() && urls.is_empty() {
        writeln!(out, "No permission in the input.")?;
    }
    if !resources.is_empty() {
        let header: Vec<String> = VERBS.iter().map(|v| v.to_string()).collect();
        writeln!(
            out,
            "\n{:<16} {:<40} {}  other",
            "NAMESPACE",
            "RESOURCE",
            header.join(" ")
        )?;
        for ((ns, group, resource, sub, names), row) in resources {
            let mut what = if group.is_empty() {
                resource.clone()
            } else {
                format!("{resource}.{group}")
            };
            if let Some(s) = sub {
                what.push('/');
                what.push_str(s);
            }
            if !names.is_empty() {
                what.push_str(&format!(" [{}]", names.join(",")));
            }
            let all = row.verbs.iter().any(|v| v == "*");
            let cells: Vec<String> = VERBS
                .iter()
                .map(|v| {
                    let mark = if all || row.verbs.iter().any(|x| x == v) {
                        "✓"
                    } else {
                        "·"
                    };
                    format!("{mark:^width$}", width = v.len())
                })
                .collect();
            let other: Vec<&str> = row
                .verbs
                .iter()
                .map(String::as_str)
                .filter(|v| !VERBS.contains(v) && *v != "*")
                .collect();
            writeln!(
                out,
                "{:<16} {:<40} {}  {}",
                ns.as_deref().unwrap_or("(cluster)"),
                what,
                cells.join(" "),
                if all {
                    "*".to_string()
                } else {
                    other.join(",")
                }
            )?;
        }
    }
    if !urls.is_empty() {
        writeln!(out, "\nNON-RESOURCE URL                         VERBS")?;
        for ((_, url), row) in urls {
            writeln!(out, "{url:<40} {}", row.verbs.join(","))?;
        }
    }
    Ok(())
}

/// `rbac generate --diff`: the subject's permissions, one line per namespace and resource (or
/// URL) with its verbs (`granted`), and the same lines keeping only the verbs some request
/// used (`used`).
pub fn grant_usage(rows: &PermissionRows, requests: &[Request]) -> (String, String) {
    let (resources, urls) = (&rows.resources, &rows.urls);
    let mut granted = String::new();
    let mut used = String::new();
    let scope_of = |ns: &Option<String>| match ns {
        Some(ns) => Scope::Namespace(ns.clone()),
        None => Scope::AnyNamespace,
    };
    for ((ns, group, resource, sub, names), row) in resources {
        let rule = palisade_model::authz::Rule {
            verbs: row.verbs.clone(),
            api_groups: vec![group.clone()],
            resources: vec![match sub {
                Some(s) => format!("{resource}/{s}"),
                None => resource.clone(),
            }],
            resource_names: names.clone(),
            non_resource_urls: Vec::new(),
        };
        let in_scope = |r: &Request| match (&scope_of(ns), &r.scope) {
            (Scope::Namespace(a), Scope::Namespace(b)) => a == b,
            (Scope::Namespace(_), _) => false,
            _ => true,
        };
        // The verbs of logged requests this row allows (a `*` row shows the verbs used).
        let mut verbs_used: Vec<String> = Vec::new();
        for r in requests.iter().filter(|r| in_scope(r) && rule.allows(r)) {
            if !verbs_used.contains(&r.verb) {
                verbs_used.push(r.verb.clone());
            }
        }
        verbs_used.sort_by_key(|v| row.verbs.iter().position(|x| x == v).unwrap_or(usize::MAX));
        let what = format!(
            "{:<16} {}{}{}{}",
            ns.as_deref().unwrap_or("(cluster)"),
            if group.is_empty() {
                String::new()
            } else {
                format!("{group}/")
            },
            resource,
            sub.as_ref().map(|s| format!("/{s}")).unwrap_or_default(),
            if names.is_empty() {
                String::new()
            } else {
                format!(" [{}]", names.join(","))
            }
        );
        granted.push_str(&format!("{what}  {}\n", row.verbs.join(",")));
        if !verbs_used.is_empty() {
            used.push_str(&format!("{what}  {}\n", verbs_used.join(",")));
        }
    }
    for ((_, url), row) in urls {
        granted.push_str(&format!("{:<16} {url}  {}\n", "(url)", row.verbs.join(",")));
        let seen: Vec<&String> = row
            .verbs
            .iter()
            .filter(|v| {
                requests.iter().any(|r| {
                    matches!(&r.target, Target::NonResource(p) if p == url || url.ends_with('*') && p.starts_with(url.trim_end_matches('*')))
                        && (*v == "*" || r.verb == **v)
                })
            })
            .collect();
        if !seen.is_empty() {
            let seen: Vec<&str> = seen.iter().map(|s| s.as_str()).collect();
            used.push_str(&format!("{:<16} {url}  {}\n", "(url)", seen.join(",")));
        }
    }
    (granted, used)
}
