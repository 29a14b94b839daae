//! A scan's findings, held compactly: one 48-byte record each, referring by number to tables of
//! the rules, subjects (object and file), strings, fixes and rare extras they share.
//!
//! A findings-dense input (a privileged Deployment is 300 bytes and has 14 findings) makes
//! findings most of a scan's memory. As [`Finding`] values (104 bytes, pointers to shared
//! strings) they would be several times the input; as records they are about twice it, which
//! is what keeps a scan's peak under 4x its largest input (docs/security.md). Findings go in
//! as [`Finding`] values and come out as [`Finding`] values or borrowed [`FindingRef`]s, so
//! rules and renderers keep the one finding model; the list only changes how the findings a
//! scan has gathered are stored.
//!
//! The tables are not hash maps: the strings, objects and fixes of findings are already shared
//! by the interners that made them, so a small cache from addresses to numbers finds nearly
//! every repeat, and a missed repeat costs one more 8-byte entry. The tables hold what they
//! store, so an address in the cache cannot be reused for another value while the list lives.

use std::cmp::Ordering;
use std::sync::Arc;

use arcstr::ArcStr;

use crate::Fix;
use crate::finding::{Finding, Location, ObjectRef, Origin};
use crate::meta::{RuleMeta, Severity};

/// Marks an absent optional field in a record.
const NONE: u32 = u32::MAX;

const SUPPRESSED: u8 = 1;
const REDACT_SOURCE: u8 = 2;
const SUPERSEDED: u8 = 4;
const MISSING: u8 = 8;

/// One finding, by number.
#[derive(Debug, Clone, Copy)]
struct Record {
    rule: u16,
    severity: Severity,
    flags: u8,
    subject: u32,
    document: u32,
    pointer: u32,
    message: u32,
    container: u32,
    fix: u32,
    extra: u32,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

/// What a finding is about and where: shared by the findings of one object.
#[derive(Debug, Clone)]
struct Subject {
    object: Arc<ObjectRef>,
    path: ArcStr,
}

/// What few findings have: a suppression reason or the rendering they came from.
#[derive(Debug, Clone)]
struct Extra {
    reason: u32,
    origin: Option<Box<Origin>>,
}

/// Findings [`FindingList::update_batches`] builds at once.
const BATCH: usize = 4096;

/// Slots in a table's cache of recent addresses, at most: enough for the distinct strings of a
/// few thousand findings (a large object's), 64 KiB.
const CACHE: usize = 4096;

/// Slots a cache starts with: most lists (an inventory rule's, a small scan's) stay small,
/// and a full-size cache for each would cost more to fill than their findings.
const FIRST_CACHE: usize = 64;

/// Values by number, with a cache from the addresses of recent values to their numbers
/// (made on first use and grown with the table: many lists stay small or empty).
#[derive(Debug, Clone)]
struct Table<K, T> {
    items: Vec<T>,
    recent: Vec<(K, u32)>,
}

impl<K, T> Default for Table<K, T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            recent: Vec::new(),
        }
    }
}

impl<K: Copy + Eq + Default, T> Table<K, T> {
    /// The number of the value at address `key` (hashed to `hash`), stored by `make` when the
    /// cache does not know it.
    fn id(&mut self, key: K, hash: usize, make: impl FnOnce() -> T) -> u32 {
        if self.recent.len() < CACHE && self.items.len() >= self.recent.len() {
            // Started or outgrown: a new, larger cache (what the old one knew is only missed
            // once).
            let slots = (self.recent.len() * 8).clamp(FIRST_CACHE, CACHE);
            self.recent = vec![(K::default(), NONE); slots];
        }
        let slots = self.recent.len();
        let slot = &mut self.recent[hash % slots];
        if slot.1 != NONE && slot.0 == key {
            return slot.1;
        }
        self.items.push(make());
        let id = index_u32(self.items.len() - 1);
        *slot = (key, id);
        id
    }

    fn get(&self, id: u32) -> &T {
        &self.items[id as usize]
    }

