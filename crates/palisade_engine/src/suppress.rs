//! Inline suppression by object annotation: `palisade.dev/ignore: "PSS003,POD001: reason"`.

use crate::selection::Selector;

/// The annotation that suppresses findings on the object that carries it.
pub const IGNORE_ANNOTATION: &str = "palisade.dev/ignore";

/// One valid suppression: the selectors and the mandatory reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Which rules.
    pub selectors: Vec<Selector>,
    /// Why (never empty).
    pub reason: String,
}

/// Why an annotation does not suppress anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressionProblem {
    /// No `: reason` part, or an empty reason.
    MissingReason,
    /// No rule selectors before the colon.
    NoRules,
}

/// Parse the annotation value. Several suppressions may be separated by `;`
/// (`"PSS003: needs the GPU; POD001: legacy image"`).
pub fn parse_suppressions(value: &str) -> Vec<Result<Suppression, SuppressionProblem>> {
    value
        .split(';')
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            let (rules, reason) = match part.split_once(':') {
                Some((rules, reason)) => (rules, reason.trim()),
                None => (part, ""),
            };
            let selectors: Vec<Selector> = rules
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Selector::new)
                .collect();
            if selectors.is_empty() {
                Err(SuppressionProblem::NoRules)
            } else if reason.is_empty() {
                Err(SuppressionProblem::MissingReason)
            } else {
                Ok(Suppression { selectors, reason: reason.to_string() })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_and_reasons() {
        let parsed = parse_suppressions("PSS003, POD001: runs the node agent; PSS010: ok");
        assert_eq!(parsed.len(), 2);
        let first = parsed[0].as_ref().unwrap();
        assert_eq!(first.selectors, vec![Selector::new("PSS003"), Selector::new("POD001")]);
        assert_eq!(first.reason, "runs the node agent");
        assert_eq!(parse_suppressions("PSS003"), vec![Err(SuppressionProblem::MissingReason)]);
        assert_eq!(parse_suppressions("PSS003:  "), vec![Err(SuppressionProblem::MissingReason)]);
        assert_eq!(parse_suppressions(": why"), vec![Err(SuppressionProblem::NoRules)]);
    }
}
