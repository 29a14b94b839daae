//! The one finding model every front door produces and every renderer consumes.

use std::sync::Arc;

use arcstr::ArcStr;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::list::{FindingRef, SortKey, SpanRef};
use crate::meta::{Applicability, RuleMeta, Severity};
use crate::rule_ref::RuleRef;
use crate::subject::Subject;

/// The Kubernetes object a finding is about. Its strings are shared ([`ArcStr`], one pointer
/// each): every finding of a scan refers to one, and a scan may hold millions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct ObjectRef {
    /// `apiVersion` as written.
    #[serde(rename = "apiVersion")]
    pub api_version: ArcStr,
    /// `kind` as written.
    pub kind: ArcStr,
    /// `metadata.namespace`, if set.
    pub namespace: Option<ArcStr>,
    /// `metadata.name` (or `generateName`), if set.
    pub name: Option<ArcStr>,
    /// `metadata.uid`, when the object has one (objects read from a cluster do).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<ArcStr>,
    /// The cluster the object was read from (a live scan or a snapshot: the kubeconfig
    /// context). Not part of a finding's fingerprint, so a baseline holds across clusters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ArcStr>,
}

impl ObjectRef {
    /// `Kind/namespace/name`, the short form used in text output.
    pub fn display_name(&self) -> String {
        let name = self.name.as_deref().unwrap_or("<unnamed>");
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.kind, ns, name),
            None => format!("{}/{}", self.kind, name),
        }
    }
}

/// Where a finding points: the offending field of its subject, and where that field is written
/// when the subject was read from a file. Findings about objects from a live cluster, an
/// admission request or an audit event have no span.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Location {
    /// Where the field is written, when the subject came from a file.
    #[serde(flatten)]
    pub span: Option<Span>,
    /// JSON pointer (RFC 6901) of the offending field, relative to the object root.
    pub pointer: ArcStr,
    /// Whether the field at `pointer` is absent (the span is its nearest existing ancestor).
    pub missing: bool,
}

impl Location {
    /// A location with no span: the field of a subject that was not read from a file.
    pub fn unplaced(pointer: impl Into<ArcStr>) -> Location {
        Location {
            span: None,
            pointer: pointer.into(),
            missing: false,
        }
    }

    /// The file, when the finding has a span.
    pub fn path(&self) -> Option<&ArcStr> {
        self.span.as_ref().map(|s| &s.path)
    }
}

/// A place in a file. Lines and columns are 1-based; columns count characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Span {
    /// The file as given on the command line (or `-` for standard input), shared by the
    /// file's findings.
    pub path: ArcStr,
    /// 1-based line of the offending key, or of the nearest existing ancestor.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// 1-based last line of the highlighted span.
    pub end_line: u32,
    /// 1-based column just past the highlighted span.
    pub end_column: u32,
    /// 0-based index of the YAML document in the file.
    pub document: u32,
}

/// Where a rendered object came from: `location` then points into the template or resource
/// file a user edits, and for Helm, `values` names the values keys that set the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `helm` or `kustomize`.
    pub renderer: &'static str,
    /// The chart (directory or archive) or kustomization directory that was rendered.
    pub source: String,
    /// `location` is the offending key itself, not the nearest line written literally in the
    /// template (or resource) above it.
    pub exact: bool,
    /// Helm values keys that set the offending field, in the order the template uses them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// The other kustomizations (overlays) whose builds hold the same finding at the same
    /// place: a base file scanned through a base and its overlays is reported once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_in: Vec<String>,
}

/// A mechanical remediation: changes to fields of the object, which `palisade fix` turns into
/// minimal text edits of the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    /// What the fix does, e.g. "set securityContext.allowPrivilegeEscalation to false".
    pub title: String,
    /// The changes, in order.
    pub edits: Vec<FixEdit>,
    /// Whether applying it can change what the workload does. Rules leave it to the engine,
    /// which takes it from the rule's [`crate::Fixable`], unless they mark the fix safe.
    pub applicability: Applicability,
}

impl Fix {
    /// A fix that sets one field (pointer relative to the object) to a plain YAML scalar.
    pub fn set(pointer: impl Into<String>, value: &str) -> Fix {
        let pointer = pointer.into();
        Fix {
            title: format!("set {} to {value}", dotted(&pointer)),
            edits: vec![FixEdit::Set {
                pointer,
                value: value.to_string(),
            }],
            applicability: Applicability::Unsafe,
        }
    }

    /// A fix that adds a scalar item to a list (created when missing).
    pub fn add(pointer: impl Into<String>, value: &str) -> Fix {
        let pointer = pointer.into();
        Fix {
            title: format!("add {value} to {}", dotted(&pointer)),
            edits: vec![FixEdit::Add {
                pointer,
                value: value.to_string(),
            }],
            applicability: Applicability::Unsafe,
        }
    }

    /// Mark the fix safe: for a rule whose fixes are unsafe in general, the case it can tell
    /// from the object cannot change what the workload does (its docs say when).
    pub fn safe(mut self) -> Fix {
        self.applicability = Applicability::Safe;
        self
    }

