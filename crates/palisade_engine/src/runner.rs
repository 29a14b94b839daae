//! The per-object runner: every enabled rule once per object, then location resolution and
//! suppression.

use std::collections::HashSet;
use std::sync::Arc;

use palisade_diagnostics::{
    ArcStr, Finding, FindingList, Input, InputError, Interner, ProjectPaths, Severity, Subject,
};
use palisade_model::cluster::{IndexOptions, Parts};
use palisade_model::inventory::Inventory;
use palisade_model::{Object, objects_in, span_location};
use palisade_source::{Document, Pos};

use crate::context::{At, Ctx, RawFinding};
use crate::context::{InventoryCtx, SubjectCtx};
use crate::peer::PeerSkips;
use crate::rule::{Hook, Rule, RuleHandle};
use crate::selection::{Selection, SelectionError, Selector};
use crate::state::AuditState;
use crate::suppress::{IGNORE_ANNOTATION, Suppression, parse_suppressions};
use palisade_audit::Event;
use palisade_model::node::NodeFacts;
use palisade_model::request::Request;

/// Whether a glob from `palisade.toml` matches the file displayed as `display`: a relative
/// glob is matched against the path relative to the project (the directory of
/// `palisade.toml`), an absolute one against the absolute path.
pub fn path_matches(glob: &globset::GlobMatcher, project: &ProjectPaths, display: &str) -> bool {
    path_matches_key(glob, project, display, || project.key(display))
}

/// [`path_matches`], with the project-relative path computed by `key` only when needed (so
/// that callers matching many globs compute it once).
pub(crate) fn path_matches_key<'k>(
    glob: &globset::GlobMatcher,
    project: &ProjectPaths,
    display: &str,
    key: impl FnOnce() -> std::borrow::Cow<'k, str>,
) -> bool {
    if glob.glob().glob().starts_with('/') {
        return project
            .absolute(display)
            .is_some_and(|p| glob.is_match(p.to_string_lossy().as_ref()));
    }
    glob.is_match(key().as_ref())
}

/// "Findings of these rules in files matching this glob are suppressed" (from `palisade.toml`).
#[derive(Debug, Clone)]
pub struct PathIgnore {
    /// The glob as written.
    pub pattern: String,
    /// The compiled glob.
    pub glob: globset::GlobMatcher,
    /// The rules it suppresses.
    pub selectors: Vec<Selector>,
}

/// Everything that decides what a scan reports.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Which rules run.
    pub selection: Selection,
    /// Findings below this severity are not reported at all.
    pub min_severity: Option<Severity>,
    /// Per-path suppressions.
    pub path_ignores: Vec<PathIgnore>,
    /// How displayed paths become paths relative to the project, which `path_ignores` match.
    pub project: ProjectPaths,
    /// Settings that configurable rules read.
    pub options: crate::options::RuleOptions,
    /// Honour other scanners' suppression annotations (Checkov, KubeLinter, kube-score) for
    /// the Palisade rules equivalent to their checks ([`crate::peer`]).
    pub honor_peer_suppressions: bool,
    /// The front door the rules serve: only rules that declare it run (a rule that reads what
    /// only a file has, such as a Secret's plain `stringData` in a manifest, does not run on
    /// objects from a live cluster or an admission request).
    pub input: Input,
}

/// Pod specs with more containers (regular, init and ephemeral together) are refused: the API
/// server stores objects of at most 1.5 MiB (etcd's default request limit), and a container
/// takes about 150 bytes once defaulted, so no Pod it accepts has 10,000. The bound keeps the
/// work per object linear in the document, including documents that expand one container
/// through thousands of aliases.
pub const MAX_CONTAINERS: usize = 10_000;

/// At most this many findings are reported per object; the rest are counted in one finding of
/// [`FINDING_LIMIT_RULE`].
pub const MAX_FINDINGS_PER_OBJECT: usize = 1_000;

/// The id of the rule whose finding says how many findings of an object were left out
/// (declared with the other `PAL` rules; found in the registry by this id).
pub const FINDING_LIMIT_RULE: &str = "PAL006";

