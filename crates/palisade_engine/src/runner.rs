//! The per-object runner: every enabled rule once per object, then location resolution and
//! suppression.

use palisade_diagnostics::{Finding, Location, ObjectRef, Severity};
use palisade_model::{Object, objects_in};
use palisade_source::{Document, Pos};

use crate::context::{At, Ctx, RawFinding};
use crate::rule::{Hook, Rule};
use crate::selection::{Selection, SelectionError, Selector};
use crate::suppress::{IGNORE_ANNOTATION, parse_suppressions};

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
}

/// The result of scanning one document.
#[derive(Debug, Default)]
pub struct DocumentReport {
    /// Findings, suppressed ones included (flagged).
    pub findings: Vec<Finding>,
    /// Objects evaluated.
    pub objects: usize,
    /// Whether the document was skipped as non-Kubernetes.
    pub skipped: bool,
}

/// The enabled rules, split by hook, ready to run on many documents in parallel.
#[derive(Debug)]
pub struct RuleSet {
    registry: Vec<&'static Rule>,
    enabled: Vec<&'static Rule>,
    settings: Settings,
}

impl RuleSet {
    /// Resolve the selection against the registry.
    pub fn new(registry: &[&'static Rule], settings: Settings) -> Result<Self, SelectionError> {
        let enabled = settings.selection.resolve(registry)?;
        Ok(RuleSet {
            registry: registry.to_vec(),
            enabled,
            settings,
        })
    }

    /// The rules that run, in registry order.
    pub fn enabled(&self) -> &[&'static Rule] {
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

    /// Run every enabled rule on every object of the document.
    pub fn scan_document(&self, doc: &Document<'_>, path: &str) -> DocumentReport {
        let found = objects_in(doc);
        let mut report = DocumentReport {
            findings: Vec::new(),
            objects: found.objects.len(),
            skipped: found.skipped,
        };
        let path_suppressors: Vec<&PathIgnore> = self
            .settings
            .path_ignores
            .iter()
            .filter(|p| p.glob.is_match(path) || p.glob.is_match(path.trim_start_matches("./")))
            .collect();
        let mut raw = Vec::new();
        for object in &found.objects {
            raw.clear();
            let pod = object.pod_spec();
            for &rule in &self.enabled {
                let mut ctx = Ctx::new(
                    rule,
                    self.settings.selection.pss_version.minor,
                    &mut raw,
                    self,
                );
                match rule.hook {
                    Hook::Object(check) => check(object, &mut ctx),
                    Hook::Pod(check) => {
                        if let Some(pod) = pod {
                            check(pod, &mut ctx);
                        }
                    }
                }
            }
            if raw.is_empty() {
                continue;
            }
            let object_ref = object_ref(object);
            let suppressions: Vec<_> = object
                .annotation(IGNORE_ANNOTATION)
                .and_then(|a| a.as_str())
                .map(parse_suppressions)
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect();
            for finding in raw.drain(..) {
                let severity = finding.severity.unwrap_or(finding.rule.meta.severity);
                if self.settings.min_severity.is_some_and(|min| severity < min) {
                    continue;
                }
                let rule = finding.rule;
                let reason = suppressions
                    .iter()
                    .find(|s| s.selectors.iter().any(|sel| sel.matches(rule)))
                    .map(|s| format!("{IGNORE_ANNOTATION}: {}", s.reason))
                    .or_else(|| {
                        path_suppressors
                            .iter()
                            .find(|p| p.selectors.iter().any(|sel| sel.matches(rule)))
                            .map(|p| format!("palisade.toml per-path-ignores `{}`", p.pattern))
                    });
                report.findings.push(self.resolve(
                    object,
                    &object_ref,
                    path,
                    doc.index,
                    finding,
                    reason,
                ));
            }
        }
        report
    }

    fn resolve(
        &self,
        object: &Object<'_, '_>,
        object_ref: &ObjectRef,
        path: &str,
        document: u32,
        raw: RawFinding,
        reason: Option<String>,
    ) -> Finding {
        let (start, end, pointer, missing) = match raw.at {
            At::Pointer(pointer) => {
                let located = object.root.locate(&pointer);
                (located.start, located.end, pointer, located.missing)
            }
            At::Pos(pos) => (
                pos,
                Pos {
                    col: pos.col + 1,
                    ..pos
                },
                String::new(),
                false,
            ),
        };
        Finding {
            rule: &raw.rule.meta,
            severity: raw.severity.unwrap_or(raw.rule.meta.severity),
            object: object_ref.clone(),
            container: raw.container,
            location: Location {
                path: path.to_string(),
                line: start.line,
                column: start.col + 1,
                end_line: end.line,
                end_column: end.col + 1,
                document,
                pointer,
                missing,
            },
            message: raw.message,
            suppressed: reason.is_some(),
            suppression_reason: reason,
            redact_source: raw.redact,
        }
    }
}

fn object_ref(object: &Object<'_, '_>) -> ObjectRef {
    ObjectRef {
        api_version: object.api_version.to_string(),
        kind: object.kind.to_string(),
        namespace: object.namespace().map(str::to_string),
        name: object.name().map(str::to_string),
    }
}
