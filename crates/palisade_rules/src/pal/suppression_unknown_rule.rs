//! PAL002 suppression-unknown-rule.

use palisade_engine::parse_suppressions;
use palisade_engine::prelude::*;

use super::{annotation_pointer, annotation_value};

declare_rule! {
    /// ## What it does
    /// Flags `palisade.dev/ignore` annotations that name a rule id, name or prefix that matches
    /// no Palisade rule.
    ///
    /// ## Why is this bad?
    /// A typo in a suppression silently suppresses nothing, or, worse, the intended rule was
    /// renamed and the exception no longer applies where the author thinks it does.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: agent
    ///   annotations:
    ///     palisade.dev/ignore: "PSX002: node agent" # expect: PAL002
    /// spec:
    ///   containers:
    ///   - name: agent
    ///     image: example.com/agent:1.0
    /// ```
    ///
    /// ## Remediation
    /// Use an id or name from `palisade rules`.
    ///
    /// ## References
    /// - Palisade documentation: suppressing findings (docs/configuration.md)
    pub static RULE = {
        id: "PAL002",
        name: "suppression-unknown-rule",
        title: "Suppression names an unknown rule",
        severity: Low,
        layer: Code,
        frameworks: [],
        remediation: "Use a rule id or name listed by `palisade rules`.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let Some(value) = annotation_value(object) else {
        return;
    };
    for entry in parse_suppressions(&value).into_iter().flatten() {
        for sel in &entry.selectors {
            if !ctx.knows_selector(sel.as_str()) {
                ctx.report(
                    annotation_pointer(),
                    format!(
                        "suppression names `{}`, which matches no rule",
                        sel.as_str()
                    ),
                );
            }
        }
    }
}
