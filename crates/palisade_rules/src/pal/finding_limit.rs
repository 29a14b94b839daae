//! PAL006 finding-limit.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an object with more than 1,000 findings: the first 1,000 (in rule order) are
    /// reported, and this finding counts the rest. The engine makes it; no rule check runs.
    ///
    /// ## Why is this bad?
    /// No real object has that many problems: such an object is usually generated or crafted
    /// to make a scanner spend time and memory. Bounding the findings per object keeps every
    /// scan's cost proportional to its input, whatever the input holds.
    ///
    /// ## Example
    /// ```yaml
    /// # A Pod with 5,000 containers, each missing limits, probes and a security context.
    /// ```
    ///
    /// ## Remediation
    /// Look at where the object comes from; split a generated object into real ones.
    ///
    /// ## References
    /// - Palisade documentation: limits (docs/security.md)
    pub static RULE = {
        id: "PAL006",
        name: "finding-limit",
        title: "Object has more findings than are reported",
        severity: Info,
        layer: Code,
        frameworks: [],
        remediation: "Find out where the object comes from; no real object has this many findings.",
        hook: Hook::Engine,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_engine_finds_this_rule_by_its_id() {
        assert_eq!(super::RULE.meta.id, palisade_engine::FINDING_LIMIT_RULE);
        assert!(
            crate::registry()
                .iter()
                .any(|r| r.meta.id == palisade_engine::FINDING_LIMIT_RULE)
        );
    }
}
