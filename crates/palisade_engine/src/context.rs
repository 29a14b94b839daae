//! What a rule sees besides the model, and how it reports.

use palisade_diagnostics::{ArcStr, Finding, Fix, Location, Severity, Subject};
use palisade_model::ContainerView;
use palisade_model::request::Request;
use palisade_source::Pos;

use crate::rule::{Rule, RuleHandle};
use crate::runner::RuleSet;

/// Where a raw finding points before the engine resolves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// A JSON pointer relative to the object (the normal case).
    Pointer(String),
    /// A source position, for findings about the text itself (e.g. duplicate keys).
    Pos(Pos),
}

/// A finding as a rule reports it: no line numbers, no object identity.
#[derive(Debug, Clone)]
pub struct RawFinding {
    /// The reporting rule.
    pub rule: RuleHandle,
    /// Where.
    pub at: At,
    /// The container, for per-container findings.
    pub container: Option<String>,
    /// What is wrong, naming the field and the value found.
    pub message: String,
    /// A severity other than the rule's default, for findings that are worse than the rule's
    /// typical case.
    pub severity: Option<Severity>,
    /// The offending text is a secret: no renderer may show it.
    pub redact: bool,
    /// A mechanical remediation.
    pub fix: Option<Fix>,
}

/// The context a rule runs in: the settings that change semantics, and the finding sink.
pub struct Ctx<'r> {
    /// The Pod Security Standards policy minor version (`1.N`) being evaluated.
    pub pss_minor: u32,
    pub(crate) rule: &'r RuleHandle,
    pub(crate) out: &'r mut Vec<RawFinding>,
    pub(crate) rules: &'r RuleSet,
    pub(crate) evaluated: bool,
    pub(crate) request: Option<&'r Request>,
    pub(crate) errors: Vec<String>,
}

impl<'r> Ctx<'r> {
    /// A context for testing rules in isolation.
    pub fn new(
        rule: &'r RuleHandle,
        pss_minor: u32,
        out: &'r mut Vec<RawFinding>,
        rules: &'r RuleSet,
    ) -> Self {
        Ctx {
            pss_minor,
            rule,
            out,
            rules,
            evaluated: false,
            request: None,
            errors: Vec::new(),
        }
    }

    /// The admission request the object arrives in; `None` in a scan, where the object is
    /// seen as if it were being created.
    pub fn request(&self) -> Option<&'r Request> {
        self.request
    }

    /// Report that the rule could not be evaluated on this object (a loaded policy's
    /// expression failed): an input error naming the object, not a finding, so that a run
    /// never passes silently on a policy that did not run.
    pub fn error(&mut self, message: impl Into<String>) {
        self.errors.push(message.into());
    }

    /// Record that the object is one the rule applies to, even when it finds nothing: the
    /// compliance summary then reports the rule's controls as passed rather than not evaluated.
    pub fn applicable(&mut self) {
        self.evaluated = true;
    }

    /// Record that the object is not one the rule applies to. Pod rules start out applicable
    /// (every pod spec is their subject); rules about a subset of pods (control-plane static
    /// pods) call this first and [`Ctx::applicable`] when they find their subject.
    pub fn not_applicable(&mut self) {
        self.evaluated = false;
    }

    /// Report a finding at a pointer relative to the object.
    pub fn report(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.push(At::Pointer(pointer.into()), None, message.into(), None);
    }

    /// Report a finding with a severity other than the rule's default.
    pub fn report_as(
        &mut self,
        severity: Severity,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(
            At::Pointer(pointer.into()),
            None,
            message.into(),
            Some(severity),
        );
    }

    fn push(
        &mut self,
        at: At,
        container: Option<String>,
        message: String,
        severity: Option<Severity>,
    ) {
        self.evaluated = true;
        self.out.push(RawFinding {
            rule: self.rule.clone(),
            at,
            container,
            message,
            severity,
            redact: false,
            fix: None,
        });
    }

    /// Attach a mechanical remediation to the finding just reported. It is safe when the rule
    /// declares its fixes safe, or when the rule marked this one safe ([`Fix::safe`]).
    pub fn fix(&mut self, fix: Fix) {
        let fix = with_applicability(fix, self.rule);
        if let Some(last) = self.out.last_mut() {
            last.fix = Some(fix);
        }
    }

    /// Report a finding whose offending source text is a secret value: renderers show the
    /// location but never the line. The message must not contain the value either.
    pub fn report_redacted(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.push(At::Pointer(pointer.into()), None, message.into(), None);
        if let Some(last) = self.out.last_mut() {
            last.redact = true;
        }
    }

    /// Report a finding about one container, at `suffix` below it.
    pub fn report_container(
        &mut self,
        container: &ContainerView<'_, '_>,
        suffix: &str,
        message: impl Into<String>,
    ) {
        self.container_finding(None, container, suffix, message.into());
    }

    /// Report a finding about one container with a severity other than the rule's default.
    pub fn report_container_as(
        &mut self,
        severity: Severity,
        container: &ContainerView<'_, '_>,
        suffix: &str,
        message: impl Into<String>,
    ) {
        self.container_finding(Some(severity), container, suffix, message.into());
    }

    fn container_finding(
        &mut self,
        severity: Option<Severity>,
        container: &ContainerView<'_, '_>,
        suffix: &str,
        message: String,
    ) {
        let at = At::Pointer(container.ptr(suffix));
        self.push(at, Some(container.name.to_string()), message, severity);
    }

    /// Report a finding at a source position.
    pub fn report_at(&mut self, pos: Pos, message: impl Into<String>) {
        self.push(At::Pos(pos), None, message.into(), None);
    }

    /// Whether a rule selector (id, name or prefix) names at least one known rule.
    pub fn knows_selector(&self, selector: &str) -> bool {
        self.rules.knows(selector)
    }

    /// The options of a configurable rule's family (its defaults when none are configured).
    pub fn options<T: crate::FamilyOptions>(&self) -> &T {
        self.rules.settings().options.get::<T>()
    }

    /// Whether the rule with this id runs in this scan. Rules use it to leave a finding to a
    /// broader rule that reports the same thing (e.g. a `*`/`*` RBAC rule to RBAC002).
    pub fn is_enabled(&self, id: &str) -> bool {
        self.rules.enabled().iter().any(|r| r.meta.id == id)
    }
}

