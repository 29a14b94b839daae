//! `palisade rbac who-can | can-i | permissions | risks | unused | generate`: who may do what,
//! and through which binding and role, from manifests, charts, kustomizations or a snapshot.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_diagnostics::{Finding, FindingList, InputError, RuleMeta, Summary};
use palisade_model::authz::manifest::least_privilege_grants;
use palisade_model::authz::{
    Identity, Permission, RbacGraph, Request, Scope, SubjectKind, SubjectRef, Target, UnknownVia,
    Via,
};
use serde_json::json;

use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_UNKNOWN};
use palisade_config::FailOn;
use palisade_report::terminal::{TerminalWriter, printable};
use palisade_report::{Format, Report, Sources};

/// `palisade rbac` subcommands.
#[derive(Debug, Subcommand)]
pub enum RbacCommand {
    /// List the subjects allowed to make a request, with the binding and role behind each.
    WhoCan(WhoCanArgs),
    /// Say whether a subject may make a request (exit 0 yes, 1 no).
    CanI(CanIArgs),
    /// Print everything a subject is granted, as a resource × verb matrix.
    Permissions(PermissionsArgs),
    /// Report every dangerous power each subject holds, with its escalation path in words.
    Risks(RisksArgs),
    /// Report roles bound to nothing, bindings to missing roles or subjects, ServiceAccounts
    /// with grants but no workload, grants to default ServiceAccounts and legacy token Secrets:
    /// `palisade scan` with those rules only (takes `scan`'s options).
    Unused(Box<crate::cli::ScanArgs>),
    /// Write least-privilege Roles, ClusterRoles and bindings for what a subject did, from
    /// Kubernetes audit events (audit.k8s.io/v1 JSON lines).
    Generate(GenerateArgs),
}

/// `palisade rbac generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The audit log: one audit.k8s.io/v1 event per line (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    from_audit: PathBuf,

    /// The user whose requests to grant.
    #[arg(
        long,
        value_name = "USER",
        conflicts_with = "serviceaccount",
        required_unless_present = "serviceaccount"
    )]
    user: Option<String>,

    /// The ServiceAccount whose requests to grant, as NAMESPACE/NAME.
    #[arg(long, value_name = "NS/NAME")]
    serviceaccount: Option<String>,

    /// Name of the generated roles and bindings (default: palisade-<subject name>).
    #[arg(long)]
    name: Option<String>,

    /// Instead of roles, print what the subject is granted today (from PATHs) against what
    /// the log shows it using, as a unified diff: every `-` is a permission never used.
    #[arg(long)]
    diff: bool,

    /// With --diff: files and directories holding the current RBAC objects. Default: `.`.
    #[arg(value_name = "PATH", requires = "diff")]
    paths: Vec<PathBuf>,

    // With --diff: the namespace of objects without one.
    #[arg(
        short,
        long,
        value_name = "NAMESPACE",
        requires = "diff",
        help = crate::cli::namespace_help!(" (with --diff; without it they stay without one)")
    )]
    namespace: Option<String>,

    /// With --diff: do not add the roles and bindings every API server creates.
    #[arg(long, requires = "diff")]
    no_builtin_roles: bool,

    /// Time limits, symbolic links and remote bases.
    #[command(flatten)]
    input: crate::cli::ReadingArgs,
}

/// `palisade rbac risks`.
#[derive(Debug, Args)]
pub struct RisksArgs {
    /// Files and directories holding RBAC objects (`-` for standard input). Default: `.`.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format: text, json, sarif or junit.
    #[arg(short, long, default_value = "text")]
    format: String,

    /// Do not render Helm charts or build kustomizations.
    #[arg(long)]
    no_render: bool,

    /// Time limits, symbolic links and remote bases.
    #[command(flatten)]
    input: crate::cli::ReadingArgs,

    /// Exit 1 when a risk is at least this severe: info, low (default), medium, high,
    /// critical, or never.
    #[arg(long, default_value = "low")]
    fail_on: String,

    // The namespace of objects without one.
    #[arg(
        short,
        long,
        value_name = "NAMESPACE",
        help = crate::cli::namespace_help!(" (without it they stay without one)")
    )]
    namespace: Option<String>,

    /// Do not add the roles and bindings every API server creates (`admin`, `edit`, `view`,
    /// `system:*`); bindings to them then count as bindings to unknown roles.
    #[arg(long)]
    no_builtin_roles: bool,
}

