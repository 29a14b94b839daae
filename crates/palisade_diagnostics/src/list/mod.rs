//! A scan's findings, held compactly: one 48-byte record each, referring by number to tables of
//! the rules, subjects (object and file), strings, fixes and rare extras they share; past a
//! memory budget, the older records wait in a temporary file.
//!
//! A findings-dense input (a privileged Deployment is 300 bytes and has 14 findings; flow-style
//! containers give a finding every two bytes) makes findings most of a scan's memory. As
//! [`Finding`] values (about 120 bytes, pointers to shared strings) they would be dozens of times the
//! input; as records in memory, several times. So the list keeps [`MEMORY_BUDGET`] records in
//! memory and moves older ones to a file ([`store`]): a scan's memory then holds the tables of
//! distinct values, not a record per finding (docs/security.md). Findings go in as [`Finding`]
//! values and come out as [`Finding`] values or borrowed [`FindingRef`]s, so rules and
//! renderers keep the one finding model; the list only changes how the findings a scan has
//! gathered are stored.

mod store;
mod tables;

use std::cmp::Ordering;

use crate::Fix;
use crate::finding::{Finding, ObjectRef, Origin, Span};
use crate::meta::{RuleMeta, Severity};
use crate::subject::Subject;
use store::Store;
use tables::Tables;

pub use store::MEMORY_BUDGET;

/// Findings [`FindingList::update_batches`] builds at once, at most.
const BATCH: usize = 4096;

/// A finding borrowed from a [`FindingList`] (or from a [`Finding`]): reading it costs
/// nothing, where building a [`Finding`] clones its shared parts.
#[derive(Debug, Clone, Copy)]
pub struct FindingRef<'a> {
    /// The rule.
    pub rule: &'a RuleMeta,
    /// Effective severity.
    pub severity: Severity,
    /// What the finding is about.
    pub subject: &'a Subject,
    /// The container, for per-container findings.
    pub container: Option<&'a str>,
    /// Where in a file, when the subject came from one.
    pub span: Option<SpanRef<'a>>,
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

/// A [`Span`], borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanRef<'a> {
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
}

impl<'a> SpanRef<'a> {
    /// The span of a [`Span`].
    pub fn of(span: &'a Span) -> SpanRef<'a> {
        SpanRef {
            path: &span.path,
            document: span.document,
            line: span.line,
            column: span.column,
            end: (span.end_line, span.end_column),
        }
    }
}

/// The total order of [`Finding::sort_key`]: findings with a span first, by file and place;
/// then findings without one, by namespace, subject and rule.
pub type SortKey<'a> = (
    bool,
    Option<(&'a str, u32, u32, u32)>,
    Option<Option<&'a str>>,
    Option<&'a Subject>,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a Subject,
    (u32, u32),
    bool,
    Option<&'a str>,
);

impl<'a> FindingRef<'a> {
    /// File, document, line, column, rule, then message; the fields after those break every
    /// tie that output can show (see [`Finding::sort_key`]).
    pub fn sort_key(&self) -> SortKey<'a> {
        // Findings without a file (a live cluster's) go by namespace and object, as text
        // output groups them.
        let unplaced = self.span.is_none();
        (
            unplaced,
            self.span.map(|s| (s.path, s.document, s.line, s.column)),
            unplaced.then(|| self.subject.object().and_then(|o| o.namespace.as_deref())),
            unplaced.then_some(self.subject),
            &self.rule.id,
            self.message,
            self.pointer,
            self.container,
            self.subject,
            self.span.map_or((0, 0), |s| s.end),
            self.suppressed,
            self.reason,
        )
    }

    /// The object, when the subject is one.
    pub fn object(&self) -> Option<&'a ObjectRef> {
        self.subject.object()
    }

    /// The file, when the finding has a span.
    pub fn path(&self) -> Option<&'a str> {
        self.span.map(|s| s.path)
    }
}

