//! Applying the mechanical fixes of findings to the text they were found in.
//!
//! Each edit is planned on a fresh load of the current text and applied as a minimal text
//! edit, so that two fixes on one container share the `securityContext` the first one created.
//! A finding is fixed whole or not at all, and a file is never left with a document that no
//! longer loads.

use palisade_diagnostics::{Finding, FixEdit};
use palisade_model::objects_in;
use palisade_source::{EditOp, Limits, parse_stream, plan_edit};

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
pub fn apply_fixes(text: &str, findings: &[&Finding], limits: &Limits) -> FixOutcome {
    let errors_before = load_errors(text, limits);
    let mut outcome = FixOutcome {
        text: text.to_string(),
        ..FixOutcome::default()
    };
    for (i, finding) in findings.iter().enumerate() {
        let Some(fix) = &finding.fix else {
            continue;
        };
        let mut current = outcome.text.clone();
        let mut result = Ok(());
        for edit in &fix.edits {
            match apply_edit(&current, finding, edit, limits) {
                Ok(next) => current = next,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        match result {
            Ok(()) => {
                outcome.text = current;
                outcome.fixed += 1;
            }
            Err(e) => outcome.failed.push((i, e)),
        }
    }
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
    let docs = parse_stream(text, limits);
    let doc = docs
        .iter()
        .filter_map(|d| d.as_ref().ok())
        .find(|d| d.index == finding.location.document)
        .ok_or("the document no longer loads")?;
    let wanted = &finding.object;
    let object = objects_in(doc)
        .objects
        .into_iter()
        .find(|o| {
            o.kind == wanted.kind
                && o.name() == wanted.name.as_deref()
                && o.namespace() == wanted.namespace.as_deref()
        })
        .ok_or("the object is no longer in the document")?;
    let (pointer, value, add) = match edit {
        FixEdit::Set { pointer, value } => (pointer, value, false),
        FixEdit::Add { pointer, value } => (pointer, value, true),
    };
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
    match plan_edit(text, doc, op) {
        Ok(Some(edit)) => Ok(edit.apply(text)),
        Ok(None) => Ok(text.to_string()),
        Err(e) => Err(e.to_string()),
    }
}