/// Where the RBAC objects come from, and how to print.
#[derive(Debug, Args)]
pub struct Source {
    /// Files and directories holding RBAC objects (`-` for standard input). Default: `.`.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format: text or json.
    #[arg(short, long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,

    /// Do not render Helm charts or build kustomizations.
    #[arg(long)]
    pub no_render: bool,

    /// Time limits, symbolic links and remote bases.
    #[command(flatten)]
    pub input: crate::cli::ReadingArgs,

    /// Do not add the roles and bindings every API server creates (`admin`, `edit`, `view`,
    /// `system:*`); bindings to them then count as bindings to unknown roles.
    #[arg(long)]
    pub no_builtin_roles: bool,
}

/// What is asked for.
#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The verb: get, list, watch, create, update, patch, delete, deletecollection, bind,
    /// escalate, impersonate, approve, …
    pub verb: String,

    /// The resource: `pods`, `pods/exec`, `deployments.apps`, `*`, or a non-resource URL
    /// such as `/metrics`.
    pub resource: String,

    /// The subresource (same as `RESOURCE/SUBRESOURCE`).
    #[arg(long)]
    pub subresource: Option<String>,

    /// The object name (rules with resourceNames match only named requests).
    #[arg(long)]
    pub name: Option<String>,

    // The namespace of objects without one, and of the request.
    #[arg(
        short,
        long,
        value_name = "NAMESPACE",
        help = crate::cli::namespace_help!(
            "; also the namespace of the request. Without it, they stay without one and RoleBindings of every namespace count"
        )
    )]
    pub namespace: Option<String>,

    /// Ask about cluster scope (a cluster-scoped resource, or every namespace at once, as
    /// `list pods -A`): only ClusterRoleBindings count.
    #[arg(long, conflicts_with = "namespace")]
    pub cluster: bool,
}

/// `palisade rbac who-can`.
#[derive(Debug, Args)]
pub struct WhoCanArgs {
    #[command(flatten)]
    request: RequestArgs,
    #[command(flatten)]
    source: Source,
}

/// `palisade rbac can-i`.
#[derive(Debug, Args)]
pub struct CanIArgs {
    /// The subject: `system:serviceaccount:NS:NAME`, `ServiceAccount/NS/NAME`, `NS/NAME`,
    /// `User/NAME`, `Group/NAME`, or a user name.
    #[arg(long = "as", value_name = "SUBJECT")]
    subject: String,
    /// A group of the user (repeatable).
    #[arg(long = "as-group", value_name = "GROUP")]
    groups: Vec<String>,
    #[command(flatten)]
    request: RequestArgs,
    #[command(flatten)]
    source: Source,
}

/// `palisade rbac permissions`.
#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// The subject: `system:serviceaccount:NS:NAME`, `ServiceAccount/NS/NAME`, `NS/NAME`,
    /// `User/NAME`, `Group/NAME`, or a user name.
    subject: String,
    /// A group of the user (repeatable).
    #[arg(long = "as-group", value_name = "GROUP")]
    groups: Vec<String>,
    // The namespace of objects without one.
    #[arg(
        short,
        long,
        value_name = "NAMESPACE",
        help = crate::cli::namespace_help!(" (without it they stay without one)")
    )]
    namespace: Option<String>,
    #[command(flatten)]
    source: Source,
}

/// Run a subcommand.
pub fn command(cmd: &RbacCommand) -> Result<u8> {
    match cmd {
        RbacCommand::WhoCan(a) => who_can(a),
        RbacCommand::CanI(a) => can_i(a),
        RbacCommand::Permissions(a) => permissions(a),
        RbacCommand::Risks(a) => risks(a),
        RbacCommand::Unused(a) => unused(a),
        RbacCommand::Generate(a) => generate(a),
    }
}

/// Where the RBAC objects come from, and how to read them.
pub struct LoadOptions<'a> {
    /// Files and directories (`-` for standard input).
    pub paths: &'a [PathBuf],
    /// Render Helm charts and build kustomizations.
    pub render: bool,
    /// The namespace of namespaced objects without one.
    pub namespace: Option<&'a str>,
    /// Add the API server's bootstrap roles and bindings.
    pub builtin_roles: bool,
    /// Time limits, symbolic links and remote bases.
    pub input: palisade_config::InputSettings,
}

