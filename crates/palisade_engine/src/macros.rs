//! `declare_rule!`: one declaration gives a rule its metadata, docs and hook.

/// Declare a rule as a `static`. The doc comment on the declaration becomes the rule's
/// documentation (`palisade rule ID`, `docs/rules/`), so it must hold the sections
/// `## What it does`, `## Why is this bad?`, `## Example`, `## Remediation` and `## References`.
///
/// ```text
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub static PRIVILEGED = {
///         id: "PSS003", name: "privileged-container", title: "Privileged container",
///         severity: Critical, layer: Container,
///         frameworks: [pss_baseline("privileged"), Cis("5.2.2")],
///         remediation: "Remove securityContext.privileged.",
///         fix: Unsafe("what it may break"),  // optional: findings carry a `Fix`; `Safe`
///                                            // when applying it cannot change behaviour
///         superseded_by: ["PSS015"],          // optional: hidden when that rule fires too
///         inputs: [Manifest, Snapshot],      // optional; default: every front door
///         status: Preview,                   // optional; default: Stable (preview rules are
///                                            // opt-in: they run only when selected by id or name)
///         pss: PssGate { since_minor: 0, overrides: &[] },
///         hook: Hook::Pod(check),
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        $vis:vis static $NAME:ident = {
            id: $id:literal,
            name: $name:literal,
            title: $title:literal,
            severity: $sev:ident,
            layer: $layer:ident,
            frameworks: [$($fw:expr),* $(,)?],
            remediation: $rem:literal,
            $(fix: $fix:ident $(($risk:expr))?,)?
            $(superseded_by: [$($sup:literal),+ $(,)?],)?
            $(inputs: [$($input:ident),+ $(,)?],)?
            $(status: $status:ident,)?
            $(pss: $pss:expr,)?
            hook: $hook:expr $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        $vis static $NAME: $crate::Rule = $crate::Rule {
            meta: ::palisade_diagnostics::RuleRef::of({
                static META: ::palisade_diagnostics::RuleMeta = ::palisade_diagnostics::RuleMeta {
                    id: ::palisade_diagnostics::arcstr::literal!($id),
                    name: ::palisade_diagnostics::arcstr::literal!($name),
                    title: ::palisade_diagnostics::arcstr::literal!($title),
                    severity: ::palisade_diagnostics::Severity::$sev,
                    layer: ::palisade_diagnostics::Layer::$layer,
                    status: $crate::__status!($($status)?),
                    since: "0.1.0",
                    inputs: $crate::__inputs!($($($input),+)?),
                    frameworks: ::std::borrow::Cow::Borrowed(&[$($fw),*]),
                    remediation: ::palisade_diagnostics::arcstr::literal!($rem),
                    fixable: $crate::__fixable!($($fix $(($risk))?)?),
                    superseded_by: &[$($($sup),+)?],
                    docs: ::palisade_diagnostics::arcstr::literal!(concat!($($doc, "\n"),*)),
                };
                &META
            }),
            hook: $hook,
            pss: $crate::__pss_gate!($($pss)?),
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __fixable {
    () => {
        ::palisade_diagnostics::Fixable::No
    };
    ($fix:ident $(($risk:expr))?) => {
        ::palisade_diagnostics::Fixable::$fix $(($risk))?
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __inputs {
    () => {
        &::palisade_diagnostics::Input::ALL
    };
    ($($input:ident),+) => {
        &[$(::palisade_diagnostics::Input::$input),+]
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __status {
    () => {
        ::palisade_diagnostics::RuleStatus::Stable
    };
    ($status:ident) => {
        ::palisade_diagnostics::RuleStatus::$status
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __pss_gate {
    () => {
        None
    };
    ($pss:expr) => {
        Some($pss)
    };
}