    /// `old` when it still holds the value (`same`), else [`Table::id`]: a finding changed in
    /// place keeps its numbers rather than adding entries the cache has forgotten.
    fn id_or(
        &mut self,
        old: u32,
        same: impl FnOnce(&T) -> bool,
        key: K,
        hash: usize,
        make: impl FnOnce() -> T,
    ) -> u32 {
        if old != NONE && self.items.get(old as usize).is_some_and(same) {
            return old;
        }
        self.id(key, hash, make)
    }
}

/// Spreads an address over the cache's slots (addresses of allocations share low bits).
fn spread(address: usize) -> usize {
    // The top bits of a 64-bit product, whatever the width of addresses.
    ((address as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40) as usize
}

/// The tables records refer to. Entries are never removed: a list lives as long as one scan.
#[derive(Debug, Default, Clone)]
struct Tables {
    rules: Vec<&'static RuleMeta>,
    subjects: Table<(usize, usize), Subject>,
    strings: Table<usize, ArcStr>,
    fixes: Table<usize, Arc<Fix>>,
    extras: Vec<Extra>,
}

/// A finding borrowed from a [`FindingList`] (or from a [`Finding`]): reading it costs
/// nothing, where building a [`Finding`] clones its shared parts.
#[derive(Debug, Clone, Copy)]
pub struct FindingRef<'a> {
    /// The rule.
    pub rule: &'static RuleMeta,
    /// Effective severity.
    pub severity: Severity,
    /// The object.
    pub object: &'a ObjectRef,
    /// The container, for per-container findings.
    pub container: Option<&'a str>,
    /// The file.
    pub path: &'a str,
    /// The document in the file.
    pub document: u32,
    /// Line of the span.
    pub line: u32,
    /// Column of the span.
    pub column: u32,
    /// Where the span ends (line, column).
    pub end: (u32, u32),
    /// The pointer of the offending field.
    pub pointer: &'a str,
    /// Whether the field at `pointer` is absent.
    pub missing: bool,
    /// The message.
    pub message: &'a str,
    /// Whether the finding is suppressed.
    pub suppressed: bool,
    /// Why it is suppressed.
    pub reason: Option<&'a str>,
    /// The source text holds a secret.
    pub redact_source: bool,
    /// How the object was rendered.
    pub origin: Option<&'a Origin>,
    /// The mechanical fix.
    pub fix: Option<&'a Fix>,
    /// Made redundant by a stricter rule's finding.
    pub superseded: bool,
}

/// The total order of [`Finding::sort_key`].
pub type SortKey<'a> = (
    &'a str,
    u32,
    u32,
    u32,
    &'static str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a ObjectRef,
    (u32, u32),
    bool,
    Option<&'a str>,
);

impl<'a> FindingRef<'a> {
    /// File, document, line, column, rule, then message; the fields after those break every
    /// tie that output can show (see [`Finding::sort_key`]).
    pub fn sort_key(&self) -> SortKey<'a> {
        (
            self.path,
            self.document,
            self.line,
            self.column,
            self.rule.id,
            self.message,
            self.pointer,
            self.container,
            self.object,
            self.end,
            self.suppressed,
            self.reason,
        )
    }
}

/// A scan's findings in one compact list (see the module documentation).
#[derive(Debug, Default, Clone)]
pub struct FindingList {
    records: Vec<Record>,
    tables: Tables,
}

impl FindingList {
    /// An empty list.
    pub fn new() -> FindingList {
        FindingList::default()
    }

    /// How many findings the list holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the list holds no finding.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Add a finding at the end.
    pub fn push(&mut self, finding: &Finding) {
        let record = self.tables.encode(finding, None);
        self.records.push(record);
    }

    /// Make room for `more` findings, growing by at least a quarter rather than doubling: a
    /// doubled list of findings can hold twice what it needs at a scan's peak.
    pub fn reserve_growing(&mut self, more: usize) {
        if more > self.records.capacity() - self.records.len() {
            self.records.reserve_exact(more.max(self.records.len() / 4));
        }
    }

