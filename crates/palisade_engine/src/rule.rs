//! The rule type: metadata plus exactly one hook. Built-in rules are `static`s whose hooks are
//! function pointers; a rule loaded at run time (a compiled Rego or CEL policy) owns its
//! metadata and its hook is the compiled policy object, and the engine holds either through a
//! [`RuleHandle`].

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use palisade_audit::Event;
use palisade_diagnostics::{FrameworkRef, PssCheck, PssLevel, RuleRef};
use palisade_model::node::NodeFacts;
use palisade_model::{Object, PodSpecView};

use crate::context::{Ctx, InventoryCtx, SubjectCtx};
use crate::state::AuditState;
use palisade_model::inventory::Inventory;

/// A policy compiled at run time that checks one object at a time, reporting through the
/// same [`Ctx`] as a built-in object rule: its findings are resolved, suppressed and rendered
/// alike.
pub trait ObjectPolicy: Send + Sync + fmt::Debug {
    /// Check one object.
    fn check(&self, object: &Object<'_, '_>, ctx: &mut Ctx<'_>);
}

/// The one place a rule plugs into the runner.
#[derive(Clone)]
pub enum Hook {
    /// Runs on the pod spec of every object that has one (all workload kinds).
    Pod(for<'d, 'a> fn(&PodSpecView<'d, 'a>, &mut Ctx<'_>)),
    /// Runs on every object.
    Object(for<'d, 'a> fn(&Object<'d, 'a>, &mut Ctx<'_>)),
    /// A compiled policy, run on every object as [`Hook::Object`] is.
    Policy(Arc<dyn ObjectPolicy>),
    /// Runs once per scan on the facts of every object (cross-object rules).
    Inventory(fn(&Inventory, &mut InventoryCtx<'_>)),
    /// Runs once per node on the facts read from its root (files, component flags and
    /// configurations); findings are about node files and endpoints.
    Node(fn(&NodeFacts, &mut SubjectCtx<'_>)),
    /// Runs on every audit event, in order, with state of its own that the engine keeps
    /// bounded ([`AuditState`]): a rule that correlates events (a burst of Secret reads)
    /// remembers what it needs without growing with the log.
    Audit(fn(&Event, &mut AuditState, &mut SubjectCtx<'_>)),
    /// Reported by the engine itself about its own inputs (waivers); never run on objects.
    Engine,
}

impl Hook {
    /// Whether the hook runs on the objects of a document (pod, object and policy hooks).
    pub fn runs_on_objects(&self) -> bool {
        matches!(self, Hook::Pod(_) | Hook::Object(_) | Hook::Policy(_))
    }
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
    /// Everything about the rule but its check: static for built-in rules, owned by a rule
    /// loaded at run time (and by its findings).
    pub meta: RuleRef,
    /// The check.
    pub hook: Hook,
    /// Version gating for Pod Security Standards checks.
    pub pss: Option<PssGate>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rule({})", self.meta.id)
    }
}

/// A rule as a rule set holds it: a built-in `static`, or a rule loaded at run time, shared
/// with the rule sets built from the same load. Dropping the last handle (and the last
/// finding that refers to its metadata) frees a loaded rule, so reloading policies in a
/// long-running server does not leak.
#[derive(Clone, Debug)]
pub enum RuleHandle {
    /// A built-in rule.
    Builtin(&'static Rule),
    /// A rule loaded at run time.
    Loaded(Arc<Rule>),
}

impl RuleHandle {
    /// Whether both handles are the same rule.
    pub fn same(&self, other: &RuleHandle) -> bool {
        self.meta.same(&other.meta)
    }
}

impl Deref for RuleHandle {
    type Target = Rule;
    fn deref(&self) -> &Rule {
        match self {
            RuleHandle::Builtin(rule) => rule,
            RuleHandle::Loaded(rule) => rule,
        }
    }
}

impl From<&'static Rule> for RuleHandle {
    fn from(rule: &'static Rule) -> RuleHandle {
        RuleHandle::Builtin(rule)
    }
}

impl From<Rule> for RuleHandle {
    fn from(rule: Rule) -> RuleHandle {
        RuleHandle::Loaded(Arc::new(rule))
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
