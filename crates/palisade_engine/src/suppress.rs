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

/// Whether `s` is a comma-separated list of rule selectors (ids, names, prefixes).
fn is_selector_list(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty()
        && s.split(',').all(|sel| {
            let sel = sel.trim();
            !sel.is_empty()
                && sel
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Split the annotation into entries at `;` where the next part starts a new entry
/// (`RULES` or `RULES: reason`); any other `;` belongs to the reason.
fn entries(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in value.split(';') {
        let head = part.split_once(':').map_or(part, |(h, _)| h);
        match out.last_mut() {
            Some(prev) if !is_selector_list(head) => {
                prev.push(';');
                prev.push_str(part);
            }
            _ => out.push(part.to_string()),
        }
    }
    out.retain(|e| !e.trim().is_empty());
    out
}

/// Parse the annotation value. Several suppressions may be separated by `;`
/// (`"PSS003: needs the GPU; POD001: legacy image"`); a `;` inside a reason stays there.
pub fn parse_suppressions(value: &str) -> Vec<Result<Suppression, SuppressionProblem>> {
    entries(value)
        .iter()
        .map(|part| {
            let (rules, reason) = match part.split_once(':') {
                Some((rules, reason)) => (rules, reason.trim()),
                None => (part.as_str(), ""),
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
                Ok(Suppression {
                    selectors,
                    reason: reason.to_string(),
                })
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
        assert_eq!(
            first.selectors,
            vec![Selector::new("PSS003"), Selector::new("POD001")]
        );
        assert_eq!(first.reason, "runs the node agent");
        assert_eq!(
            parse_suppressions("PSS003"),
            vec![Err(SuppressionProblem::MissingReason)]
        );
        assert_eq!(
            parse_suppressions("PSS003:  "),
            vec![Err(SuppressionProblem::MissingReason)]
        );
        assert_eq!(
            parse_suppressions(": why"),
            vec![Err(SuppressionProblem::NoRules)]
        );
        let with_semicolon = parse_suppressions("PSS013: reads logs; approved in SEC-142");
        assert_eq!(with_semicolon.len(), 1);
        assert_eq!(
            with_semicolon[0].as_ref().unwrap().reason,
            "reads logs; approved in SEC-142"
        );
        let two = parse_suppressions("PSS002: host agent; PSS003");
        assert_eq!(two[1], Err(SuppressionProblem::MissingReason));
    }
}
