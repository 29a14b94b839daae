//! PAL001 suppression-without-reason.

use palisade_engine::prelude::*;
use palisade_engine::{SuppressionProblem, parse_suppressions};

use super::{annotation_pointer, annotation_value};

declare_rule! {
    /// ## What it does
    /// Flags `palisade.dev/ignore` annotations that do not give a reason (or name no rule).
    /// The syntax is `"RULE[,RULE…]: reason"`, with several entries separated by `;`.
    /// An entry without a reason suppresses nothing.
    ///
    /// ## Why is this bad?
    /// A suppression is an accepted risk. Without a reason, reviewers cannot tell a considered
    /// exception from a silenced alarm, and nobody can revisit it when circumstances change.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    ///   annotations:
    ///     palisade.dev/ignore: "PSS002" # expect: PAL001
    /// spec:
    ///   containers:
    ///   - name: agent
    ///     image: example.com/agent:1.0
    /// ```
    ///
    /// ## Remediation
    /// Add the reason after a colon: `palisade.dev/ignore: "PSS002: node agent needs the host network"`.
    ///
    /// ## References
    /// - Palisade documentation: suppressing findings (docs/configuration.md)
    pub static RULE = {
        id: "PAL001",
        name: "suppression-without-reason",
        title: "Suppression without a reason",
        severity: Low,
        layer: Code,
        frameworks: [],
        remediation: "Give the reason after a colon: \"RULE: reason\".",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(value) = annotation_value(object) else {
        return;
    };
    for entry in parse_suppressions(&value) {
        let message = match entry {
            Ok(_) => continue,
            Err(SuppressionProblem::MissingReason) => {
                "suppression annotation gives no reason, so it suppresses nothing"
            }
            Err(SuppressionProblem::NoRules) => "suppression annotation names no rule",
        };
        ctx.report(annotation_pointer(), message);
    }
}
