//! Records and the tables they number into.
//!
//! The tables are keyed by address: the strings, objects and fixes of findings are already
//! shared by the interners that made them, so an address names a value, and finding it costs
//! a hash of one or two words rather than of the value. The tables hold what they store, so
//! an address cannot be reused for another value while the list lives, and each distinct
//! value is stored once however many findings share it.

use std::sync::Arc;

use arcstr::ArcStr;
use hashbrown::HashMap;

use super::{FindingRef, SpanRef};
use crate::Fix;
use crate::finding::{Finding, Location, Origin, Span};
use crate::meta::Severity;
use crate::rule_ref::RuleRef;
use crate::subject::Subject;

/// Marks an absent optional field in a record.
const NONE: u32 = u32::MAX;

const SUPPRESSED: u8 = 1;
const REDACT_SOURCE: u8 = 2;
const SUPERSEDED: u8 = 4;
const MISSING: u8 = 8;
/// Where a record's flags keep the severity.
const SEVERITY_SHIFT: u32 = 4;
/// The largest rule number a record holds (24 bits); it marks a rule past the limit.
const RULE_LIMIT: u32 = (1 << 24) - 1;

/// One finding, by number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    /// The rule's number, low 16 bits, and high 8 bits in `rule_high`: 24 bits, so that
    /// policies loaded at run time cannot run out of numbers.
    rule: u16,
    rule_high: u8,
    /// The flags in the low four bits, the severity's index in [`Severity::ALL`] above them.
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

impl Record {
    fn rule_index(&self) -> u32 {
        u32::from(self.rule) | u32::from(self.rule_high) << 16
    }

    fn severity(&self) -> Option<Severity> {
        Severity::ALL
            .get(usize::from(self.flags >> SEVERITY_SHIFT))
            .copied()
    }

    /// Bytes of a record written to a file.
    pub(super) const SIZE: usize = 48;

    /// The record as bytes, for a file this process reads back ([`Record::from_bytes`]).
    pub(super) fn to_bytes(self) -> [u8; Record::SIZE] {
        let mut out = [0u8; Record::SIZE];
        out[..2].copy_from_slice(&self.rule.to_le_bytes());
        out[2] = self.rule_high;
        out[3] = self.flags;
        let words = [
            self.subject,
            self.document,
            self.pointer,
            self.message,
            self.container,
            self.fix,
            self.extra,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
        ];
        for (slot, word) in out[4..].chunks_exact_mut(4).zip(words) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
        out
    }

