//! `palisade rbac who-can | can-i | permissions | risks | unused | generate`: who may do what,
//! and through which binding and role, from manifests, charts, kustomizations or a snapshot.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use palisade_config::FailOn;
use palisade_diagnostics::{Finding, InputError, RuleRef, Summary};
use palisade_model::authz::manifest::least_privilege_grants;
use palisade_model::authz::{
    Identity, Permission, RbacGraph, Request, RequestSpec, SubjectError, SubjectKind, SubjectRef,
    parse_request, parse_subject, permission_rows,
};
use palisade_model::cluster::{IndexOptions, Parts};
use palisade_report::rbac;
use palisade_report::terminal::{TerminalWriter, printable};
use palisade_report::{Format, Report};
use palisade_scan::ScanOutcome;

use crate::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, EXIT_UNKNOWN};

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

    /// Output format: text, json, sarif, junit or html (a page with each risk's escalation
    /// path).
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
    let read = palisade_scan::collect_index(
        options.paths,
        options.render,
        &options.input,
        crate::progress::Progress::for_stderr(),
        IndexOptions {
            default_namespace: options.namespace.map(str::to_string),
            parts: Parts {
                facts: false,
                rbac: true,
                netpol: false,
            },
            builtin_policy: options.builtin_roles,
        },
    );
    palisade_scan::Collected {
        model: read.model.into_rbac(),
        errors: read.errors,
        files: read.files,
        objects: read.objects,
        clusters: read.clusters,
    }
}

/// A subject as the command line gives it (`--as`, `--as-group`).
fn subject(text: &str, groups: &[String]) -> Result<(SubjectRef, Identity)> {
    parse_subject(text, groups).map_err(|e| match e {
        SubjectError::GroupsForNonUser => anyhow::anyhow!("--as-group applies to users only"),
        e => e.into(),
    })
}

/// Load the objects a request is asked about and complete the request against them, printing
/// what was changed or doubted; returns the graph, input errors, the request and the
/// warnings.
fn load_for(
    request: &RequestArgs,
    source: &Source,
) -> Result<(RbacGraph, Vec<InputError>, Request, Vec<String>)> {
    let (mut parsed, group_given) = parse_request(&RequestSpec {
        verb: request.verb.clone(),
        resource: request.resource.clone(),
        subresource: request.subresource.clone(),
        name: request.name.clone(),
        namespace: request.namespace.clone(),
        cluster: request.cluster,
    })?;
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

fn who_can(a: &WhoCanArgs) -> Result<u8> {
    let (graph, errors, request, warnings) = load_for(&a.request, &a.source)?;
    let found = graph.who_can(&request);
    let mut out = std::io::stdout().lock();
    if a.source.format == "json" {
        serde_json::to_writer_pretty(&mut out, &rbac::who_can_json(&found, &warnings))?;
        writeln!(out)?;
    } else {
        // Names come from the input: escape what a terminal would act on.
        rbac::write_who_can(&mut TerminalWriter::new(&mut out), &found)?;
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
    let (_, identity) = subject(&a.subject, &a.groups)?;
    let (graph, errors, request, warnings) = load_for(&a.request, &a.source)?;
    let decision = graph.decide(&identity, &request);
    let mut out = std::io::stdout().lock();
    if a.source.format == "json" {
        serde_json::to_writer_pretty(&mut out, &rbac::can_i_json(&decision, &warnings))?;
        writeln!(out)?;
    } else {
        // Names come from the input: escape what a terminal would act on.
        rbac::write_can_i(&mut TerminalWriter::new(&mut out), &decision)?;
    }
    Ok(match decision.as_str() {
        _ if !errors.is_empty() => EXIT_ERROR,
        "yes" => EXIT_CLEAN,
        "no" => EXIT_FINDINGS,
        _ => EXIT_UNKNOWN,
    })
}

fn permissions(a: &PermissionsArgs) -> Result<u8> {
    let (subject, identity) = subject(&a.subject, &a.groups)?;
    let (graph, errors) = load(&LoadOptions {
        paths: &a.source.paths,
        render: !a.source.no_render,
        namespace: a.namespace.as_deref(),
        builtin_roles: !a.source.no_builtin_roles,
        input: input_settings(&a.source.input)?,
    });
    report_gaps(&graph, &errors)?;
    let rows = permission_rows(&graph.permissions(&identity));
    let mut out = std::io::stdout().lock();
    if a.source.format == "json" {
        serde_json::to_writer_pretty(&mut out, &rbac::permissions_json(&subject, &rows))
            .context("cannot write the permissions")?;
        writeln!(out)?;
    } else {
        rbac::write_permissions(&mut TerminalWriter::new(&mut out), &subject, &rows)?;
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
    let mut findings = palisade_rules::rbac::risk_findings(&read.model);
    palisade_scan::place_in_clusters(&mut findings, &read.clusters);
    // The page shows each risk's path as steps, beside the findings.
    let views = (a.format == "html")
        .then(|| palisade_scan::views_of(&read.model, &palisade_model::netpol::Model::default()));
    render_findings(
        findings,
        read.errors,
        read_counts,
        &a.format,
        &a.fail_on,
        views.as_ref(),
        &[],
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

/// Print findings in a `palisade scan` format, with `views` beside them (HTML), and return
/// the exit code for `--fail-on`; `read` holds the counts of files and objects read.
pub(crate) fn render_findings(
    findings: Vec<Finding>,
    errors: Vec<InputError>,
    read: Summary,
    format: &str,
    fail_on: &str,
    views: Option<&palisade_report::views::Views>,
    notes: &[String],
) -> Result<u8> {
    let format: Format = format.parse().map_err(|e: String| anyhow::anyhow!(e))?;
    let fail_on: FailOn =
        palisade_config::parse_fail_on(fail_on).map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?;
    let outcome = ScanOutcome::of_findings(findings, errors, read, format == Format::Text);
    let mut metas: Vec<RuleRef> = Vec::new();
    for f in outcome.findings.iter() {
        if !metas.iter().any(|m| m.same(&f.rule)) {
            metas.push(f.rule);
        }
    }
    metas.sort_by(|a, b| a.id.cmp(&b.id));
    let report = Report {
        tool_version: env!("CARGO_PKG_VERSION"),
        findings: &outcome.findings,
        errors: &outcome.errors,
        warnings: &[],
        notes,
        summary: &outcome.summary,
        rules: &metas,
        sources: &outcome.sources,
        show_suppressed: false,
        show_compliance: false,
        evaluated: &outcome.evaluated,
        layout: Default::default(),
        project: None,
        fail_on: fail_on.threshold(),
        views,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    palisade_report::render(format, &report, false, &mut out)?;
    out.flush()?;
    Ok(crate::scan::exit_code(&outcome, fail_on))
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
    let mut errors = 0;
    let mut err = std::io::stderr().lock();
    let place = a.from_audit.display().to_string();
    let seen = palisade_audit::requests_of(reader, &identity.name, |e| {
        errors += 1;
        let _ = writeln!(
            err,
            "error: {}:{}",
            printable(&place),
            printable(&e.to_string())
        );
    });
    let requests = seen.requests;
    if seen.refused > 0 {
        writeln!(
            err,
            "note: left out {} refused request{} (401 or 403)",
            seen.refused,
            if seen.refused == 1 { "" } else { "s" }
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
    let (granted, used) = rbac::grant_usage(&permission_rows(&perms), requests);
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
