//! PAL005 waiver-unused.

use palisade_engine::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports waivers in `palisade.toml` that matched no finding in the scan.
    ///
    /// ## Why is this bad?
    /// An unused waiver is either stale (the risk was fixed, so the exception should go) or
    /// mistyped (it does not cover what its author meant, and the real finding may be waived
    /// by nothing or by something broader). Either way it misleads reviewers.
    ///
    /// ## Example
    /// ```toml
    /// [[waivers]]
    /// rules = ["PSS003"]
    /// kind = "DaemonSet"
    /// name = "log-agnet"  # reported: no such object has a PSS003 finding
    /// owner = "platform@example.com"
    /// reason = "needs privileged mode to read journald"
    /// ```
    ///
    /// ## Remediation
    /// Delete the waiver, or correct its scope.
    ///
    /// ## References
    /// - Palisade documentation: waivers (docs/configuration.md)
    pub static RULE = {
        id: "PAL005",
        name: "waiver-unused",
        title: "Waiver matched nothing",
        severity: Low,
        layer: Code,
        frameworks: [],
        remediation: "Delete the waiver or correct its scope.",
        hook: Hook::Engine,
    }
}