    /// Move every finding of `batch` to the end of the list.
    pub fn append(&mut self, batch: &mut Vec<Finding>) {
        self.reserve_growing(batch.len());
        for finding in batch.drain(..) {
            self.push(&finding);
        }
    }

    /// Add every finding of `other` at the end.
    pub fn append_list(&mut self, other: &FindingList) {
        self.reserve_growing(other.len());
        for record in &other.records {
            let finding = other.tables.decode(record);
            self.push(&finding);
        }
    }

    /// Give back the room the list does not use.
    pub fn shrink_to_fit(&mut self) {
        self.records.shrink_to_fit();
    }

    /// The finding at `index`, built, if there is one.
    pub fn get(&self, index: usize) -> Option<Finding> {
        self.records.get(index).map(|r| self.tables.decode(r))
    }

    /// The finding at `index`, built. Panics when `index` is out of range, as slice indexing
    /// does.
    pub fn at(&self, index: usize) -> Finding {
        self.tables.decode(&self.records[index])
    }

    /// The finding at `index`, borrowed, if there is one.
    pub fn get_ref(&self, index: usize) -> Option<FindingRef<'_>> {
        self.records.get(index).map(|r| self.tables.borrow(r))
    }

    /// Every finding, built (for tests and small lists: it holds them all at once).
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().collect()
    }

    /// The findings in order, each built as it is reached.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Finding> + '_ {
        self.records.iter().map(|r| self.tables.decode(r))
    }

    /// The findings in order, borrowed.
    pub fn refs(&self) -> impl ExactSizeIterator<Item = FindingRef<'_>> + '_ {
        self.records.iter().map(|r| self.tables.borrow(r))
    }

    /// Change the findings `select` picks with `change`, in place.
    pub fn update(
        &mut self,
        mut select: impl FnMut(&FindingRef) -> bool,
        mut change: impl FnMut(&mut Finding),
    ) {
        let tables = &mut self.tables;
        for record in &mut self.records {
            if !select(&tables.borrow(record)) {
                continue;
            }
            let mut finding = tables.decode(record);
            change(&mut finding);
            *record = tables.encode(&finding, Some(&*record));
        }
    }

    /// Change the findings `select` picks with `change`, [`BATCH`] at a time (for changes that
    /// share work among findings, such as reading the files they point into): no more than a
    /// batch of them is built at once.
    pub fn update_batches(
        &mut self,
        mut select: impl FnMut(&FindingRef) -> bool,
        mut change: impl FnMut(&mut [Finding]),
    ) {
        let mut at = 0;
        while at < self.records.len() {
            let mut picked = Vec::new();
            let mut batch = Vec::new();
            while at < self.records.len() && batch.len() < BATCH {
                let record = &self.records[at];
                if select(&self.tables.borrow(record)) {
                    picked.push(at);
                    batch.push(self.tables.decode(record));
                }
                at += 1;
            }
            change(&mut batch);
            for (i, finding) in picked.into_iter().zip(&batch) {
                let old = self.records[i];
                self.records[i] = self.tables.encode(finding, Some(&old));
            }
        }
    }

    /// Keep only the findings `keep` accepts, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&FindingRef) -> bool) {
        let tables = &self.tables;
        self.records.retain(|r| keep(&tables.borrow(r)));
    }

    /// Remove the findings `take` accepts and return them, in order; the others keep theirs.
    pub fn extract(&mut self, mut take: impl FnMut(&FindingRef) -> bool) -> Vec<Finding> {
        let tables = &self.tables;
        let mut taken = Vec::new();
        self.records.retain(|r| {
            if take(&tables.borrow(r)) {
                taken.push(tables.decode(r));
                false
            } else {
                true
            }
        });
        taken
    }

    /// Sort the findings by `compare`. Unstable, which needs no buffer beside the list; a
    /// total order makes the result the same whatever order the findings arrived in.
    pub fn sort_by(&mut self, mut compare: impl FnMut(&FindingRef, &FindingRef) -> Ordering) {
        let tables = &self.tables;
        self.records
            .sort_unstable_by(|a, b| compare(&tables.borrow(a), &tables.borrow(b)));
    }
}

