//! Rules about the scanned files themselves: suppression annotations and YAML hygiene.

pub mod duplicate_key;
pub mod finding_limit;
pub mod suppression_unknown_rule;
pub mod suppression_without_reason;
pub mod waiver_expired;
pub mod waiver_unused;

use palisade_engine::IGNORE_ANNOTATION;
use palisade_engine::prelude::*;

/// The pointer of the suppression annotation on an object.
pub(crate) fn annotation_pointer() -> String {
    format!(
        "/metadata/annotations/{}",
        escape_pointer_segment(IGNORE_ANNOTATION)
    )
}

/// The suppression annotation's value on an object, if any.
pub(crate) fn annotation_value<'d>(object: &Object<'d, '_>) -> Option<std::borrow::Cow<'d, str>> {
    object
        .annotation(IGNORE_ANNOTATION)
        .and_then(|a| a.scalar_text())
}

/// Findings about waivers that expired or matched nothing, for the rules that are enabled.
pub fn waiver_findings(
    problems: &[(usize, palisade_engine::WaiverProblem)],
    waivers: &[palisade_engine::Waiver],
    enabled: &[palisade_engine::RuleHandle],
) -> Vec<palisade_diagnostics::Finding> {
    use palisade_engine::WaiverProblem;
    problems
        .iter()
        .filter_map(|&(i, problem)| {
            let w = &waivers[i];
            let (rule, message) = match problem {
                WaiverProblem::Expired => (
                    &waiver_expired::RULE,
                    format!(
                        "waiver by {} expired on {}; the findings it covered are reported again",
                        w.owner,
                        w.expires.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ),
                WaiverProblem::Unused => (
                    &waiver_unused::RULE,
                    format!("waiver by {} matched no finding", w.owner),
                ),
            };
            enabled.iter().any(|r| r.meta.id == rule.meta.id).then(|| {
                let object = palisade_diagnostics::ObjectRef {
                    api_version: "palisade.dev/v1".into(),
                    kind: "Waiver".into(),
                    namespace: None,
                    name: Some(format!("waivers[{i}]").into()),
                    uid: None,
                    cluster: None,
                };
                palisade_diagnostics::Finding::new(
                    &rule.meta,
                    object,
                    w.declared_at.clone(),
                    message,
                )
            })
        })
        .collect()
}