    /// Whether the fix cannot change what the workload does.
    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

/// `/spec/containers/0/securityContext/x` -> `securityContext.x` (the part under the container
/// or pod spec a reader recognises).
fn dotted(pointer: &str) -> String {
    let segments: Vec<&str> = pointer.split('/').skip(1).collect();
    let from = segments
        .iter()
        .rposition(|s| s.parse::<usize>().is_ok() || *s == "spec")
        .map_or(0, |i| i + 1);
    segments[from..].join(".")
}

/// One change of a [`Fix`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum FixEdit {
    /// Make the scalar at `pointer` equal to `value`, creating missing mappings.
    Set {
        /// JSON pointer relative to the object.
        pointer: String,
        /// The value as YAML text.
        value: String,
    },
    /// Make the list at `pointer` contain `value`, creating it when missing.
    Add {
        /// JSON pointer relative to the object.
        pointer: String,
        /// The item as YAML text.
        value: String,
    },
}

/// One rule violation on one object (and container, where the rule is per-container).
///
/// Kept compact (about 120 bytes): a scan may hold millions. Strings are shared pointers
/// ([`ArcStr`]) that an [`crate::Interner`] deduplicates among the findings of a file (the same
/// message, pointer and container name recur on every workload), the object and the fix are
/// shared, and the rare origin is boxed.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule that produced the finding.
    pub rule: RuleRef,
    /// Effective severity (the rule's default unless configuration changed it).
    pub severity: Severity,
    /// What the finding is about (usually an object), shared by its findings.
    pub subject: Arc<Subject>,
    /// The container, for per-container checks.
    pub container: Option<ArcStr>,
    /// Where the offending field is.
    pub location: Location,
    /// What is wrong, naming the field and the value found. Never contains a secret value.
    pub message: ArcStr,
    /// Whether an annotation, waiver or baseline suppressed the finding.
    pub suppressed: bool,
    /// Why it was suppressed (the annotation's reason).
    pub suppression_reason: Option<ArcStr>,
    /// The offending source text holds a secret: renderers must not show it.
    pub redact_source: bool,
    /// How the object was produced, when a tool (Helm, Kustomize) rendered it.
    pub origin: Option<Box<Origin>>,
    /// A mechanical remediation `palisade fix` can apply, shared by equal fixes.
    pub fix: Option<Arc<Fix>>,
    /// A stricter rule's finding on the same container made this one redundant (the
    /// suppression reason names the rule). Such a finding is suppressed (not listed, not
    /// failing the run) but still fails its framework controls in the compliance summary.
    pub superseded: bool,
}

impl Finding {
    /// A finding of `rule` at its default severity, not suppressed, with no container, origin
    /// or fix (set those fields after, when they apply).
    pub fn new(
        rule: impl Into<RuleRef>,
        subject: impl Into<Subject>,
        location: Location,
        message: impl Into<ArcStr>,
    ) -> Finding {
        let rule = rule.into();
        Finding {
            severity: rule.severity,
            rule,
            subject: Arc::new(subject.into()),
            container: None,
            location,
            message: message.into(),
            suppressed: false,
            suppression_reason: None,
            redact_source: false,
            origin: None,
            fix: None,
            superseded: false,
        }
    }

    /// What recognises a finding across runs and front doors: the rule, the object (kind,
    /// `namespace` as the caller places it, name), the field and the container. The file is
    /// not part of it, so that a baseline made from manifests holds for the same objects read
    /// from a snapshot, a live cluster or an admission request, and moving a manifest to
    /// another file keeps its findings' identity.
    ///
    /// For a subject other than an object, `namespace` is ignored: the subject's own scope
    /// (a node, a component) takes its place.
    pub fn fingerprint(&self, namespace: &str) -> String {
        let (scope, name) = self.subject.identity();
        let scope = if self.subject.object().is_some() {
            namespace
        } else {
            scope
        };
        fnv(&[
            &self.rule.id,
            self.subject.kind(),
            scope,
            name,
            &self.location.pointer,
            self.container.as_deref().unwrap_or(""),
        ])
    }

    /// The fingerprint of version 1 and 2 baselines, which named the file: `path` as written on
    /// the command line (version 1, `./` trimmed) or relative to the project (version 2).
    pub fn path_fingerprint(&self, path: &str) -> String {
        fnv(&[
            &self.rule.id,
            path.trim_start_matches("./"),
            self.subject.kind(),
            self.subject.identity().0,
            self.subject.identity().1,
            &self.location.pointer,
            self.container.as_deref().unwrap_or(""),
        ])
    }

