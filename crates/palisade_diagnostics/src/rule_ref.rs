//! How findings and rule sets refer to a rule: a built-in rule's metadata is static; a rule
//! loaded at run time (a compiled Rego or CEL policy) owns its metadata, shared by the
//! findings it produced, and is freed with the last of them when policies are reloaded.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::meta::RuleMeta;

/// A rule's metadata, static or shared. Cloning is a pointer copy (and, for a loaded rule, a
/// reference count).
#[derive(Clone)]
pub struct RuleRef(Repr);

#[derive(Clone)]
enum Repr {
    Static(&'static RuleMeta),
    Loaded(Arc<RuleMeta>),
}

impl RuleRef {
    /// A built-in rule's metadata.
    pub const fn of(meta: &'static RuleMeta) -> RuleRef {
        RuleRef(Repr::Static(meta))
    }

    /// Metadata made at run time, owned by the rule and the findings that refer to it.
    pub fn loaded(meta: RuleMeta) -> RuleRef {
        RuleRef(Repr::Loaded(Arc::new(meta)))
    }

    /// Whether the metadata was made at run time.
    pub fn is_loaded(&self) -> bool {
        matches!(self.0, Repr::Loaded(_))
    }

    /// Whether both refer to the same rule (the same metadata, not equal metadata): a policy
    /// reloaded with the same id is another rule.
    pub fn same(&self, other: &RuleRef) -> bool {
        std::ptr::eq(self.address(), other.address())
    }

    /// The metadata's address, which identifies the rule while any reference to it lives.
    pub fn address(&self) -> *const RuleMeta {
        match &self.0 {
            Repr::Static(meta) => *meta,
            Repr::Loaded(meta) => Arc::as_ptr(meta),
        }
    }
}

impl Deref for RuleRef {
    type Target = RuleMeta;
    fn deref(&self) -> &RuleMeta {
        match &self.0 {
            Repr::Static(meta) => meta,
            Repr::Loaded(meta) => meta,
        }
    }
}

impl fmt::Debug for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RuleRef({})", self.id)
    }
}

impl From<&'static RuleMeta> for RuleRef {
    fn from(meta: &'static RuleMeta) -> RuleRef {
        RuleRef::of(meta)
    }
}

impl From<&RuleRef> for RuleRef {
    fn from(rule: &RuleRef) -> RuleRef {
        rule.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{Fixable, Input, Layer, RuleStatus, Severity};
    use arcstr::ArcStr;

    fn policy(id: &str) -> RuleMeta {
        RuleMeta {
            id: ArcStr::from(id),
            name: ArcStr::from(id.to_lowercase()),
            title: ArcStr::from("Required labels"),
            severity: Severity::Medium,
            layer: Layer::Cluster,
            status: RuleStatus::Stable,
            since: "0.1.0",
            inputs: &Input::ALL,
            frameworks: Vec::new().into(),
            remediation: ArcStr::from("Add the label."),
            fixable: Fixable::No,
            superseded_by: &[],
            docs: ArcStr::new(),
        }
    }

    #[test]
    fn loaded_metadata_is_freed_with_its_last_reference() {
        let rule = RuleRef::loaded(policy("GK:K8sRequiredLabels/owner"));
        let Repr::Loaded(arc) = &rule.0 else {
            panic!("loaded");
        };
        let weak = Arc::downgrade(arc);
        let held_by_a_finding = rule.clone();
        assert!(held_by_a_finding.same(&rule));
        assert_eq!(held_by_a_finding.id, "GK:K8sRequiredLabels/owner");
        // A reload makes another rule with the same id.
        let reloaded = RuleRef::loaded(policy("GK:K8sRequiredLabels/owner"));
        assert!(!reloaded.same(&rule));
        drop(rule);
        assert!(weak.upgrade().is_some());
        drop(held_by_a_finding);
        assert!(weak.upgrade().is_none(), "nothing leaks on reload");
    }
}