impl From<Vec<Finding>> for FindingList {
    fn from(mut findings: Vec<Finding>) -> FindingList {
        let mut list = FindingList::new();
        list.append(&mut findings);
        list
    }
}

impl FromIterator<Finding> for FindingList {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> FindingList {
        let mut list = FindingList::new();
        list.extend(iter);
        list
    }
}

impl Extend<Finding> for FindingList {
    fn extend<I: IntoIterator<Item = Finding>>(&mut self, iter: I) {
        for finding in iter {
            self.push(&finding);
        }
    }
}

impl Tables {
    fn rule(&mut self, rule: &'static RuleMeta) -> u16 {
        let index = match self.rules.iter().rposition(|r| std::ptr::eq(*r, rule)) {
            Some(index) => index,
            None => {
                self.rules.push(rule);
                self.rules.len() - 1
            }
        };
        // Rules are compiled in or loaded from a handful of policy files: far fewer.
        u16::try_from(index).expect("more than 65,535 rules in one scan")
    }

    /// The number of `s`, `old` when that is it.
    fn string(&mut self, s: &ArcStr, old: u32) -> u32 {
        let address = s.as_ptr().addr();
        self.strings.id_or(
            old,
            |o| ArcStr::ptr_eq(o, s),
            address,
            spread(address),
            || s.clone(),
        )
    }

    fn optional(&mut self, s: Option<&ArcStr>, old: u32) -> u32 {
        s.map_or(NONE, |s| self.string(s, old))
    }

    /// `old` is the record being replaced, whose extra slot is reused so that changing
    /// findings in place does not grow the table.
    fn encode(&mut self, f: &Finding, old: Option<&Record>) -> Record {
        let l = &f.location;
        let was = |field: fn(&Record) -> u32| old.map_or(NONE, field);
        let key = (Arc::as_ptr(&f.object).addr(), l.path.as_ptr().addr());
        let subject = self.subjects.id_or(
            was(|r| r.subject),
            |o| Arc::ptr_eq(&o.object, &f.object) && ArcStr::ptr_eq(&o.path, &l.path),
            key,
            spread(key.0 ^ key.1.rotate_left(17)),
            || Subject {
                object: Arc::clone(&f.object),
                path: l.path.clone(),
            },
        );
        let fix = f.fix.as_ref().map_or(NONE, |fix| {
            let address = Arc::as_ptr(fix).addr();
            self.fixes.id_or(
                was(|r| r.fix),
                |o| Arc::ptr_eq(o, fix),
                address,
                spread(address),
                || Arc::clone(fix),
            )
        });
        let old_extra = old.and_then(|r| self.extras.get(r.extra as usize));
        let old_reason = old_extra.map_or(NONE, |e| e.reason);
        let extra = if f.suppression_reason.is_some() || f.origin.is_some() {
            let extra = Extra {
                reason: self.optional(f.suppression_reason.as_ref(), old_reason),
                origin: f.origin.clone(),
            };
            match old.and_then(|r| self.extras.get_mut(r.extra as usize)) {
                Some(slot) => {
                    *slot = extra;
                    old.map_or(NONE, |r| r.extra)
                }
                None => {
                    self.extras.push(extra);
                    index_u32(self.extras.len() - 1)
                }
            }
        } else {
            NONE
        };
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        Record {
            rule: self.rule(f.rule),
            severity: f.severity,
            flags: flag(f.suppressed, SUPPRESSED)
                | flag(f.redact_source, REDACT_SOURCE)
                | flag(f.superseded, SUPERSEDED)
                | flag(l.missing, MISSING),
            subject,
            document: l.document,
            pointer: self.string(&l.pointer, was(|r| r.pointer)),
            message: self.string(&f.message, was(|r| r.message)),
            container: self.optional(f.container.as_ref(), was(|r| r.container)),
            fix,
            extra,
            line: l.line,
            column: l.column,
            end_line: l.end_line,
            end_column: l.end_column,
        }
    }