/// The result of scanning one document.
#[derive(Debug, Default)]
pub struct DocumentReport {
    /// Findings, suppressed ones included (flagged).
    pub findings: Vec<Finding>,
    /// Ids of the rules that found objects they apply to.
    pub evaluated: Vec<ArcStr>,
    /// The objects' facts in the cluster model ([`IndexOptions::record`]), for cross-object
    /// rules (only when such rules are enabled). Kept apart from the RBAC records, as the
    /// inventory holds them, so that a scan moves them rather than copies them.
    pub facts: Vec<palisade_model::inventory::Fact>,
    /// The objects' RBAC records (not placed yet: the inventory places them with the facts).
    pub rbac_parts: Vec<palisade_model::authz::RbacPart>,
    /// The objects' NetworkPolicy records, when the set keeps them ([`RuleSet::keep_views`]).
    pub netpol_parts: Vec<palisade_model::netpol::NetpolPart>,
    /// Objects evaluated.
    pub objects: usize,
    /// Whether the document was skipped as non-Kubernetes.
    pub skipped: bool,
    /// Objects refused as input errors (a pod spec over [`MAX_CONTAINERS`]).
    pub errors: Vec<InputError>,
}

/// Findings a document holds before [`RuleSet::scan_document_into`] hands them on.
pub const FLUSH_AT: usize = 1024;

/// What the cross-object rules found.
#[derive(Debug, Default)]
pub struct InventoryReport {
    /// Findings, in rule order.
    pub findings: FindingList,
    /// Ids of the rules that found objects they apply to.
    pub evaluated: Vec<ArcStr>,
}

/// The enabled rules, split by hook, ready to run on many documents in parallel.
#[derive(Debug)]
pub struct RuleSet {
    registry: Vec<RuleHandle>,
    enabled: Vec<RuleHandle>,
    settings: Settings,
    /// The records cross-object rules read of each object: facts and RBAC records, and
    /// NetworkPolicy records when the views are kept.
    records: IndexOptions,
    /// Records are kept for the report's views of the cluster model even when no
    /// cross-object rule runs.
    views: bool,
}

