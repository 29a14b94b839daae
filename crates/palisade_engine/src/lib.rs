//! The rule engine: the [`Rule`] type and its hooks, rule selection (profiles, `--select`,
//! `--ignore`, Pod Security Standards versions and overrides), annotation suppressions (Palisade's
//! own, and other scanners' when asked), and the
//! runner that evaluates every enabled rule once per object and turns JSON pointers into
//! `file:line:column` locations, and applying the mechanical fixes findings carry.
//!
//! Rules are pure functions of the model; the engine never does IO and never prints.
#![deny(missing_docs)]

mod context;
mod fix;
mod macros;
mod options;
pub mod peer;
mod rule;
mod runner;
mod selection;
mod state;
mod suppress;
mod waiver;

pub use context::{At, Ctx, InventoryCtx, RawFinding, SiteFinding, SubjectCtx};
pub use fix::{FixOutcome, apply_fixes};
pub use options::{FamilyOptions, RuleOptions};
pub use rule::{
    Hook, ObjectPolicy, PssGate, PssOverride, Rule, RuleHandle, pss_baseline, pss_restricted,
};
pub use runner::{
    AuditRun, DocumentReport, FINDING_LIMIT_RULE, InventoryReport, MAX_CONTAINERS,
    MAX_FINDINGS_PER_OBJECT, PathIgnore, RuleSet, Settings, SubjectReport, path_matches,
};
pub use selection::{NEWEST_PSS_MINOR, Profile, PssVersion, Selection, SelectionError, Selector};
pub use state::AuditState;
pub use suppress::{IGNORE_ANNOTATION, Suppression, SuppressionProblem, parse_suppressions};
pub use waiver::{Waiver, WaiverProblem, apply_waivers, waive_findings};

/// What rule files import.
pub mod prelude {
    pub use crate::declare_rule;
    pub use crate::rule::{Hook, PssGate, PssOverride, Rule, pss_baseline, pss_restricted};
    pub use crate::{AuditState, Ctx, InventoryCtx, SubjectCtx};
    pub use palisade_diagnostics::FrameworkRef::{Cis, Mitre, Nsa};
    pub use palisade_diagnostics::{Fix, Layer, Severity};
    pub use palisade_model::inventory::{Fact, FactKind, Inventory};
    pub use palisade_model::node::NodeFacts;
    pub use palisade_model::{ContainerView, Object, PodSpecView};
    pub use palisade_source::{NodeRef, escape_pointer_segment};
}