    fn str(&self, index: u32) -> &ArcStr {
        self.strings.get(index)
    }

    fn optional_str(&self, index: u32) -> Option<&ArcStr> {
        (index != NONE).then(|| self.str(index))
    }

    fn extra(&self, r: &Record) -> Option<&Extra> {
        (r.extra != NONE).then(|| &self.extras[r.extra as usize])
    }

    fn decode(&self, r: &Record) -> Finding {
        let subject = self.subjects.get(r.subject);
        let extra = self.extra(r);
        Finding {
            rule: self.rules[usize::from(r.rule)],
            severity: r.severity,
            object: Arc::clone(&subject.object),
            container: self.optional_str(r.container).cloned(),
            location: Location {
                path: subject.path.clone(),
                line: r.line,
                column: r.column,
                end_line: r.end_line,
                end_column: r.end_column,
                document: r.document,
                pointer: self.str(r.pointer).clone(),
                missing: r.flags & MISSING != 0,
            },
            message: self.str(r.message).clone(),
            suppressed: r.flags & SUPPRESSED != 0,
            suppression_reason: extra.and_then(|e| self.optional_str(e.reason)).cloned(),
            redact_source: r.flags & REDACT_SOURCE != 0,
            origin: extra.and_then(|e| e.origin.clone()),
            fix: (r.fix != NONE).then(|| Arc::clone(self.fixes.get(r.fix))),
            superseded: r.flags & SUPERSEDED != 0,
        }
    }

    fn borrow(&self, r: &Record) -> FindingRef<'_> {
        let subject = self.subjects.get(r.subject);
        let extra = self.extra(r);
        FindingRef {
            rule: self.rules[usize::from(r.rule)],
            severity: r.severity,
            object: &subject.object,
            container: self.optional_str(r.container).map(ArcStr::as_str),
            path: &subject.path,
            document: r.document,
            line: r.line,
            column: r.column,
            end: (r.end_line, r.end_column),
            pointer: self.str(r.pointer),
            missing: r.flags & MISSING != 0,
            message: self.str(r.message),
            suppressed: r.flags & SUPPRESSED != 0,
            reason: extra
                .and_then(|e| self.optional_str(e.reason))
                .map(ArcStr::as_str),
            redact_source: r.flags & REDACT_SOURCE != 0,
            origin: extra.and_then(|e| e.origin.as_deref()),
            fix: (r.fix != NONE).then(|| &**self.fixes.get(r.fix)),
            superseded: r.flags & SUPERSEDED != 0,
        }
    }
}

