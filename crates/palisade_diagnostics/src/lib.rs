//! Plain data shared by every Palisade front door: the [`Finding`], the rule metadata
//! ([`RuleMeta`]), severities, 4C layers, framework references and the names of their controls,
//! and input errors.
//!
//! This crate owns no behaviour beyond ordering and parsing of its own enums, the path
//! arithmetic of [`ProjectPaths`] (paths relative to the project, which baselines, waivers and
//! per-path ignores match; it reads nothing from the file system), and the storage of a scan's
//! findings in a [`FindingList`] (compact records, the older ones in a temporary file past a
//! memory budget): it does not parse YAML, run rules or render output. Everything here serialises to the JSON contract documented
//! in `docs/json-output.md`, so field names are stable.
#![deny(missing_docs)]

pub mod control_names;
mod finding;
pub mod frameworks;
mod intern;
mod list;
mod meta;
pub mod project;
mod rule_ref;
mod subject;

pub use arcstr::{self, ArcStr};
pub use control_names::control_name;
pub use finding::{Finding, Fix, FixEdit, InputError, Location, ObjectRef, Origin, Span, Summary};
pub use intern::Interner;
pub use list::{FindingList, FindingRef, MEMORY_BUDGET, SortKey, SpanRef};
pub use meta::{
    Applicability, Fixable, FrameworkRef, Input, Layer, ParseEnumError, PssCheck, PssLevel,
    RuleMeta, RuleStatus, Severity,
};
pub use project::ProjectPaths;
pub use rule_ref::RuleRef;
pub use subject::{AuditEventRef, EndpointRef, NodeFileRef, Subject};