/// A scan's findings in one compact list (see the module documentation).
#[derive(Debug)]
pub struct FindingList {
    records: Store,
    tables: Tables,
}

impl Default for FindingList {
    fn default() -> FindingList {
        FindingList::with_memory_budget(MEMORY_BUDGET)
    }
}

impl FindingList {
    /// An empty list that keeps up to [`MEMORY_BUDGET`] records in memory.
    pub fn new() -> FindingList {
        FindingList::default()
    }

    /// An empty list that keeps up to `records` records in memory before moving older ones to
    /// a temporary file (tests use a small budget to exercise the file).
    pub fn with_memory_budget(records: usize) -> FindingList {
        FindingList {
            records: Store::new(records),
            tables: Tables::default(),
        }
    }

    /// How many findings the list holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the list holds no finding.
    pub fn is_empty(&self) -> bool {
        self.records.len() == 0
    }

    /// How many findings wait in the temporary file.
    pub fn spilled(&self) -> usize {
        self.records.spilled()
    }

    /// The first failure to read back or rewrite findings kept in the temporary file. Output
    /// made from a list with such a failure may miss findings: callers report it as an error.
    pub fn storage_error(&self) -> Option<&str> {
        self.records.error()
    }

    /// Add a finding at the end.
    pub fn push(&mut self, finding: &Finding) {
        let record = self.tables.encode(finding, None);
        self.records.push(record);
    }

    /// Make room for `more` findings (in memory, up to the budget).
    pub fn reserve_growing(&mut self, more: usize) {
        self.records.reserve(more);
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
        for finding in other.iter() {
            self.push(&finding);
        }
        if let (None, Some(e)) = (self.storage_error(), other.storage_error()) {
            self.records.set_error(e);
        }
    }

    /// Give back the memory the list does not use.
    pub fn shrink_to_fit(&mut self) {
        self.records.shrink_to_fit();
    }

    /// The finding at `index`, built, if there is one.
    pub fn get(&self, index: usize) -> Option<Finding> {
        let record = self.records.get(index)?;
        self.checked(self.tables.decode(&record))
    }