/// Table indexes are `u32`: a scan holds far fewer than 4 billion distinct values (its input
/// is bounded well below that), and the records stay small.
fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(NONE - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{Layer, RuleStatus};
    use crate::{Applicability, Fixable, Interner};

    static RULE: RuleMeta = RuleMeta {
        id: "TEST001",
        name: "test",
        title: "test",
        severity: Severity::High,
        layer: Layer::Container,
        status: RuleStatus::Stable,
        since: "0.1.0",
        inputs: &[],
        frameworks: &[],
        remediation: "",
        fixable: Fixable::No,
        superseded_by: &[],
        docs: "",
    };

    fn finding(strings: &mut Interner, name: &str, line: u32) -> Finding {
        let path = strings.str("a.yaml");
        let object = ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: None,
            name: Some(name.into()),
        };
        let mut f = Finding::new(
            &RULE,
            object,
            Location {
                path,
                line,
                column: 3,
                end_line: line,
                end_column: 9,
                document: line,
                pointer: strings.str("/spec/hostPID"),
                missing: false,
            },
            strings.str("hostPID is true"),
        );
        f.object = strings.object((*f.object).clone());
        f
    }

    fn same(a: &Finding, b: &Finding) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn a_record_stays_compact() {
        assert!(
            std::mem::size_of::<Record>() <= 48,
            "{}",
            std::mem::size_of::<Record>()
        );
    }

    #[test]
    fn findings_come_out_as_they_went_in() {
        let mut strings = Interner::default();
        let plain = finding(&mut strings, "p", 4);
        let mut full = finding(&mut strings, "q", 9);
        full.severity = Severity::Low;
        full.container = Some(strings.str("app"));
        full.location.missing = true;
        full.suppressed = true;
        full.superseded = true;
        full.redact_source = true;
        full.suppression_reason = Some(strings.str("accepted"));
        full.origin = Some(Box::new(Origin {
            renderer: "helm",
            source: "chart".into(),
            exact: true,
            values: vec!["image.tag".into()],
            also_in: Vec::new(),
        }));
        full.fix = Some(strings.fix(Fix {
            title: "set".into(),
            edits: Vec::new(),
            applicability: Applicability::Safe,
        }));
        let list: FindingList = vec![plain.clone(), full.clone()].into();
        assert_eq!(list.len(), 2);
        assert!(same(&list.get(0).unwrap(), &plain));
        assert!(same(&list.get(1).unwrap(), &full));
        assert!(list.get(2).is_none());
        // Shared values stay shared: one subject per object; one copy of each pointer, message, container and reason.
        assert_eq!(list.tables.subjects.items.len(), 2);
        assert_eq!(list.tables.strings.items.len(), 4);
        let again = list.get(1).unwrap();
        assert!(Arc::ptr_eq(
            again.fix.as_ref().unwrap(),
            full.fix.as_ref().unwrap()
        ));
    }

    #[test]
    fn updates_sorts_and_removals_keep_every_field() {
        let mut strings = Interner::default();
        let mut list: FindingList = (0..6)
            .rev()
            .map(|i| finding(&mut strings, &format!("p{i}"), i + 1))
            .collect();
        list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let lines: Vec<u32> = list.iter().map(|f| f.location.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 6]);

        let reason = strings.str("waived");
        list.update(
            |f| f.line % 2 == 0,
            |f| {
                f.suppressed = true;
                f.suppression_reason = Some(reason.clone());
            },
        );
        // Changing findings again reuses their extra slots and table numbers.
        let tables = |l: &FindingList| {
            let t = &l.tables;
            (
                t.strings.items.len(),
                t.subjects.items.len(),
                t.extras.len(),
            )
        };
        let before = tables(&list);
        // As if many other values had passed through the caches since.
        list.tables.strings.recent.clear();
        list.tables.subjects.recent.clear();
        list.update(|f| f.line < 4, |f| f.severity = Severity::Critical);
        list.update_batches(
            |f| f.line >= 4,
            |batch| {
                assert_eq!(batch.len(), 3);
                for f in batch {
                    f.severity = Severity::Critical;
                }
            },
        );
        assert_eq!(tables(&list), before);
        assert_eq!(list.tables.extras.len(), 3);
        let suppressed: Vec<bool> = list.iter().map(|f| f.suppressed).collect();
        assert_eq!(suppressed, [false, true, false, true, false, true]);
        assert!(list.iter().all(|f| f.severity == Severity::Critical));
        assert_eq!(
            list.get(1).unwrap().suppression_reason.as_deref(),
            Some("waived")
        );

        let taken = list.extract(|f| f.line > 4);
        assert_eq!(taken.len(), 2);
        list.retain(|f| !f.suppressed);
        let lines: Vec<u32> = list.iter().map(|f| f.location.line).collect();
        assert_eq!(lines, [1, 3]);
        assert_eq!(list.get_ref(1).unwrap().object.name.as_deref(), Some("p2"));
        assert_eq!(list.refs().filter(|f| f.suppressed).count(), 0);
    }
}