/// The input settings of a command that reads no `palisade.toml`: flags and `PALISADE_*`
/// variables, else the defaults.
fn input_settings(args: &crate::cli::ReadingArgs) -> Result<palisade_config::InputSettings> {
    crate::config::input_settings(args)
}

/// Read every RBAC object under the paths into a resolved graph.
pub fn load(options: &LoadOptions<'_>) -> (RbacGraph, Vec<InputError>) {
    let read = load_counted(options);
    (read.model, read.errors)
}

/// [`load`], with how many files and objects were read (for summaries).
pub fn load_counted(options: &LoadOptions<'_>) -> palisade_scan::Collected<RbacGraph> {
    let namespace = options.namespace;
    let mut read = palisade_scan::collect(
        options.paths,
        options.render,
        &options.input,
        crate::progress::Progress::for_stderr(),
        |g: &mut RbacGraph, o, path, doc| g.add(o, path, doc, namespace),
        RbacGraph::merge,
    );
    if options.builtin_roles {
        read.model.add_builtin_policy();
    }
    read.model.resolve();
    read
}

const SUBJECT_FORMS: &str = "system:serviceaccount:NS:NAME, ServiceAccount/NS/NAME, NS/NAME, \
                             User/NAME, Group/NAME or a user name";

/// Parse a subject in any form Palisade prints or users write: the user name of a
/// ServiceAccount token (`system:serviceaccount:NS:NAME`), `ServiceAccount/NS/NAME`,
/// `ServiceAccount NS/NAME` (as output shows subjects), `NS/NAME` (a ServiceAccount),
/// `User/NAME`, `User NAME`, `Group/NAME`, `Group NAME`, or a bare user name.
pub fn parse_subject(text: &str, groups: &[String]) -> Result<(SubjectRef, Identity)> {
    let text = text.trim();
    let service_account = |ns: &str, name: &str| -> Result<SubjectRef> {
        if ns.is_empty() || name.is_empty() || name.contains(['/', ':']) {
            bail!("`{text}` is not a subject: use {SUBJECT_FORMS}");
        }
        Ok(SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: Some(ns.to_string()),
        })
    };
    let named = |kind: SubjectKind, name: &str| -> Result<SubjectRef> {
        if name.is_empty() {
            bail!("`{text}` is not a subject: use {SUBJECT_FORMS}");
        }
        Ok(SubjectRef {
            kind,
            name: name.to_string(),
            namespace: None,
        })
    };
    // `Kind/rest` or `Kind rest`, the kind in any case.
    let (kind, rest) = match text.split_once(['/', ' ']) {
        Some((k, rest))
            if ["serviceaccount", "sa", "user", "group"]
                .iter()
                .any(|x| k.eq_ignore_ascii_case(x)) =>
        {
            (Some(k.to_ascii_lowercase()), rest.trim())
        }
        _ => (None, text),
    };
    let subject = match (kind.as_deref(), rest) {
        (_, rest) if rest.starts_with("system:serviceaccount:") => {
            let sa = &rest["system:serviceaccount:".len()..];
            match sa.split_once(':') {
                Some((ns, name)) => service_account(ns, name)?,
                None => bail!(
                    "a ServiceAccount user name is system:serviceaccount:NAMESPACE:NAME, not `{text}`"
                ),
            }
        }
        (Some("serviceaccount" | "sa") | None, rest) if rest.contains('/') => {
            let (ns, name) = rest.split_once('/').unwrap_or_default();
            service_account(ns, name)?
        }
        (Some("user"), name) => named(SubjectKind::User, name)?,
        (Some("group"), name) => named(SubjectKind::Group, name)?,
        (None, name) if !name.contains(char::is_whitespace) => named(SubjectKind::User, name)?,
        _ => bail!("`{text}` is not a subject: use {SUBJECT_FORMS}"),
    };
    let identity = match subject.kind {
        SubjectKind::User => Identity::user(&subject.name, groups),
        _ if !groups.is_empty() => bail!("--as-group applies to users only"),
        _ => Identity::of_subject(&subject),
    };
    Ok((subject, identity))
}

