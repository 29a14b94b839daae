//! PAL004 waiver-expired.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports waivers in `palisade.toml` whose `expires` date has passed. An expired waiver
    /// suppresses nothing: the findings it covered are reported again.
    ///
    /// ## Why is this bad?
    /// A waiver is a time-boxed acceptance of a risk. When it lapses, someone must decide again:
    /// fix the finding, or renew the waiver with a new date and reason.
    ///
    /// ## Example
    /// ```toml
    /// [[waivers]]
    /// rules = ["PSS002"]
    /// namespace = "monitoring"
    /// owner = "platform@example.com"
    /// reason = "node exporter needs the host network"
    /// expires = "2024-01-31"  # reported: this date has passed
    /// ```
    ///
    /// ## Remediation
    /// Fix the findings the waiver covered, or renew it with a new `expires` date and a current
    /// reason.
    ///
    /// ## References
    /// - Palisade documentation: waivers (docs/configuration.md)
    pub static RULE = {
        id: "PAL004",
        name: "waiver-expired",
        title: "Waiver has expired",
        severity: Medium,
        layer: Code,
        frameworks: [],
        remediation: "Fix the covered findings or renew the waiver with a new expiry date and reason.",
        hook: Hook::Engine,
    }
}
