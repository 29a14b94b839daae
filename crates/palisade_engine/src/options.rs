//! Options of configurable rules. Each rule family owns its option struct (as ruff's plugins
//! do): the engine stores them by type and hands a rule its family's, so the engine names no
//! rule and a new family's options need no change here.

use std::any::{Any, TypeId};
use std::fmt::Debug;
use std::sync::Arc;

/// One rule family's options (`[rule-options]` keys in `palisade.toml`).
pub trait FamilyOptions: Any + Debug + Send + Sync {
    /// The options in effect when the configuration sets none.
    fn defaults() -> &'static Self
    where
        Self: Sized;
}

/// The options of every configured rule family, one value per type.
#[derive(Debug, Clone, Default)]
pub struct RuleOptions {
    families: Vec<(TypeId, Arc<dyn FamilyOptions>)>,
}

impl RuleOptions {
    /// Set (or replace) a family's options.
    pub fn set<T: FamilyOptions>(&mut self, options: T) {
        let id = TypeId::of::<T>();
        let value: Arc<dyn FamilyOptions> = Arc::new(options);
        match self.families.iter_mut().find(|(t, _)| *t == id) {
            Some(slot) => slot.1 = value,
            None => self.families.push((id, value)),
        }
    }

    /// A family's options, or its defaults when none were set.
    pub fn get<T: FamilyOptions>(&self) -> &T {
        let id = TypeId::of::<T>();
        self.families
            .iter()
            .find(|(t, _)| *t == id)
            .and_then(|(_, v)| (&**v as &dyn Any).downcast_ref::<T>())
            .unwrap_or_else(|| T::defaults())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Limits(u32);
    static LIMITS: Limits = Limits(7);
    impl FamilyOptions for Limits {
        fn defaults() -> &'static Self {
            &LIMITS
        }
    }

    #[derive(Debug, PartialEq)]
    struct Names(Vec<String>);
    static NAMES: Names = Names(Vec::new());
    impl FamilyOptions for Names {
        fn defaults() -> &'static Self {
            &NAMES
        }
    }

    #[test]
    fn families_are_kept_apart_and_default_when_unset() {
        let mut options = RuleOptions::default();
        assert_eq!(options.get::<Limits>(), &Limits(7));
        options.set(Limits(1));
        options.set(Names(vec!["a".into()]));
        options.set(Limits(2));
        assert_eq!(options.get::<Limits>(), &Limits(2));
        assert_eq!(options.get::<Names>(), &Names(vec!["a".into()]));
        assert_eq!(options.clone().get::<Limits>(), &Limits(2));
    }
}