/// A cross-object finding as a rule reports it: at a fact's location.
#[derive(Debug, Clone)]
pub struct SiteFinding {
    /// The reporting rule.
    pub rule: RuleHandle,
    /// The object the finding is about.
    pub object: palisade_diagnostics::ObjectRef,
    /// Where to point.
    pub location: palisade_diagnostics::Location,
    /// The object's suppression annotation.
    pub ignore: Option<String>,
    /// Other scanners' suppression annotations of the object (when honoured).
    pub peer_annotations: Vec<(String, String)>,
    /// What is wrong.
    pub message: String,
    /// A severity other than the rule's default.
    pub severity: Option<Severity>,
    /// A mechanical remediation.
    pub fix: Option<Fix>,
}

/// The context of a cross-object rule.
///
/// Findings go to `out` as they are reported (one is held back until the next, for
/// [`InventoryCtx::fix`]): a rule with a finding per workload never holds them all as reported.
pub struct InventoryCtx<'r> {
    rule: &'r RuleHandle,
    out: &'r mut dyn FnMut(SiteFinding),
    last: Option<SiteFinding>,
    evaluated: bool,
}

impl<'r> InventoryCtx<'r> {
    /// A context for running one inventory rule.
    pub fn new(rule: &'r RuleHandle, out: &'r mut dyn FnMut(SiteFinding)) -> Self {
        InventoryCtx {
            rule,
            out,
            last: None,
            evaluated: false,
        }
    }

    /// Hand over the last finding; whether the rule found objects it applies to.
    pub fn finish(mut self) -> bool {
        if let Some(last) = self.last.take() {
            (self.out)(last);
        }
        self.evaluated
    }

    /// Record that the scan holds objects the rule applies to, even when it finds nothing.
    pub fn applicable(&mut self) {
        self.evaluated = true;
    }

    /// Report a finding about `fact`'s object at `location` (one of the fact's sites).
    pub fn report(
        &mut self,
        fact: &palisade_model::inventory::Fact,
        location: &palisade_diagnostics::Location,
        message: impl Into<String>,
    ) {
        self.evaluated = true;
        if let Some(last) = self.last.take() {
            (self.out)(last);
        }
        self.last = Some(SiteFinding {
            rule: self.rule.clone(),
            object: fact.object.clone(),
            location: location.clone(),
            ignore: fact.ignore.clone(),
            peer_annotations: fact.peer_annotations.clone(),
            message: message.into(),
            severity: None,
            fix: None,
        });
    }

