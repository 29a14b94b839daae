//! Applying the mechanical fixes of findings to the text they were found in.
//!
//! Each edit is planned on a fresh load of the current text and applied as a minimal text
//! edit, so that two fixes on one container share the `securityContext` the first one created.
//! A finding is fixed whole or not at all, a file is never left with a document that no
//! longer loads, and an object is never left in a combination Kubernetes refuses.

use palisade_diagnostics::{Finding, FixEdit};
use palisade_model::conflicts::{Conflict, conflicts};
use palisade_model::{Object, objects_in};
use palisade_source::{Document, EditOp, Limits, parse_stream, plan_edit};

/// What applying fixes to one text did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixOutcome {
    /// The text with every applicable fix.
    pub text: String,
    /// Findings whose fix was applied (or was already in place).
    pub fixed: usize,
    /// Findings that could not be fixed, with the reason, by index in the input.
    pub failed: Vec<(usize, String)>,
}

/// Apply the fixes of `findings` (all from the file `text` was read from) to `text`.
///
/// A fix that would leave its object in a combination Kubernetes refuses
/// ([`palisade_model::conflicts`]) is not applied. Such a fix is tried again after the others,
/// since another fix may remove the conflict (`privileged: false` before
/// `allowPrivilegeEscalation: false`); it fails only when no other fix helps.
pub fn apply_fixes(text: &str, findings: &[&Finding], limits: &Limits) -> FixOutcome {
    let errors_before = load_errors(text, limits);
    let mut outcome = FixOutcome {
        text: text.to_string(),
        ..FixOutcome::default()
    };
    let mut pending: Vec<usize> = (0..findings.len())
        .filter(|i| findings[*i].fix.is_some())
        .collect();
    while !pending.is_empty() {
        let mut refused = Vec::new();
        let mut progress = false;
        for i in pending {
            match apply_fix(&outcome.text, findings[i], limits) {
                Ok(next) => {
                    outcome.text = next;
                    outcome.fixed += 1;
                    progress = true;
                }
                Err(Failure::Conflict(reason)) => refused.push((i, reason)),
                Err(Failure::Other(reason)) => outcome.failed.push((i, reason)),
            }
        }
        if !progress {
            outcome.failed.extend(refused);
            break;
        }
        pending = refused.into_iter().map(|(i, _)| i).collect();
    }
    outcome.failed.sort();
    if load_errors(&outcome.text, limits) > errors_before {
        // Never hand back a file that loads worse than it did.
        let reason = "the fixed file would not load; no fix applied to it".to_string();
        return FixOutcome {
            text: text.to_string(),
            fixed: 0,
            failed: (0..findings.len()).map(|i| (i, reason.clone())).collect(),
        };
    }
    outcome
}

/// Why a fix was not applied.
enum Failure {
    /// It would leave a combination Kubernetes refuses (another fix may change that).
    Conflict(String),
    /// Anything else: the edit cannot be made.
    Other(String),
}

/// Apply every edit of `finding`'s fix to `text`, whole or not at all.
fn apply_fix(text: &str, finding: &Finding, limits: &Limits) -> Result<String, Failure> {
    let Some(fix) = &finding.fix else {
        return Ok(text.to_string());
    };
    let mut current = text.to_string();
    for edit in &fix.edits {
        current = apply_edit(&current, finding, edit, limits).map_err(Failure::Other)?;
    }
    if current == text {
        return Ok(current);
    }
    let before = with_object(text, finding, limits, conflicts_of).unwrap_or_default();
    let after = with_object(&current, finding, limits, conflicts_of).map_err(Failure::Other)?;
    match after.iter().find(|c| !before.contains(c)) {
        Some(conflict) => Err(Failure::Conflict(format!(
            "the fix would leave {}; change that first",
            conflict.message
        ))),
        None => Ok(current),
    }
}

/// The combinations Kubernetes refuses in an object's pod spec (none without one).
fn conflicts_of(_doc: &Document<'_>, object: &Object<'_, '_>) -> Vec<Conflict> {
    object.pod_spec().map(conflicts).unwrap_or_default()
}

/// Load `text` and run `f` on the document and object `finding` is about.
fn with_object<R>(
    text: &str,
    finding: &Finding,
    limits: &Limits,
    f: impl FnOnce(&Document<'_>, &Object<'_, '_>) -> R,
) -> Result<R, String> {
    let (Some(span), Some(wanted)) = (&finding.location.span, finding.subject.object()) else {
        return Err("the finding is not about an object in a file".into());
    };
    let docs = parse_stream(text, limits);
    let doc = docs
        .iter()
        .filter_map(|d| d.as_ref().ok())
        .find(|d| d.index == span.document)
        .ok_or("the document no longer loads")?;
    let objects = objects_in(doc);
    let object = objects
        .objects
        .iter()
        .find(|o| {
            // Cross-object findings name the namespace `kubectl apply` would place an object
            // in when it names none.
            o.kind == wanted.kind
                && o.name() == wanted.name.as_deref()
                && (o.namespace().is_none() || o.namespace() == wanted.namespace.as_deref())
        })
        .ok_or("the object is no longer in the document")?;
    Ok(f(doc, object))
}

fn load_errors(text: &str, limits: &Limits) -> usize {
    parse_stream(text, limits)
        .iter()
        .filter(|d| d.is_err())
        .count()
}

/// Apply one edit of `finding`'s fix to `text`.
fn apply_edit(
    text: &str,
    finding: &Finding,
    edit: &FixEdit,
    limits: &Limits,
) -> Result<String, String> {
    let (pointer, value, add) = match edit {
        FixEdit::Set { pointer, value } => (pointer, value, false),
        FixEdit::Add { pointer, value } => (pointer, value, true),
    };
    let planned = with_object(text, finding, limits, |doc, object| {
        let pointer = format!("{}{pointer}", object.pointer);
        let op = if add {
            EditOp::Add {
                pointer: &pointer,
                value,
            }
        } else {
            EditOp::Set {
                pointer: &pointer,
                value,
            }
        };
        plan_edit(text, doc, op).map_err(|e| e.to_string())
    })?;
    match planned? {
        Some(edit) => Ok(edit.apply(text)),
        None => Ok(text.to_string()),
    }
}