    /// The record [`Record::to_bytes`] wrote. Bytes no record wrote read as some record: the
    /// tables' lookups are bounds-checked, so they cannot do worse than name a wrong value.
    pub(super) fn from_bytes(bytes: &[u8; Record::SIZE]) -> Record {
        let word = |i: usize| {
            let at = 4 + 4 * i;
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        Record {
            rule: u16::from_le_bytes([bytes[0], bytes[1]]),
            rule_high: bytes[2],
            flags: bytes[3],
            subject: word(0),
            document: word(1),
            pointer: word(2),
            message: word(3),
            container: word(4),
            fix: word(5),
            extra: word(6),
            line: word(7),
            column: word(8),
            end_line: word(9),
            end_column: word(10),
        }
    }
}

/// What a finding is about and the file it was read from: shared by the findings of one
/// object.
#[derive(Debug, Clone)]
struct Placed {
    subject: Arc<Subject>,
    path: Option<ArcStr>,
}

/// What few findings have: a suppression reason or the rendering they came from. Extras with
/// a reason only are shared by every finding with that reason; an extra with an origin belongs
/// to one record.
#[derive(Debug, Clone)]
struct Extra {
    reason: u32,
    origin: Option<Box<Origin>>,
}

/// Values by number, and the numbers of the values by address.
#[derive(Debug)]
struct Table<K, T> {
    items: Vec<T>,
    numbers: HashMap<K, u32>,
}

impl<K, T> Default for Table<K, T> {
    fn default() -> Self {
        Table {
            items: Vec::new(),
            numbers: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + std::hash::Hash, T> Table<K, T> {
    /// The number of the value at address `key`, stored by `make` if it is new.
    fn id(&mut self, key: K, make: impl FnOnce() -> T) -> u32 {
        let items = &mut self.items;
        *self.numbers.entry(key).or_insert_with(|| {
            items.push(make());
            index_u32(items.len() - 1)
        })
    }

    fn get(&self, id: u32) -> Option<&T> {
        self.items.get(id as usize)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.items.len()
    }
}

/// The tables records refer to. Entries are never removed: a list lives as long as one scan.
#[derive(Debug, Default)]
pub(super) struct Tables {
    rules: Vec<RuleRef>,
    subjects: Table<(usize, usize), Placed>,
    strings: Table<usize, ArcStr>,
    fixes: Table<usize, Arc<Fix>>,
    extras: Vec<Extra>,
    /// The extra of each reason that has no origin beside it.
    reasons: HashMap<u32, u32>,
}

impl Tables {
    /// The rule's number. Past 2^24 rules (gigabytes of rule metadata, more than any policy
    /// file a scan reads) numbers saturate and [`Tables::parts`] rejects the record, which the
    /// list reports as a storage failure rather than naming a wrong rule.
    fn rule(&mut self, rule: &RuleRef) -> u32 {
        let index = match self.rules.iter().rposition(|r| r.same(rule)) {
            Some(index) => index,
            None => {
                self.rules.push(rule.clone());
                self.rules.len() - 1
            }
        };
        u32::try_from(index).unwrap_or(u32::MAX).min(RULE_LIMIT)
    }

    fn string(&mut self, s: &ArcStr) -> u32 {
        self.strings.id(s.as_ptr().addr(), || s.clone())
    }

    fn optional(&mut self, s: Option<&ArcStr>) -> u32 {
        s.map_or(NONE, |s| self.string(s))
    }

    /// `old` is the record being replaced: its extra slot is reused when it is the record's
    /// own (it has an origin), so that changing findings in place does not grow the table.
    pub(super) fn encode(&mut self, f: &Finding, old: Option<&Record>) -> Record {
        let l = &f.location;
        let path = l.path();
        let key = (
            Arc::as_ptr(&f.subject).addr(),
            path.map_or(0, |p| p.as_ptr().addr()),
        );
        let subject = self.subjects.id(key, || Placed {
            subject: Arc::clone(&f.subject),
            path: path.cloned(),
        });
        let span = l.span.as_ref();
        let fix = f.fix.as_ref().map_or(NONE, |fix| {
            self.fixes.id(Arc::as_ptr(fix).addr(), || Arc::clone(fix))
        });
        let reason = self.optional(f.suppression_reason.as_ref());
        let own = old.map(|r| r.extra).filter(|&e| {
            self.extras
                .get(e as usize)
                .is_some_and(|e| e.origin.is_some())
        });
        let extra = match (&f.origin, own) {
            (None, _) if reason == NONE => NONE,
            (None, _) => match self.reasons.get(&reason) {
                Some(&extra) => extra,
                None => {
                    let extra = self.add_extra(Extra {
                        reason,
                        origin: None,
                    });
                    self.reasons.insert(reason, extra);
                    extra
                }
            },
            (Some(origin), Some(slot)) => {
                self.extras[slot as usize] = Extra {
                    reason,
                    origin: Some(origin.clone()),
                };
                slot
            }
            (Some(origin), None) => self.add_extra(Extra {
                reason,
                origin: Some(origin.clone()),
            }),
        };
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        let rule = self.rule(&f.rule);
        Record {
            rule: (rule & 0xffff) as u16,
            rule_high: (rule >> 16) as u8,
            flags: flag(f.suppressed, SUPPRESSED)
                | flag(f.redact_source, REDACT_SOURCE)
                | flag(f.superseded, SUPERSEDED)
                | flag(l.missing, MISSING)
                | (f.severity as u8) << SEVERITY_SHIFT,
            subject,
            // A finding without a span is marked by its document.
            document: span.map_or(NONE, |s| s.document),
            pointer: self.string(&l.pointer),
            message: self.string(&f.message),
            container: self.optional(f.container.as_ref()),
            fix,
            extra,
            line: span.map_or(0, |s| s.line),
            column: span.map_or(0, |s| s.column),
            end_line: span.map_or(0, |s| s.end_line),
            end_column: span.map_or(0, |s| s.end_column),
        }
    }

    fn add_extra(&mut self, extra: Extra) -> u32 {
        self.extras.push(extra);
        index_u32(self.extras.len() - 1)
    }

    /// The parts of a record its tables hold, or `None` for a record these tables did not
    /// number (which only bytes read back wrongly could give).
    fn parts(&self, r: &Record) -> Option<Parts<'_>> {
        let string = |i: u32| self.strings.get(i);
        let optional = |i: u32| {
            if i == NONE {
                Some(None)
            } else {
                string(i).map(Some)
            }
        };
        let extra = if r.extra == NONE {
            None
        } else {
            Some(self.extras.get(r.extra as usize)?)
        };
        Some(Parts {
            rule: match r.rule_index() {
                RULE_LIMIT => return None,
                index => self.rules.get(index as usize)?,
            },
            severity: r.severity()?,
            subject: self.subjects.get(r.subject)?,
            pointer: string(r.pointer)?,
            message: string(r.message)?,
            container: optional(r.container)?,
            reason: match extra {
                Some(e) => optional(e.reason)?,
                None => None,
            },
            origin: extra.and_then(|e| e.origin.as_deref()),
            fix: if r.fix == NONE {
                None
            } else {
                Some(self.fixes.get(r.fix)?)
            },
        })
    }

    pub(super) fn decode(&self, r: &Record) -> Option<Finding> {
        let p = self.parts(r)?;
        let span = match (&p.subject.path, r.document) {
            (Some(path), document) if document != NONE => Some(Span {
                path: path.clone(),
                line: r.line,
                column: r.column,
                end_line: r.end_line,
                end_column: r.end_column,
                document,
            }),
            _ => None,
        };
        Some(Finding {
            rule: p.rule.clone(),
            severity: p.severity,
            subject: Arc::clone(&p.subject.subject),
            container: p.container.cloned(),
            location: Location {
                span,
                pointer: p.pointer.clone(),
                missing: r.flags & MISSING != 0,
            },
            message: p.message.clone(),
            suppressed: r.flags & SUPPRESSED != 0,
            suppression_reason: p.reason.cloned(),
            redact_source: r.flags & REDACT_SOURCE != 0,
            origin: p.origin.map(|o| Box::new(o.clone())),
            fix: p.fix.cloned(),
            superseded: r.flags & SUPERSEDED != 0,
        })
    }

    pub(super) fn borrow(&self, r: &Record) -> Option<FindingRef<'_>> {
        let p = self.parts(r)?;
        Some(FindingRef {
            rule: p.rule,
            severity: p.severity,
            subject: &p.subject.subject,
            container: p.container.map(ArcStr::as_str),
            span: match &p.subject.path {
                Some(path) if r.document != NONE => Some(SpanRef {
                    path,
                    document: r.document,
                    line: r.line,
                    column: r.column,
                    end: (r.end_line, r.end_column),
                }),
                _ => None,
            },
            pointer: p.pointer,
            missing: r.flags & MISSING != 0,
            message: p.message,
            suppressed: r.flags & SUPPRESSED != 0,
            reason: p.reason.map(ArcStr::as_str),
            redact_source: r.flags & REDACT_SOURCE != 0,
            origin: p.origin,
            fix: p.fix.map(|f| &**f),
            superseded: r.flags & SUPERSEDED != 0,
        })
    }

    /// How many values each table holds: strings, subjects, extras (for tests of sharing).
    #[cfg(test)]
    pub(super) fn sizes(&self) -> (usize, usize, usize) {
        (self.strings.len(), self.subjects.len(), self.extras.len())
    }
}

/// What a record's numbers name.
struct Parts<'a> {
    rule: &'a RuleRef,
    severity: Severity,
    subject: &'a Placed,
    pointer: &'a ArcStr,
    message: &'a ArcStr,
    container: Option<&'a ArcStr>,
    reason: Option<&'a ArcStr>,
    origin: Option<&'a Origin>,
    fix: Option<&'a Arc<Fix>>,
}

/// Table indexes are `u32`: a scan holds far fewer than 4 billion distinct values (its input
/// is bounded well below that), and the records stay small.
fn index_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(NONE - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_stays_compact_and_round_trips_through_bytes() {
        assert!(
            std::mem::size_of::<Record>() <= Record::SIZE,
            "{}",
            std::mem::size_of::<Record>()
        );
        let record = Record {
            rule: 513,
            rule_high: 7,
            flags: SUPPRESSED | MISSING | (Severity::Medium as u8) << SEVERITY_SHIFT,
            subject: 1,
            document: 2,
            pointer: 3,
            message: 0x0102_0304,
            container: NONE,
            fix: 5,
            extra: 6,
            line: 7,
            column: 8,
            end_line: 9,
            end_column: u32::MAX - 1,
        };
        assert_eq!(Record::from_bytes(&record.to_bytes()), record);
        assert_eq!(record.rule_index(), 7 << 16 | 513);
        assert_eq!(record.severity(), Some(Severity::Medium));
    }

    #[test]
    fn a_record_the_tables_did_not_number_reads_as_none() {
        let tables = Tables::default();
        let record = Record::from_bytes(&[0xff; Record::SIZE]);
        assert!(tables.decode(&record).is_none());
        assert!(tables.borrow(&record).is_none());
    }
}