/// Build the request from the command line, and whether the resource named its API group.
pub fn parse_request(a: &RequestArgs) -> Result<(Request, bool)> {
    if a.resource.starts_with('/') {
        let request = Request {
            verb: a.verb.clone(),
            scope: Scope::Cluster,
            target: Target::NonResource(a.resource.clone()),
        };
        return Ok((request, true));
    }
    let (resource, subresource) = match a.resource.split_once('/') {
        Some((r, s)) => (r, Some(s.to_string())),
        None => (a.resource.as_str(), None),
    };
    let subresource = match (subresource, &a.subresource) {
        (Some(s), Some(t)) if s != *t => bail!("two subresources given: {s} and {t}"),
        (s, t) => s.or_else(|| t.clone()),
    };
    let group_given = resource.contains('.');
    let (resource, group) = resource.split_once('.').unwrap_or((resource, ""));
    if resource.is_empty() || a.verb.is_empty() {
        bail!("a verb and a resource are needed, e.g. `get secrets` or `create pods/exec`");
    }
    let scope = match (&a.namespace, a.cluster) {
        (Some(ns), _) => Scope::Namespace(ns.clone()),
        (None, true) => Scope::Cluster,
        (None, false) => Scope::AnyNamespace,
    };
    let request = Request {
        verb: a.verb.clone(),
        scope,
        target: Target::Resource {
            group: group.to_string(),
            resource: resource.to_string(),
            subresource,
            name: a.name.clone(),
        },
    };
    Ok((request, group_given))
}

/// Load the objects a request is asked about and complete the request against them, printing
/// what was changed or doubted; returns the graph, input errors, the request and the
/// warnings.
fn load_for(
    request: &RequestArgs,
    source: &Source,
) -> Result<(RbacGraph, Vec<InputError>, Request, Vec<String>)> {
    let (mut parsed, group_given) = parse_request(request)?;
    let (graph, errors) = load(&LoadOptions {
        paths: &source.paths,
        render: !source.no_render,
        namespace: request.namespace.as_deref(),
        builtin_roles: !source.no_builtin_roles,
        input: input_settings(&source.input)?,
    });
    report_gaps(&graph, &errors)?;
    let notes = graph.interpret(&mut parsed, group_given);
    let mut err = std::io::stderr().lock();
    let mut warnings = Vec::new();
    for note in notes {
        let level = if note.warning { "warning" } else { "note" };
        writeln!(err, "{level}: {}", printable(&note.message))?;
        if note.warning {
            warnings.push(note.message);
        }
    }
    Ok((graph, errors, parsed, warnings))
}

fn via_json(via: &[Via]) -> serde_json::Value {
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

fn unknown_json(via: &[UnknownVia]) -> serde_json::Value {
    via.iter()
        .map(|v| json!({"binding": v.binding, "role": v.role}))
        .collect()
}

/// `via BINDING -> ROLE`, built-in parts marked.
fn via_text(v: &Via) -> String {
    let mark = |builtin: bool| if builtin { " (built-in)" } else { "" };
    format!(
        "via {}{} -> {}{}",
        v.binding,
        mark(v.builtin_binding),
        v.role,
        mark(v.builtin_role)
    )
}

/// Print input errors and say which bindings could not be followed.
fn report_gaps(graph: &RbacGraph, errors: &[InputError]) -> Result<()> {
    let mut err = std::io::stderr().lock();
    for e in errors {
        writeln!(err, "error: {}", crate::input_error_line(e))?;
    }
    let missing: Vec<String> = graph
        .unresolved()
        .map(|b| format!("{} -> {}", b.display(), b.role_name))
        .collect();
    if !missing.is_empty() {
        let one = missing.len() == 1;
        writeln!(
            err,
            "note: {} binding{} reference{} a role neither in the input nor built in (what {} grant{} is unknown): {}",
            missing.len(),
            if one { "" } else { "s" },
            if one { "s" } else { "" },
            if one { "it" } else { "they" },
            if one { "s" } else { "" },
            printable(&missing.join(", "))
        )?;
    }
    Ok(())
}

fn subject_json(s: &SubjectRef) -> serde_json::Value {
    json!({"kind": s.kind.as_str(), "name": s.name, "namespace": s.namespace})
}

fn who_can(a: &WhoCanArgs) -> Result<u8> {
    let (graph, errors, request, warnings) = load_for(&a.request, &a.source)?;
    let found = graph.who_can(&request);
    let mut out = std::io::stdout().lock();
    if a.source.format == "json" {
        let with = |s: &SubjectRef, key: &str, via: serde_json::Value| {
            let mut v = subject_json(s);
            v[key] = via;
            v
        };
        let subjects: Vec<serde_json::Value> = found
            .subjects
            .iter()
            .map(|(s, via)| with(s, "via", via_json(via)))
            .collect();
        let unknown: Vec<serde_json::Value> = found
            .unknown
            .iter()
            .map(|(s, via)| with(s, "via", unknown_json(via)))
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &json!({ "subjects": subjects, "unknown": unknown, "warnings": warnings }),
        )?;
        writeln!(out)?;
    } else {
        // Names come from the input: escape what a terminal would act on.
        let mut out = TerminalWriter::new(&mut out);
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
    }
    Ok(if !errors.is_empty() {
        EXIT_ERROR
    } else if !found.unknown.is_empty() {
        EXIT_UNKNOWN
    } else {
        EXIT_CLEAN
    })
}