    /// Attach a mechanical remediation to the finding just reported. It is safe when the rule
    /// declares its fixes safe, or when the rule marked this one safe ([`Fix::safe`]).
    pub fn fix(&mut self, fix: Fix) {
        let fix = with_applicability(fix, self.rule);
        if let Some(last) = &mut self.last {
            last.fix = Some(fix);
        }
    }
}

/// The context of a rule whose findings are about subjects other than the objects of a
/// document: node files and endpoints ([`crate::Hook::Node`]), audit events
/// ([`crate::Hook::Audit`]). Findings are complete as reported: they have no document to be
/// resolved against, and a span only when the rule read a file it can point into.
pub struct SubjectCtx<'r> {
    rule: &'r RuleHandle,
    out: &'r mut Vec<Finding>,
    min_severity: Option<Severity>,
    evaluated: bool,
    options: Option<&'r crate::options::RuleOptions>,
    rbac: Option<&'r palisade_model::authz::RbacGraph>,
}

impl<'r> SubjectCtx<'r> {
    /// A context that reports `rule`'s findings into `out`, leaving out those below
    /// `min_severity`.
    pub fn new(
        rule: &'r RuleHandle,
        out: &'r mut Vec<Finding>,
        min_severity: Option<Severity>,
    ) -> Self {
        SubjectCtx {
            rule,
            out,
            min_severity,
            evaluated: false,
            options: None,
            rbac: None,
        }
    }

    /// The context, with the RBAC objects of the cluster the subjects belong to, when known.
    pub fn with_rbac(mut self, rbac: Option<&'r palisade_model::authz::RbacGraph>) -> Self {
        self.rbac = rbac;
        self
    }

    /// The RBAC objects of the cluster the subjects belong to, when the front door has them.
    pub fn rbac(&self) -> Option<&'r palisade_model::authz::RbacGraph> {
        self.rbac
    }

    /// The context, reading the configured options of rule families.
    pub fn with_options(mut self, options: &'r crate::options::RuleOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// The options of a configurable rule's family (its defaults when none are configured).
    pub fn options<T: crate::FamilyOptions>(&self) -> &'r T {
        match self.options {
            Some(options) => options.get::<T>(),
            None => T::defaults(),
        }
    }

    /// Record that the input holds what the rule applies to, even when it finds nothing.
    pub fn applicable(&mut self) {
        self.evaluated = true;
    }

    /// Whether the rule found what it applies to.
    pub fn evaluated(&self) -> bool {
        self.evaluated
    }

    /// Report a finding about `subject` at a field (a pointer into its configuration).
    pub fn report(
        &mut self,
        subject: Subject,
        pointer: impl Into<ArcStr>,
        message: impl Into<ArcStr>,
    ) {
        self.report_at(subject, Location::unplaced(pointer), None, message);
    }

    /// Report a finding with a severity other than the rule's default.
    pub fn report_as(
        &mut self,
        severity: Severity,
        subject: Subject,
        pointer: impl Into<ArcStr>,
        message: impl Into<ArcStr>,
    ) {
        self.report_at(
            subject,
            Location::unplaced(pointer),
            Some(severity),
            message,
        );
    }

    /// Report a finding at a location the rule resolved itself (a line of a configuration
    /// file it parsed).
    pub fn report_at(
        &mut self,
        subject: Subject,
        location: Location,
        severity: Option<Severity>,
        message: impl Into<ArcStr>,
    ) {
        self.evaluated = true;
        let mut finding = Finding::new(&self.rule.meta, subject, location, message);
        if let Some(severity) = severity {
            finding.severity = severity;
        }
        if self.min_severity.is_some_and(|min| finding.severity < min) {
            return;
        }
        self.out.push(finding);
    }
}

/// A rule's fix with the applicability its declaration gives it: a rule that declares its
/// fixes safe makes every one safe; otherwise a fix stays unsafe unless the rule marked it safe.
fn with_applicability(mut fix: Fix, rule: &Rule) -> Fix {
    if rule.meta.fixable == palisade_diagnostics::Fixable::Safe {
        fix.applicability = palisade_diagnostics::Applicability::Safe;
    }
    fix
}
