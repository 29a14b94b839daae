//! Byte ranges of a text that hold secret values.
//!
//! Which scalars are secrets is decided elsewhere (it takes Kubernetes knowledge and credential
//! detectors); this type only carries the answer from the scan to every place that shows source
//! text (snippets, diffs), so that all of them hide the same bytes.

use std::ops::Range;

/// What every output shows in place of a hidden value.
pub const MASK: &str = "****";

/// Sorted, disjoint, non-empty byte ranges of one text that must never be shown. Offsets are
/// kept as `u32`, as positions in a document are: text output keeps these for every file it
/// shows, and a manifest can hold many secret scalars.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSpans {
    ranges: Vec<Range<u32>>,
}

/// A byte range as stored (texts are under 4 GiB, as the loader's positions require).
fn narrow(r: Range<usize>) -> Range<u32> {
    let clamp = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
    clamp(r.start)..clamp(r.end)
}

fn widen(r: &Range<u32>) -> Range<usize> {
    r.start as usize..r.end as usize
}

impl SecretSpans {
    /// The union of `ranges` (in any order, overlapping or empty ones allowed).
    pub fn new(ranges: impl IntoIterator<Item = Range<usize>>) -> Self {
        let mut spans = SecretSpans::default();
        spans.extend(ranges);
        spans
    }

    fn normalize(&mut self) {
        self.ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<u32>> = Vec::with_capacity(self.ranges.len());
        for r in self.ranges.drain(..) {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged.shrink_to_fit();
        self.ranges = merged;
    }

    /// Add more ranges.
    pub fn extend(&mut self, ranges: impl IntoIterator<Item = Range<usize>>) {
        self.ranges
            .extend(ranges.into_iter().filter(|r| r.start < r.end).map(narrow));
        self.normalize();
    }

    /// Whether nothing is secret.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Every range, in order.
    pub fn ranges(&self) -> impl ExactSizeIterator<Item = Range<usize>> + '_ {
        self.ranges.iter().map(widen)
    }

    /// The ranges that overlap `within` (e.g. one line), in order.
    pub fn overlapping(&self, within: Range<usize>) -> impl Iterator<Item = Range<usize>> + '_ {
        let within = narrow(within);
        let first = self.ranges.partition_point(|r| r.end <= within.start);
        let last = self.ranges.partition_point(|r| r.start < within.end);
        self.ranges[first..last.max(first)].iter().map(widen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_merged_and_found_by_line() {
        let spans = SecretSpans::new([10..14, 2..4, 3..6, 20..20, 30..40]);
        let all = |s: &SecretSpans| s.ranges().collect::<Vec<_>>();
        let within = |r: Range<usize>| spans.overlapping(r).collect::<Vec<_>>();
        assert_eq!(all(&spans), [2..6, 10..14, 30..40]);
        assert!(within(0..2).is_empty());
        assert_eq!(within(5..11), [2..6, 10..14]);
        assert!(within(14..30).is_empty());
        assert_eq!(within(35..36), std::slice::from_ref(&(30..40)));
        let mut more = spans.clone();
        more.extend(std::iter::once(13..31));
        assert_eq!(all(&more), [2..6, 10..40]);
        assert!(SecretSpans::new(std::iter::once(1..1)).is_empty());
    }
}