    /// The finding at `index`, borrowed, if there is one.
    pub fn get_ref(&self, index: usize) -> Option<FindingRef<'_>> {
        let record = self.records.get(index)?;
        self.checked(self.tables.borrow(&record))
    }

    /// Every finding, built (for tests and small lists: it holds them all at once).
    pub fn to_vec(&self) -> Vec<Finding> {
        self.iter().collect()
    }

    /// The findings in order, each built as it is reached.
    pub fn iter(&self) -> impl Iterator<Item = Finding> + '_ {
        self.records
            .iter()
            .filter_map(|r| self.checked(self.tables.decode(&r)))
    }

    /// The findings in order, borrowed.
    pub fn refs(&self) -> impl Iterator<Item = FindingRef<'_>> + '_ {
        self.records
            .iter()
            .filter_map(|r| self.checked(self.tables.borrow(&r)))
    }

    /// `found`, remembering a record that named no value as a storage failure: only bytes read
    /// back wrongly from the file give one, and a consumer counting positions would be off.
    fn checked<T>(&self, found: Option<T>) -> Option<T> {
        if found.is_none() {
            self.records
                .set_error("a finding read back from a temporary file is not one written there");
        }
        found
    }

    /// Change the findings `select` picks with `change`, in place.
    pub fn update(
        &mut self,
        mut select: impl FnMut(&FindingRef) -> bool,
        mut change: impl FnMut(&mut Finding),
    ) {
        let tables = &mut self.tables;
        self.records.update_blocks(|block| {
            let mut changed = false;
            for record in block {
                if !tables.borrow(record).is_some_and(|f| select(&f)) {
                    continue;
                }
                if let Some(mut finding) = tables.decode(record) {
                    change(&mut finding);
                    *record = tables.encode(&finding, Some(&*record));
                    changed = true;
                }
            }
            changed
        });
    }

    /// Change the findings `select` picks with `change`, up to [`BATCH`] at a time (for changes
    /// that share work among findings, such as reading the files they point into): no more
    /// than a batch of them is built at once.
    pub fn update_batches(
        &mut self,
        mut select: impl FnMut(&FindingRef) -> bool,
        mut change: impl FnMut(&mut [Finding]),
    ) {
        let tables = &mut self.tables;
        self.records.update_blocks(|block| {
            let mut changed = false;
            for records in block.chunks_mut(BATCH) {
                let mut picked = Vec::new();
                let mut batch = Vec::new();
                for (i, record) in records.iter().enumerate() {
                    if tables.borrow(record).is_some_and(|f| select(&f))
                        && let Some(finding) = tables.decode(record)
                    {
                        picked.push(i);
                        batch.push(finding);
                    }
                }
                if batch.is_empty() {
                    continue;
                }
                change(&mut batch);
                changed = true;
                for (i, finding) in picked.into_iter().zip(&batch) {
                    let old = records[i];
                    records[i] = tables.encode(finding, Some(&old));
                }
            }
            changed
        });
    }

    /// Keep only the findings `keep` accepts, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&FindingRef) -> bool) {
        let tables = &self.tables;
        self.records
            .retain(|r| tables.borrow(r).is_some_and(|f| keep(&f)));
    }

    /// Remove the findings `take` accepts and return them, in order; the others keep theirs.
    pub fn extract(&mut self, mut take: impl FnMut(&FindingRef) -> bool) -> Vec<Finding> {
        let tables = &self.tables;
        let mut taken = Vec::new();
        self.records.retain(|r| {
            let Some(finding) = tables.borrow(r) else {
                return true;
            };
            if take(&finding) {
                taken.extend(tables.decode(r));
                false
            } else {
                true
            }
        });
        taken
    }

    /// Sort the findings by `compare`. Unstable, which needs no buffer beside the records in
    /// memory; a total order makes the result the same whatever order the findings arrived in.
    pub fn sort_by(&mut self, compare: impl Fn(&FindingRef, &FindingRef) -> Ordering + Sync) {
        let tables = &self.tables;
        self.records
            .sort_by(|a, b| match (tables.borrow(a), tables.borrow(b)) {
                (Some(a), Some(b)) => compare(&a, &b),
                (a, b) => a.is_some().cmp(&b.is_some()),
            });
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::subject::NodeFileRef;
    use crate::{Applicability, Interner, Location};

    use crate::meta::TEST_RULE as RULE;

    fn finding(strings: &mut Interner, name: &str, line: u32) -> Finding {
        let path = strings.str("a.yaml");
        let object = ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: None,
            name: Some(name.into()),
            uid: None,
            cluster: None,
        };
        let mut f = Finding::new(
            &RULE,
            object,
            Location {
                span: Some(Span {
                    path,
                    line,
                    column: 3,
                    end_line: line,
                    end_column: 9,
                    document: line,
                }),
                pointer: strings.str("/spec/hostPID"),
                missing: false,
            },
            strings.str("hostPID is true"),
        );
        f.subject = strings.subject((*f.subject).clone());
        f
    }

    fn line(f: &Finding) -> u32 {
        f.location.span.as_ref().map_or(0, |s| s.line)
    }

    fn same(a: &Finding, b: &Finding) -> bool {
        format!("{a:?}") == format!("{b:?}")
    }

    #[test]
    fn findings_without_a_span_keep_their_subject_and_sort_after_placed_ones() {
        let mut strings = Interner::default();
        let placed = finding(&mut strings, "p", 4);
        let mut node_file = Finding::new(
            &RULE,
            Subject::NodeFile(NodeFileRef {
                node: Some("n1".into()),
                path: "/var/lib/kubelet/config.yaml".into(),
            }),
            Location::unplaced("/authentication/anonymous/enabled"),
            "anonymous requests are allowed",
        );
        node_file.location.missing = true;
        let mut list = FindingList::with_memory_budget(1);
        list.push(&node_file);
        list.push(&placed);
        let back = list.get(0).unwrap();
        assert!(same(&back, &node_file), "{back:?}");
        assert!(back.location.span.is_none());
        assert!(list.get_ref(0).unwrap().path().is_none());
        list.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        assert!(same(&list.get(0).unwrap(), &placed));
        assert!(same(&list.get(1).unwrap(), &node_file));
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
        assert_eq!(list.tables.sizes(), (4, 2, 1));
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
        let lines: Vec<u32> = list.iter().map(|f| line(&f)).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5, 6]);

        let reason = strings.str("waived");
        list.update(
            |f| f.span.unwrap().line.is_multiple_of(2),
            |f| {
                f.suppressed = true;
                f.suppression_reason = Some(reason.clone());
            },
        );
        // Changing findings again adds nothing to the tables; one reason is one extra.
        let before = list.tables.sizes();
        assert_eq!(before.2, 1);
        list.update(
            |f| f.span.unwrap().line < 4,
            |f| f.severity = Severity::Critical,
        );
        list.update_batches(
            |f| f.span.unwrap().line >= 4,
            |batch| {
                assert_eq!(batch.len(), 3);
                for f in batch {
                    f.severity = Severity::Critical;
                }
            },
        );
        assert_eq!(list.tables.sizes(), before);
        let suppressed: Vec<bool> = list.iter().map(|f| f.suppressed).collect();
        assert_eq!(suppressed, [false, true, false, true, false, true]);
        assert!(list.iter().all(|f| f.severity == Severity::Critical));
        assert_eq!(
            list.get(1).unwrap().suppression_reason.as_deref(),
            Some("waived")
        );

        let taken = list.extract(|f| f.span.unwrap().line > 4);
        assert_eq!(taken.len(), 2);
        list.retain(|f| !f.suppressed);
        let lines: Vec<u32> = list.iter().map(|f| line(&f)).collect();
        assert_eq!(lines, [1, 3]);
        assert_eq!(
            list.get_ref(1).unwrap().object().unwrap().name.as_deref(),
            Some("p2")
        );
        assert_eq!(list.refs().filter(|f| f.suppressed).count(), 0);
    }

    /// `n` findings in a scrambled order, over a few objects, messages and reasons.
    fn scrambled(strings: &mut Interner, n: u32) -> Vec<Finding> {
        (0..n)
            .map(|i| {
                let j = i.wrapping_mul(7919) % n;
                let mut f = finding(strings, &format!("p{}", j % 13), j);
                f.message = strings.str(&format!("message {}", j % 5));
                if j.is_multiple_of(3) {
                    f.suppressed = true;
                    f.suppression_reason = Some(strings.str("accepted"));
                }
                f
            })
            .collect()
    }

    fn lines(list: &FindingList) -> Vec<u32> {
        list.iter().map(|f| line(&f)).collect()
    }

    #[test]
    fn a_list_past_its_budget_keeps_every_finding_in_a_file() {
        let mut strings = Interner::default();
        let findings = scrambled(&mut strings, 1000);
        let mut spilled = FindingList::with_memory_budget(7);
        let mut memory = FindingList::with_memory_budget(usize::MAX);
        for f in &findings {
            spilled.push(f);
            memory.push(f);
        }
        assert!(spilled.spilled() >= 994, "{}", spilled.spilled());
        assert_eq!(memory.spilled(), 0);
        assert_eq!(spilled.len(), 1000);
        let all = spilled.to_vec();
        assert_eq!(all.len(), findings.len());
        assert!(all.iter().zip(&findings).all(|(a, b)| same(a, b)));
        // Random access, backwards, crosses blocks and the file's end.
        for i in (0..1000).rev().step_by(37) {
            assert!(same(&spilled.get(i).unwrap(), &findings[i]));
            assert_eq!(
                spilled.get_ref(i).unwrap().span.unwrap().line,
                line(&findings[i])
            );
        }
        assert!(spilled.get(1000).is_none());
        // Each distinct value is stored once, however many findings share it.
        assert_eq!(spilled.tables.sizes(), memory.tables.sizes());
        assert_eq!(spilled.tables.sizes(), (7, 13, 1));
        assert!(spilled.storage_error().is_none());
    }

    #[test]
    fn a_spilled_list_sorts_updates_and_removes_as_one_in_memory() {
        let mut strings = Interner::default();
        let findings = scrambled(&mut strings, 2500);
        for budget in [1, 10, 333, 5000] {
            let mut spilled = FindingList::with_memory_budget(budget);
            let mut memory = FindingList::with_memory_budget(usize::MAX);
            for f in &findings {
                spilled.push(f);
                memory.push(f);
            }
            let by_line = |a: &FindingRef, b: &FindingRef| a.sort_key().cmp(&b.sort_key());
            spilled.sort_by(by_line);
            memory.sort_by(by_line);
            assert_eq!(lines(&spilled), (0..2500).collect::<Vec<_>>(), "{budget}");
            // Pushed after a sort, then sorted again by another order.
            let extra = finding(&mut strings, "late", 1234);
            spilled.push(&extra);
            memory.push(&extra);
            let by_name = |a: &FindingRef, b: &FindingRef| {
                (a.object().unwrap().name.as_deref(), a.span.unwrap().line)
                    .cmp(&(b.object().unwrap().name.as_deref(), b.span.unwrap().line))
            };
            spilled.sort_by(by_name);
            memory.sort_by(by_name);
            assert_eq!(lines(&spilled), lines(&memory), "{budget}");

            let critical = |f: &mut Finding| f.severity = Severity::Critical;
            spilled.update(|f| f.span.unwrap().line.is_multiple_of(4), critical);
            memory.update(|f| f.span.unwrap().line.is_multiple_of(4), critical);
            let mut batches = 0;
            spilled.update_batches(
                |f| f.span.unwrap().line.is_multiple_of(5),
                |b| {
                    batches += 1;
                    b.iter_mut().for_each(|f| f.severity = Severity::Info);
                },
            );
            memory.update_batches(
                |f| f.span.unwrap().line.is_multiple_of(5),
                |b| b.iter_mut().for_each(|f| f.severity = Severity::Info),
            );
            assert!(batches >= 1);
            let taken = spilled.extract(|f| f.span.unwrap().line.is_multiple_of(7));
            assert_eq!(
                taken.len(),
                memory
                    .extract(|f| f.span.unwrap().line.is_multiple_of(7))
                    .len()
            );
            spilled.retain(|f| !f.suppressed);
            memory.retain(|f| !f.suppressed);
            let all = spilled.to_vec();
            assert_eq!(all.len(), memory.len());
            assert!(all.iter().zip(memory.iter()).all(|(a, b)| same(a, &b)));
            assert!(
                all.iter()
                    .all(|f| !line(f).is_multiple_of(7) && !f.suppressed)
            );
            assert!(spilled.storage_error().is_none());
        }
    }

    #[test]
    fn appending_a_spilled_list_copies_it_in_order() {
        let mut strings = Interner::default();
        let findings = scrambled(&mut strings, 300);
        let mut part = FindingList::with_memory_budget(16);
        findings.iter().for_each(|f| part.push(f));
        let mut whole = FindingList::with_memory_budget(50);
        whole.append_list(&part);
        whole.append_list(&part);
        assert_eq!(whole.len(), 600);
        let expected: Vec<u32> = findings.iter().map(line).collect();
        assert_eq!(lines(&whole), [expected.clone(), expected].concat());
    }
}