fn can_i(a: &CanIArgs) -> Result<u8> {
    let (_, identity) = parse_subject(&a.subject, &a.groups)?;
    let (graph, errors, request, warnings) = load_for(&a.request, &a.source)?;
    let decision = graph.decide(&identity, &request);
    let mut out = std::io::stdout().lock();
    if a.source.format == "json" {
        serde_json::to_writer_pretty(
            &mut out,
            &json!({
                "allowed": !decision.allowed.is_empty(),
                "decision": decision.as_str(),
                "via": via_json(&decision.allowed),
                "unknown": unknown_json(&decision.unknown),
                "warnings": warnings,
            }),
        )?;
        writeln!(out)?;
    } else {
        // Names come from the input: escape what a terminal would act on.
        let mut out = TerminalWriter::new(&mut out);
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
    }
    Ok(match decision.as_str() {
        _ if !errors.is_empty() => EXIT_ERROR,
        "yes" => EXIT_CLEAN,
        "no" => EXIT_FINDINGS,
        _ => EXIT_UNKNOWN,
    })
}

/// One row of the permission matrix.
#[derive(Debug, Default)]
struct Row {
    verbs: Vec<String>,
    via: Vec<Via>,
}

/// Standard verbs, in the order the matrix shows them.
const VERBS: [&str; 8] = [
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
];

type RowKey = (Option<String>, String, String, Option<String>, Vec<String>);

/// Expand rules into (namespace, group, resource, subresource, names) rows with merged verbs.
fn rows(perms: &[Permission]) -> (BTreeMap<RowKey, Row>, BTreeMap<(String, String), Row>) {
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
    (resources, urls)
}

fn permissions(a: &PermissionsArgs) -> Result<u8> {
    let (subject, identity) = parse_subject(&a.subject, &a.groups)?;
    let (graph, errors) = load(&LoadOptions {
        paths: &a.source.paths,
        render: !a.source.no_render,
        namespace: a.namespace.as_deref(),
        builtin_roles: !a.source.no_builtin_roles,
        input: input_settings(&a.source.input)?,
    });
    report_gaps(&graph, &errors)?;
    let perms = graph.permissions(&identity);
    let (resources, urls) = rows(&perms);
    let mut out = std::io::stdout().lock();
    if a.source.format == "json" {
        let rules: Vec<serde_json::Value> = resources
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
        let urls: Vec<serde_json::Value> = urls
            .iter()
            .map(|((_, url), row)| {
                json!({"nonResourceURL": url, "verbs": row.verbs, "via": via_json(&row.via)})
            })
            .collect();
        serde_json::to_writer_pretty(
            &mut out,
            &json!({
                "subject": subject_json(&subject),
                "rules": rules,
                "nonResourceURLs": urls,
            }),
        )
        .context("cannot write the permissions")?;
        writeln!(out)?;
        return Ok(if errors.is_empty() {
            EXIT_CLEAN
        } else {
            EXIT_ERROR
        });
    }
    let mut out = TerminalWriter::new(&mut out);
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
        for ((ns, group, resource, sub, names), row) in &resources {
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
        for ((_, url), row) in &urls {
            writeln!(out, "{url:<40} {}", row.verbs.join(","))?;
        }
    }
    Ok(if errors.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    })
}

fn risks(a: &RisksArgs) -> Result<u8> {
    let read = load_counted(&LoadOptions {
        paths: &a.paths,
        render: !a.no_render,
        namespace: a.namespace.as_deref(),
        builtin_roles: !a.no_builtin_roles,
        input: input_settings(&a.input)?,
    });
    report_gaps(&read.model, &[])?;
    let read_counts = Summary {
        files: read.files,
        objects: read.objects,
        ..Summary::default()
    };
    render_findings(
        palisade_rules::rbac::risk_findings(&read.model),
        read.errors,
        read_counts,
        &a.format,
        &a.fail_on,
    )
}

