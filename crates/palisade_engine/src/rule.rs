//! The rule type: static metadata plus exactly one hook.

use palisade_diagnostics::{FrameworkRef, PssCheck, PssLevel, RuleMeta};
use palisade_model::{Object, PodSpecView};

use crate::context::{Ctx, InventoryCtx};
use palisade_model::inventory::Inventory;

/// The one place a rule plugs into the runner.
#[derive(Clone, Copy)]
pub enum Hook {
    /// Runs on the pod spec of every object that has one (all workload kinds).
    Pod(for<'d, 'a> fn(&PodSpecView<'d, 'a>, &mut Ctx<'_>)),
    /// Runs on every object.
    Object(for<'d, 'a> fn(&Object<'d, 'a>, &mut Ctx<'_>)),
    /// Runs once per scan on the facts of every object (cross-object rules).
    Inventory(fn(&Inventory, &mut InventoryCtx<'_>)),
    /// Reported by the engine itself about its own inputs (waivers); never run on objects.
    Engine,
}

/// A Pod Security Admission check's version history, as upstream registers it.
#[derive(Debug, Clone, Copy)]
pub struct PssGate {
    /// The first policy minor version (1.N) at which the check exists.
    pub since_minor: u32,
    /// Checks this one replaces when both are enabled, from a given version.
    pub overrides: &'static [PssOverride],
}

/// "From version 1.N on, this check replaces check X."
#[derive(Debug, Clone, Copy)]
pub struct PssOverride {
    /// The upstream check id that is replaced.
    pub check: &'static str,
    /// The first minor version at which the replacement applies.
    pub since_minor: u32,
}

/// A rule: metadata (docs included) and its check.
pub struct Rule {
    /// Everything static about the rule.
    pub meta: RuleMeta,
    /// The check.
    pub hook: Hook,
    /// Version gating for Pod Security Standards checks.
    pub pss: Option<PssGate>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rule({})", self.meta.id)
    }
}

/// A baseline-level Pod Security Standards mapping.
pub const fn pss_baseline(check: &'static str) -> FrameworkRef {
    FrameworkRef::Pss(PssCheck {
        level: PssLevel::Baseline,
        check,
    })
}

/// A restricted-level Pod Security Standards mapping.
pub const fn pss_restricted(check: &'static str) -> FrameworkRef {
    FrameworkRef::Pss(PssCheck {
        level: PssLevel::Restricted,
        check,
    })
}