impl RuleSet {
    /// Resolve the selection against the built-in registry.
    pub fn new(registry: &[&'static Rule], settings: Settings) -> Result<Self, SelectionError> {
        RuleSet::with_rules(registry.iter().map(|&r| RuleHandle::Builtin(r)), settings)
    }

    /// Resolve the selection against built-in rules and rules loaded at run time (compiled
    /// policies). A server that reloads its policies builds a new set; the old one, and the
    /// loaded rules only it held, are freed with the last finding that refers to them.
    pub fn with_rules(
        registry: impl IntoIterator<Item = RuleHandle>,
        settings: Settings,
    ) -> Result<Self, SelectionError> {
        let registry: Vec<RuleHandle> = registry.into_iter().collect();
        let mut enabled = settings.selection.resolve(&registry)?;
        enabled.retain(|r| r.meta.inputs.contains(&settings.input));
        Ok(RuleSet {
            registry,
            enabled,
            settings,
            records: IndexOptions {
                parts: Parts {
                    facts: true,
                    rbac: true,
                    netpol: false,
                },
                ..IndexOptions::default()
            },
            views: false,
        })
    }

    /// Keep every record of the objects, NetworkPolicy records included, for the views a
    /// report shows beside its findings (RBAC risk paths, NetworkPolicy coverage); objects
    /// without a namespace are placed in `namespace` (`default` when `None`).
    pub fn keep_views(mut self, namespace: Option<&str>) -> Self {
        self.records.parts = Parts::ALL;
        self.records.default_namespace = Some(namespace.unwrap_or("default").to_string());
        self.views = true;
        self
    }

    /// Whether [`RuleSet::keep_views`] was asked for.
    pub fn keeps_views(&self) -> bool {
        self.views
    }

    /// The rules that run, in registry order.
    pub fn enabled(&self) -> &[RuleHandle] {
        &self.enabled
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether a selector (id, name or prefix) names at least one known rule.
    pub fn knows(&self, selector: &str) -> bool {
        let sel = Selector::new(selector);
        self.registry.iter().any(|r| sel.matches(r))
    }

    /// Run every enabled rule on every object of the document. The findings' strings, objects
    /// and fixes are shared through `strings` with those of the other documents it serves.
    pub fn scan_document(
        &self,
        doc: &Document<'_>,
        path: &str,
        strings: &mut Interner,
    ) -> DocumentReport {
        self.scan_document_into(doc, path, strings, &mut |_| {})
    }

    /// [`RuleSet::scan_document`], handing the findings to `flush` whenever an object leaves
    /// [`FLUSH_AT`] or more of them: one document can be a `List` of thousands of objects, whose
    /// findings would otherwise all be held at once. What `flush` leaves in the vector stays
    /// in the report, which holds the findings not yet flushed.
    pub fn scan_document_into(
        &self,
        doc: &Document<'_>,
        path: &str,
        strings: &mut Interner,
        flush: &mut dyn FnMut(&mut Vec<Finding>),
    ) -> DocumentReport {
        self.scan_document_in(doc, path, strings, flush, None)
    }

    /// [`RuleSet::scan_document`] of an object that arrives in an admission request: rules
    /// that judge requests (loaded policies) see the operation, the user and the old object.
    pub fn scan_request(
        &self,
        doc: &Document<'_>,
        path: &str,
        strings: &mut Interner,
        request: &Request,
    ) -> DocumentReport {
        self.scan_document_in(doc, path, strings, &mut |_| {}, Some(request))
    }

    fn scan_document_in(
        &self,
        doc: &Document<'_>,
        path: &str,
        strings: &mut Interner,
        flush: &mut dyn FnMut(&mut Vec<Finding>),
        request: Option<&Request>,
    ) -> DocumentReport {
        let found = objects_in(doc);
        let mut report = DocumentReport {
            objects: found.objects.len(),
            skipped: found.skipped,
            ..DocumentReport::default()
        };
        let path_suppressors = self.path_suppressors(path);
        let collect_facts = self.collects_facts();
        let shared_path = strings.str(path);
        let mut raw = Vec::new();
        // Each object (with the pod model it builds) is dropped once scanned: a `List` can
        // hold tens of thousands.
        for object in found.objects {
            let object = &object;
            let pod = object.pod_spec();
            if let Some(pod) = pod
                && pod.containers().len() > MAX_CONTAINERS
            {
                let at = object.location(&shared_path, doc.index, pod.pointer.as_str());
                report.errors.push(InputError {
                    path: path.to_string(),
                    line: at.span.as_ref().map(|s| s.line),
                    column: at.span.as_ref().map(|s| s.column),
                    message: format!(
                        "{} has {} containers, more than the API server can store (it takes at most {MAX_CONTAINERS}); the object is not scanned",
                        object.object_ref().display_name(),
                        pod.containers().len()
                    ),
                });
                continue;
            }
            if collect_facts {
                // The object's records in the one cluster model.
                let (fact, rbac, netpol) =
                    self.records
                        .records_of(object, &shared_path, doc.index, strings);
                report.netpol_parts.extend(netpol);
                if let Some(mut fact) = fact {
                    if self.settings.honor_peer_suppressions {
                        fact.peer_annotations = crate::peer::annotations_of(object);
                    }
                    report.facts.push(fact);
                }
                report.rbac_parts.extend(rbac);
            }
            raw.clear();
            for rule in &self.enabled {
                let mut ctx = Ctx::new(
                    rule,
                    self.settings.selection.pss_version.minor,
                    &mut raw,
                    self,
                );
                ctx.request = request;
                match &rule.hook {
                    Hook::Object(check) => check(object, &mut ctx),
                    Hook::Policy(policy) => policy.check(object, &mut ctx),
                    Hook::Pod(check) => {
                        if let Some(pod) = pod {
                            ctx.evaluated = true;
                            check(pod, &mut ctx);
                        }
                    }
                    Hook::Inventory(_) | Hook::Node(_) | Hook::Audit(_) | Hook::Engine => {}
                }
                if ctx.evaluated && !report.evaluated.contains(&rule.meta.id) {
                    report.evaluated.push(rule.meta.id.clone());
                }
                if !ctx.errors.is_empty() {
                    let at = object.location(&shared_path, doc.index, "");
                    for message in std::mem::take(&mut ctx.errors) {
                        report.errors.push(InputError {
                            path: path.to_string(),
                            line: at.span.as_ref().map(|s| s.line),
                            column: at.span.as_ref().map(|s| s.column),
                            message: format!(
                                "{} could not be evaluated on {}: {message}",
                                rule.meta.id,
                                object.object_ref().display_name()
                            ),
                        });
                    }
                }
            }
            if raw.is_empty() {
                continue;
            }
            let object_ref = object.object_ref_in(strings);
            let object_ref = strings.subject(object_ref);
            let suppressions = annotation_suppressions(
                object
                    .annotation(IGNORE_ANNOTATION)
                    .and_then(|a| a.as_str()),
            );
            let peer = if self.settings.honor_peer_suppressions {
                PeerSkips::of_object(object)
            } else {
                PeerSkips::default()
            };
            let reasons: Vec<Option<String>> = raw
                .iter()
                .map(|f| {
                    suppression_reason(&f.rule, &suppressions, &path_suppressors).or_else(|| {
                        let pointer = match &f.at {
                            At::Pointer(p) => p.as_str(),
                            At::Pos(_) => "",
                        };
                        peer.reason(&f.rule.meta.id, pointer)
                    })
                })
                .collect();
            // Unsuppressed findings by (rule, container), so that superseding is linear.
            let reported: HashSet<(&str, Option<&str>)> = raw
                .iter()
                .zip(&reasons)
                .filter(|(_, reason)| reason.is_none())
                .map(|(f, _)| (f.rule.meta.id.as_str(), f.container.as_deref()))
                .collect();
            let superseding: Vec<Option<&'static str>> =
                raw.iter().map(|f| superseding_rule(f, &reported)).collect();
            let total = raw.len();
            let site = Site {
                object,
                object_ref: &object_ref,
                path: &shared_path,
                document: doc.index,
            };
            let limit = self.finding_limit(&site, total, strings);
            let mut kept: Vec<_> = raw.drain(..).zip(reasons).zip(superseding).collect();
            if kept.len() > MAX_FINDINGS_PER_OBJECT {
                // What would be shown comes first; suppressed and superseded findings after.
                kept.sort_by_key(|((_, reason), superseded_by)| {
                    reason.is_some() || superseded_by.is_some()
                });
                kept.truncate(MAX_FINDINGS_PER_OBJECT);
            }
            for ((finding, reason), superseded_by) in kept {
                let severity = finding.severity.unwrap_or(finding.rule.meta.severity);
                if self.settings.min_severity.is_some_and(|min| severity < min) {
                    continue;
                }
                let reason = reason.or_else(|| {
                    superseded_by.map(|id| format!("superseded by {id} on the same container"))
                });
                let mut resolved = self.resolve(&site, finding, reason, strings);
                resolved.superseded = superseded_by.is_some();
                report.findings.push(resolved);
            }
            report.findings.extend(limit);
            if report.findings.len() >= FLUSH_AT {
                flush(&mut report.findings);
            }
        }
        report
    }

    /// The finding that says how many of an object's `total` findings were left out, when
    /// there are more than [`MAX_FINDINGS_PER_OBJECT`] and the limit rule is registered.
    fn finding_limit(
        &self,
        site: &Site<'_, '_, '_>,
        total: usize,
        strings: &mut Interner,
    ) -> Option<Finding> {
        if total <= MAX_FINDINGS_PER_OBJECT {
            return None;
        }
        let rule = self
            .registry
            .iter()
            .find(|r| r.meta.id == FINDING_LIMIT_RULE)?;
        let raw = RawFinding {
            rule: rule.clone(),
            at: At::Pointer(String::new()),
            container: None,
            message: format!(
                "{} has {total} findings; the first {MAX_FINDINGS_PER_OBJECT} are reported and {} more are not",
                site.object_ref.display_name(),
                total - MAX_FINDINGS_PER_OBJECT
            ),
            severity: None,
            redact: false,
            fix: None,
        };
        Some(self.resolve(site, raw, None, strings))
    }

    /// Whether any enabled rule needs the inventory (so documents record their facts).
    pub fn collects_facts(&self) -> bool {
        self.views
            || self
                .enabled
                .iter()
                .any(|r| matches!(r.hook, Hook::Inventory(_)))
    }

    fn path_suppressors(&self, path: &str) -> Vec<&PathIgnore> {
        if self.settings.path_ignores.is_empty() {
            return Vec::new();
        }
        let project = &self.settings.project;
        let key = project.key(path);
        self.settings
            .path_ignores
            .iter()
            .filter(|p| path_matches_key(&p.glob, project, path, || key.as_ref().into()))
            .collect()
    }

    /// Run the cross-object rules over the facts of a whole scan.
    pub fn scan_inventory(&self, inventory: &Inventory) -> InventoryReport {
        use rayon::prelude::*;
        // Inventory rules are independent readers of the inventory: they run in parallel, and
        // their findings are gathered in rule order, as if they had run one after another.
        // Each rule's findings are resolved and stored compactly as soon as it has run, so
        // that the larger cross-object reports (one per workload) are held once, compact; the
        // rules share one list's memory budget, so that their lists together hold no more.
        let rules: Vec<_> = self
            .enabled
            .iter()
            .filter_map(|rule| match rule.hook {
                Hook::Inventory(check) => Some((rule, check)),
                _ => None,
            })
            .collect();
        let budget = palisade_diagnostics::MEMORY_BUDGET / rules.len().max(1);
        let per_rule: Vec<(FindingList, bool, ArcStr)> = rules
            .par_iter()
            .map(|&(rule, check)| {
                let mut found = FindingList::with_memory_budget(budget);
                let mut strings = Interner::default();
                let mut out = |f| {
                    if let Some(f) = self.resolve_site(f, &mut strings) {
                        found.push(&f);
                    }
                };
                let mut ctx = InventoryCtx::new(rule, &mut out);
                check(inventory, &mut ctx);
                let evaluated = ctx.finish();
                (found, evaluated, rule.meta.id.clone())
            })
            .collect();
        let mut findings = FindingList::new();
        let mut evaluated = Vec::new();
        for (found, ran, id) in per_rule {
            findings.append_list(&found);
            if ran {
                evaluated.push(id);
            }
        }
        InventoryReport {
            findings,
            evaluated,
        }
    }

    /// Run the node rules on one node's facts. Findings are about the node's files (and the
    /// endpoints its rules name); waivers apply to them as to any finding.
    pub fn scan_node(&self, facts: &NodeFacts) -> SubjectReport {
        let mut report = SubjectReport::default();
        for rule in &self.enabled {
            let Hook::Node(check) = rule.hook else {
                continue;
            };
            let mut ctx = SubjectCtx::new(rule, &mut report.findings, self.settings.min_severity)
                .with_options(&self.settings.options);
            check(facts, &mut ctx);
            if ctx.evaluated() {
                report.evaluated.push(rule.meta.id.clone());
            }
        }
        report
    }

    /// The audit rules, each with its own bounded state, ready to judge a stream of events.
    pub fn audit_run(&self) -> AuditRun<'_> {
        AuditRun {
            rules: self
                .enabled
                .iter()
                .filter_map(|rule| match rule.hook {
                    Hook::Audit(check) => Some((rule, check, AuditState::default())),
                    _ => None,
                })
                .collect(),
            min_severity: self.settings.min_severity,
            options: &self.settings.options,
            rbac: None,
        }
    }

    /// A cross-object finding as reported, unless it is below the reporting threshold.
    fn resolve_site(&self, f: crate::SiteFinding, strings: &mut Interner) -> Option<Finding> {
        let severity = f.severity.unwrap_or(f.rule.meta.severity);
        if self.settings.min_severity.is_some_and(|min| severity < min) {
            return None;
        }
        let suppressions = annotation_suppressions(f.ignore.as_deref());
        let reason = suppression_reason(
            &f.rule,
            &suppressions,
            &f.location
                .path()
                .map_or_else(Vec::new, |p| self.path_suppressors(p)),
        )
        .or_else(|| {
            PeerSkips::from_annotations(
                f.peer_annotations
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            )
            .reason(&f.rule.meta.id, &f.location.pointer)
        });
        Some(Finding {
            rule: f.rule.meta.clone(),
            severity,
            subject: strings.subject(f.object),
            container: None,
            location: f.location,
            message: strings.str(&f.message),
            suppressed: reason.is_some(),
            suppression_reason: strings.opt(reason.as_deref()),
            redact_source: false,
            origin: None,
            fix: f.fix.map(|fix| strings.fix(fix)),
            superseded: false,
        })
    }

    fn resolve(
        &self,
        site: &Site<'_, '_, '_>,
        raw: RawFinding,
        reason: Option<String>,
        strings: &mut Interner,
    ) -> Finding {
        let location = match raw.at {
            At::Pointer(pointer) => {
                site.object
                    .location(site.path, site.document, strings.str(&pointer))
            }
            At::Pos(pos) => span_location(
                site.path,
                site.document,
                ArcStr::new(),
                pos,
                Pos {
                    col: pos.col + 1,
                    ..pos
                },
                false,
            ),
        };
        Finding {
            rule: raw.rule.meta.clone(),
            severity: raw.severity.unwrap_or(raw.rule.meta.severity),
            subject: Arc::clone(site.object_ref),
            container: strings.opt(raw.container.as_deref()),
            location,
            message: strings.str(&raw.message),
            suppressed: reason.is_some(),
            suppression_reason: strings.opt(reason.as_deref()),
            redact_source: raw.redact,
            origin: None,
            fix: raw.fix.map(|fix| strings.fix(fix)),
            superseded: false,
        }
    }
}

/// What the rules about node facts found.
#[derive(Debug, Default)]
pub struct SubjectReport {
    /// Findings, in rule order.
    pub findings: Vec<Finding>,
    /// Ids of the rules that found what they apply to.
    pub evaluated: Vec<ArcStr>,
}

/// The audit rules of a rule set judging one stream of events, in order. Each rule's state is
/// its own and bounded ([`AuditState`]).
#[derive(Debug)]
pub struct AuditRun<'s> {
    rules: Vec<(&'s RuleHandle, AuditHook, AuditState)>,
    min_severity: Option<Severity>,
    options: &'s crate::options::RuleOptions,
    rbac: Option<&'s palisade_model::authz::RbacGraph>,
}

type AuditHook = fn(&Event, &mut AuditState, &mut SubjectCtx<'_>);

impl<'s> AuditRun<'s> {
    /// The run, with the RBAC objects of the cluster the events come from (a snapshot or the
    /// manifests it runs): detections then know the roles a new binding references.
    pub fn with_rbac(mut self, rbac: &'s palisade_model::authz::RbacGraph) -> Self {
        self.rbac = Some(rbac);
        self
    }

    /// Judge one event; its findings, in rule order.
    pub fn observe(&mut self, event: &Event) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (rule, check, state) in &mut self.rules {
            let mut ctx = SubjectCtx::new(rule, &mut findings, self.min_severity)
                .with_options(self.options)
                .with_rbac(self.rbac);
            check(event, state, &mut ctx);
        }
        findings
    }

    /// Keys each rule's state forgot to stay bounded, by rule id.
    pub fn evicted(&self) -> Vec<(ArcStr, u64)> {
        self.rules
            .iter()
            .map(|(rule, _, state)| (rule.meta.id.clone(), state.evicted()))
            .collect()
    }
}

/// The object a document's findings are resolved against.
struct Site<'s, 'd, 'a> {
    object: &'s Object<'d, 'a>,
    object_ref: &'s Arc<Subject>,
    path: &'s ArcStr,
    document: u32,
}