/// The rules `rbac unused` runs: unused roles and dangling bindings (with idle
/// ServiceAccounts), grants to default ServiceAccounts, long-lived token Secrets.
pub const UNUSED_RULES: [&str; 3] = ["RBAC032", "RBAC029", "SEC005"];

fn unused(a: &crate::cli::ScanArgs) -> Result<u8> {
    if !a.select.is_empty() {
        bail!(
            "`rbac unused` runs the rules {}; use `palisade scan --select` for others",
            UNUSED_RULES.join(", ")
        );
    }
    let mut args = a.clone();
    args.select = UNUSED_RULES.iter().map(|s| s.to_string()).collect();
    crate::scan::command(&args)
}

/// Print findings in a `palisade scan` format and return the exit code for `--fail-on`;
/// `read` holds the counts of files and objects read.
fn render_findings(
    findings: Vec<Finding>,
    mut errors: Vec<InputError>,
    read: Summary,
    format: &str,
    fail_on: &str,
) -> Result<u8> {
    palisade_scan::mask_messages(&mut errors, &mut []);
    let format: Format = format.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let fail_on: FailOn =
        palisade_config::parse_fail_on(fail_on).map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?;
    let mut findings = FindingList::from(findings);
    palisade_report::sort_findings(&mut findings, palisade_report::SortOrder::Path);
    let mut summary = Summary {
        findings: findings.len(),
        errors: errors.len(),
        ..read
    };
    for f in findings.iter() {
        *summary.by_severity.entry(f.severity.as_str()).or_default() += 1;
    }
    let mut metas: Vec<&'static RuleMeta> = findings.iter().map(|f| f.rule).collect();
    metas.sort_by_key(|m| m.id);
    metas.dedup_by_key(|m| m.id);
    let mut sources = Sources::default();
    if format == Format::Text {
        for f in findings.iter() {
            let path = f.location.path.as_str();
            if !sources.contains_key(path)
                && let Ok(text) = palisade_inputs::read_regular(
                    std::path::Path::new(path),
                    palisade_config::DEFAULT_MAX_FILE_SIZE,
                )
            {
                let source =
                    palisade_scan::source_of(text.into(), &palisade_source::Limits::default());
                sources.insert(path.to_string(), source);
            }
        }
    }
    let evaluated = metas.iter().map(|m| m.id).collect();
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &findings,
        errors: &errors,
        warnings: &[],
        notes: &[],
        summary: &summary,
        rules: &metas,
        sources: &sources,
        show_suppressed: false,
        show_compliance: false,
        evaluated: &evaluated,
        layout: Default::default(),
        project: None,
        fail_on: fail_on.threshold(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    palisade_report::render(format, &report, false, &mut out)?;
    out.flush()?;
    let outcome = palisade_scan::ScanOutcome {
        findings,
        errors,
        ..Default::default()
    };
    Ok(crate::scan::exit_code(&outcome, fail_on))
}

/// The request an audit event records.
fn observed(event: &palisade_audit::Event) -> Request {
    match &event.object_ref {
        Some(o) => Request {
            verb: event.verb.clone(),
            scope: match o.namespace.as_deref().filter(|n| !n.is_empty()) {
                Some(ns) => Scope::Namespace(ns.to_string()),
                None => Scope::Cluster,
            },
            target: Target::Resource {
                group: o.api_group.clone(),
                resource: o.resource.clone(),
                subresource: o.subresource.clone().filter(|s| !s.is_empty()),
                name: o.name.clone().filter(|n| !n.is_empty()),
            },
        },
        None => Request {
            verb: event.verb.clone(),
            scope: Scope::Cluster,
            target: Target::NonResource(
                event
                    .request_uri
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
        },
    }
}

fn generate(a: &GenerateArgs) -> Result<u8> {
    let subject = match (&a.user, &a.serviceaccount) {
        (Some(user), _) => SubjectRef {
            kind: SubjectKind::User,
            name: user.clone(),
            namespace: None,
        },
        (None, Some(sa)) => {
            let Some((ns, name)) = sa.split_once('/') else {
                bail!("--serviceaccount is NAMESPACE/NAME, not `{sa}`");
            };
            SubjectRef {
                kind: SubjectKind::ServiceAccount,
                name: name.to_string(),
                namespace: Some(ns.to_string()),
            }
        }
        (None, None) => bail!("--user or --serviceaccount is needed"),
    };
    let identity = Identity::of_subject(&subject);
    let reader: Box<dyn std::io::BufRead> = if a.from_audit.as_os_str() == "-" {
        let timeout = input_settings(&a.input)?.stdin_timeout;
        Box::new(std::io::BufReader::new(palisade_inputs::stdin_stream(
            timeout,
        )))
    } else {
        let file = std::fs::File::open(&a.from_audit)
            .with_context(|| format!("cannot read {}", a.from_audit.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    // The subject's requests, by auditID: the stages of one request share it, and a request
    // refused with 401 or 403 in any stage was not allowed, so it grants nothing.
    let mut requests: Vec<(String, Request)> = Vec::new();
    let mut denied: std::collections::HashSet<String> = Default::default();
    let mut errors = 0;
    let mut err = std::io::stderr().lock();
    for event in palisade_audit::read_events(reader) {
        match event {
            Ok(e) if e.user.username == identity.name && !e.verb.is_empty() => {
                if e.denied() {
                    denied.insert(e.audit_id.clone());
                } else {
                    requests.push((e.audit_id.clone(), observed(&e)));
                }
            }
            Ok(_) => {}
            Err(e) => {
                errors += 1;
                let place = a.from_audit.display().to_string();
                let message = e.to_string();
                writeln!(err, "error: {}:{}", printable(&place), printable(&message))?;
            }
        }
    }
    let requests: Vec<Request> = requests
        .into_iter()
        .filter(|(id, _)| id.is_empty() || !denied.contains(id))
        .map(|(_, r)| r)
        .collect();
    if !denied.is_empty() {
        writeln!(
            err,
            "note: left out {} refused request{} (401 or 403)",
            denied.len(),
            if denied.len() == 1 { "" } else { "s" }
        )?;
    }
    if a.diff {
        return grant_diff(a, &identity, &requests, errors);
    }
    let name = a
        .name
        .clone()
        .unwrap_or_else(|| format!("palisade-{}", subject.name.replace(':', "-")));
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "# Least-privilege RBAC for {} from {} request{} in {}",
        subject.display(),
        requests.len(),
        if requests.len() == 1 { "" } else { "s" },
        a.from_audit.display()
    )?;
    for grant in least_privilege_grants(&subject, &name, &requests) {
        let role = serde_saphyr::to_string(&grant.role).context("cannot write YAML")?;
        let binding = serde_saphyr::to_string(&grant.binding).context("cannot write YAML")?;
        write!(out, "---\n{role}---\n{binding}")?;
    }
    Ok(if errors > 0 { EXIT_ERROR } else { EXIT_CLEAN })
}

/// `generate --diff`: the subject's current permissions, one line per namespace and resource
/// with its verbs, against the same lines keeping only the verbs some logged request used.
fn grant_diff(
    a: &GenerateArgs,
    identity: &Identity,
    requests: &[Request],
    errors: usize,
) -> Result<u8> {
    let (graph, load_errors) = load(&LoadOptions {
        paths: &a.paths,
        render: true,
        namespace: a.namespace.as_deref(),
        builtin_roles: !a.no_builtin_roles,
        input: input_settings(&a.input)?,
    });
    report_gaps(&graph, &load_errors)?;
    // What the built-in bindings grant every identity (discovery, self-reviews) is not the
    // subject's to remove.
    let perms: Vec<Permission> = graph
        .permissions(identity)
        .into_iter()
        .filter(|p| !p.via.builtin_binding)
        .collect();
    let (resources, urls) = rows(&perms);
    let mut granted = String::new();
    let mut used = String::new();
    let scope_of = |ns: &Option<String>| match ns {
        Some(ns) => Scope::Namespace(ns.clone()),
        None => Scope::AnyNamespace,
    };
    for ((ns, group, resource, sub, names), row) in &resources {
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
    for ((_, url), row) in &urls {
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
    let diff = similar::TextDiff::from_lines(&granted, &used);
    let mut out = TerminalWriter::new(std::io::stdout().lock());
    write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(1_000_000)
            .header("granted", "used")
    )?;
    Ok(if errors > 0 || !load_errors.is_empty() {
        EXIT_ERROR
    } else if granted != used {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
