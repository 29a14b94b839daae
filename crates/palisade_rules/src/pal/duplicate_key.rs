//! PAL003 duplicate-key.

use palisade_engine::prelude::*;
use palisade_source::Warning;

declare_rule! {
    /// ## What it does
    /// Flags mapping keys that appear twice in the same mapping of an object.
    ///
    /// ## Why is this bad?
    /// The API server's decoder keeps the last value (or rejects the object under strict field
    /// validation), so the first value is dead text that reviewers still read, and a security
    /// setting can be silently overridden further down. Palisade evaluates the value the API
    /// server keeps.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Pod
    /// metadata:
    ///   name: app
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: example.com/app:1.0
    ///     securityContext:
    ///       privileged: false
    ///       privileged: true # expect: PAL003, PSS003
    /// ```
    ///
    /// ## Remediation
    /// Delete the duplicate so each key appears once.
    ///
    /// ## References
    /// - Kubernetes: Field validation (strict decoding rejects duplicate fields)
    pub static RULE = {
        id: "PAL003",
        name: "duplicate-key",
        title: "Duplicate mapping key",
        severity: Low,
        layer: Code,
        frameworks: [],
        remediation: "Delete the duplicate key so each key appears once.",
        hook: Hook::Object(check),
    }
}

fn check(object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
    let (start, end) = (object.root.start(), object.root.end());
    for warning in &object.root.document().warnings {
        let Warning::DuplicateKey {
            key, first, kept, ..
        } = warning;
        if *kept >= start && *kept < end {
            ctx.report_at(
                *kept,
                format!("key {key:?} repeats the key on line {}; this later value is the one Kubernetes keeps", first.line),
            );
        }
    }
}