/// The stricter rule, among those `f`'s rule names as superseding it (in the order it names
/// them), that reported an unsuppressed finding on the same container (or on the pod, for
/// pod-level findings).
fn superseding_rule(
    f: &RawFinding,
    reported: &HashSet<(&str, Option<&str>)>,
) -> Option<&'static str> {
    let superseded_by: &'static [&'static str] = f.rule.meta.superseded_by;
    superseded_by
        .iter()
        .find(|id| reported.contains(&(**id, f.container.as_deref())))
        .copied()
}

fn annotation_suppressions(value: Option<&str>) -> Vec<Suppression> {
    value
        .map(parse_suppressions)
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Why a finding of `rule` is suppressed: the object's annotation first, then per-path ignores.
fn suppression_reason(
    rule: &Rule,
    annotation: &[Suppression],
    paths: &[&PathIgnore],
) -> Option<String> {
    annotation
        .iter()
        .find(|s| s.selectors.iter().any(|sel| sel.matches(rule)))
        .map(|s| format!("{IGNORE_ANNOTATION}: {}", s.reason))
        .or_else(|| {
            paths
                .iter()
                .find(|p| p.selectors.iter().any(|sel| sel.matches(rule)))
                .map(|p| format!("palisade.toml per-path-ignores `{}`", p.pattern))
        })
}
