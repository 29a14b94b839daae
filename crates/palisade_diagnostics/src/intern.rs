//! Sharing of equal strings, objects and fixes among findings.
//!
//! A file with 20,000 Deployments has 20,000 copies of "container c is privileged", of
//! `/spec/template/spec/containers/0/securityContext/privileged` and of the fix that sets it:
//! held once each, a finding costs about 120 bytes instead of about 700, so memory follows the
//! input's size rather than a multiple of it. An interner lives as long as one piece of work
//! (the documents of a file one thread scans, one inventory pass) and is then dropped: what it
//! handed out stays valid, nothing accumulates across scans in a long-running process.

use std::collections::HashSet;
use std::sync::Arc;

use arcstr::ArcStr;

use crate::{Fix, Subject};

/// Hands out one shared copy of each distinct value it is given.
#[derive(Debug, Default)]
pub struct Interner {
    strings: HashSet<ArcStr>,
    subjects: HashSet<Arc<Subject>>,
    fixes: HashSet<Arc<Fix>>,
}

impl Interner {
    /// The shared copy of `s`.
    pub fn str(&mut self, s: &str) -> ArcStr {
        if let Some(shared) = self.strings.get(s) {
            return shared.clone();
        }
        let shared = ArcStr::from(s);
        self.strings.insert(shared.clone());
        shared
    }

    /// The shared copy of `s`, when there is one.
    pub fn opt(&mut self, s: Option<&str>) -> Option<ArcStr> {
        s.map(|s| self.str(s))
    }

    /// The shared copy of a subject (an object reference, most often).
    pub fn subject(&mut self, subject: impl Into<Subject>) -> Arc<Subject> {
        share(&mut self.subjects, subject.into())
    }

    /// The shared copy of a fix.
    pub fn fix(&mut self, fix: Fix) -> Arc<Fix> {
        share(&mut self.fixes, fix)
    }
}

fn share<T: Eq + std::hash::Hash>(set: &mut HashSet<Arc<T>>, value: T) -> Arc<T> {
    if let Some(shared) = set.get(&value) {
        return Arc::clone(shared);
    }
    let shared = Arc::new(value);
    set.insert(Arc::clone(&shared));
    shared
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Finding, Location, ObjectRef};

    #[test]
    fn equal_values_share_one_allocation() {
        let mut interner = Interner::default();
        let a = interner.str(&String::from("container c is privileged"));
        let b = interner.str("container c is privileged");
        assert!(ArcStr::ptr_eq(&a, &b));
        assert!(!ArcStr::ptr_eq(
            &a,
            &interner.str("container d is privileged")
        ));
        let object = ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: None,
            name: Some("p".into()),
            uid: None,
            cluster: None,
        };
        let x = interner.subject(object.clone());
        let y = interner.subject(object);
        assert!(Arc::ptr_eq(&x, &y));
        let f = interner.fix(Fix::set("/spec/hostNetwork", "false"));
        let g = interner.fix(Fix::set("/spec/hostNetwork", "false"));
        assert!(Arc::ptr_eq(&f, &g));
        assert!(!Arc::ptr_eq(
            &f,
            &interner.fix(Fix::set("/spec/hostPID", "false"))
        ));
    }

    #[test]
    fn a_finding_stays_compact() {
        // Findings are held as `Finding` values only a batch at a time (a scan's findings are
        // records in a `FindingList`), but a batch is per object and objects can be huge.
        assert!(
            std::mem::size_of::<Finding>() <= 120,
            "{}",
            std::mem::size_of::<Finding>()
        );
        assert!(std::mem::size_of::<Location>() <= 48);
    }
}