    /// The deterministic output order: file, line, column, rule, then message. The fields
    /// after those break every tie that output can show, so that an unstable sort (which needs
    /// no memory beside the findings) lists findings in the same order whatever order the
    /// threads produced them in.
    pub fn sort_key(&self) -> SortKey<'_> {
        self.view().sort_key()
    }

    /// The finding, borrowed: the form a [`crate::FindingList`] lends its findings in.
    pub fn view(&self) -> FindingRef<'_> {
        let l = &self.location;
        FindingRef {
            rule: &self.rule,
            severity: self.severity,
            subject: &self.subject,
            container: self.container.as_deref(),
            span: l.span.as_ref().map(SpanRef::of),
            pointer: &l.pointer,
            missing: l.missing,
            message: &self.message,
            suppressed: self.suppressed,
            reason: self.suppression_reason.as_deref(),
            redact_source: self.redact_source,
            origin: self.origin.as_deref(),
            fix: self.fix.as_deref(),
            superseded: self.superseded,
        }
    }
}

/// FNV-1a of the parts, each ended by a NUL byte, as 16 hex digits.
fn fnv(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

struct Frameworks<'a>(&'a RuleMeta);

impl Serialize for Frameworks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let meta = self.0;
        let mut map = s.serialize_map(None)?;
        if let Some(pss) = meta.pss() {
            map.serialize_entry("pss", &pss)?;
        }
        for key in ["cis", "nsa", "mitre"] {
            let ids = meta.framework_ids(key);
            if !ids.is_empty() {
                map.serialize_entry(key, &ids)?;
            }
        }
        map.end()
    }
}

impl Serialize for Finding {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("rule", self.rule.id.as_str())?;
        map.serialize_entry("name", self.rule.name.as_str())?;
        map.serialize_entry("title", self.rule.title.as_str())?;
        map.serialize_entry("severity", &self.severity)?;
        map.serialize_entry("layer", &self.rule.layer)?;
        match &*self.subject {
            Subject::Object(object) => map.serialize_entry("object", object)?,
            other => map.serialize_entry("subject", other)?,
        }
        map.serialize_entry("container", &self.container)?;
        map.serialize_entry("location", &self.location)?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("remediation", self.rule.remediation.as_str())?;
        map.serialize_entry("frameworks", &Frameworks(&self.rule))?;
        map.serialize_entry("suppressed", &self.suppressed)?;
        if let Some(reason) = &self.suppression_reason {
            map.serialize_entry("suppression_reason", reason)?;
        }
        if let Some(origin) = &self.origin {
            map.serialize_entry("origin", origin)?;
        }
        if let Some(fix) = &self.fix {
            map.serialize_entry("fix", fix)?;
        }
        map.end()
    }
}

/// A problem with the input (unreadable, malformed, over a limit). Input errors never stop a
/// scan: they are reported next to the findings and make the exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct InputError {
    /// The file (or `-`).
    pub path: String,
    /// 1-based line, when the error has a position.
    pub line: Option<u32>,
    /// 1-based column, when the error has a position.
    pub column: Option<u32>,
    /// What went wrong. Never contains input content beyond key names.
    pub message: String,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Live clusters read (absent when none was).
    #[serde(skip_serializing_if = "is_zero")]
    pub clusters: usize,
    /// Kubernetes objects evaluated.
    pub objects: usize,
    /// Documents skipped because they have no `apiVersion`/`kind`.
    pub skipped_documents: usize,
    /// Files skipped as templates (Helm) during a directory walk.
    pub skipped_templates: usize,
    /// Findings not suppressed.
    pub findings: usize,
    /// Unsuppressed findings per severity name.
    pub by_severity: std::collections::BTreeMap<&'static str, usize>,
    /// Suppressed findings.
    pub suppressed: usize,
    /// Input errors.
    pub errors: usize,
    /// Warnings: inputs that were not fully scanned but do not fail the run (charts and
    /// kustomizations that did not render, with `render-errors = "warn"`).
    pub warnings: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subject::NodeFileRef;

    use crate::meta::TEST_RULE as RULE;

    fn pod() -> ObjectRef {
        ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: None,
            name: Some("p".into()),
            uid: None,
            cluster: None,
        }
    }

    #[test]
    fn a_fingerprint_follows_the_subject_not_the_file() {
        let in_file = Finding::new(
            &RULE,
            pod(),
            Location {
                span: Some(Span {
                    path: "deploy/pod.yaml".into(),
                    line: 7,
                    ..Span::default()
                }),
                pointer: "/spec/hostPID".into(),
                missing: false,
            },
            "hostPID is true",
        );
        // The same object from a live cluster: no file, a uid.
        let live = Finding::new(
            &RULE,
            ObjectRef {
                uid: Some("0b6e".into()),
                ..pod()
            },
            Location::unplaced("/spec/hostPID"),
            "hostPID is true",
        );
        assert_eq!(in_file.fingerprint("default"), live.fingerprint("default"));
        assert_ne!(in_file.fingerprint("default"), in_file.fingerprint("other"));
        let node = Finding::new(
            &RULE,
            Subject::NodeFile(NodeFileRef {
                node: Some("n1".into()),
                path: "/etc/kubernetes/manifests/kube-apiserver.yaml".into(),
            }),
            Location::unplaced("/spec/hostPID"),
            "hostPID is true",
        );
        // A node file's scope is its node, whatever namespace the caller places objects in.
        assert_eq!(node.fingerprint("default"), node.fingerprint("other"));
        assert_ne!(node.fingerprint("default"), live.fingerprint("default"));
    }
}
