//! Byte ranges of a text that hold secret values.
//!
//! Which scalars are secrets is decided elsewhere (it takes Kubernetes knowledge and credential
//! detectors); this type only carries the answer from the scan to every place that shows source
//! text (snippets, diffs), so that all of them hide the same bytes.

use std::ops::Range;

/// What every output shows in place of a hidden value.
pub const MASK: &str = "****";

/// Sorted, disjoint, non-empty byte ranges of one text that must never be shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretSpans {
    ranges: Vec<Range<usize>>,
}

impl SecretSpans {
    /// The union of `ranges` (in any order, overlapping or empty ones allowed).
    pub fn new(ranges: impl IntoIterator<Item = Range<usize>>) -> Self {
        let mut spans = SecretSpans {
            ranges: ranges.into_iter().filter(|r| r.start < r.end).collect(),
        };
        spans.normalize();
        spans
    }

    fn normalize(&mut self) {
        self.ranges.sort_by_key(|r| (r.start, r.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(self.ranges.len());
        for r in self.ranges.drain(..) {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        self.ranges = merged;
    }

    /// Add more ranges.
    pub fn extend(&mut self, ranges: impl IntoIterator<Item = Range<usize>>) {
        self.ranges
            .extend(ranges.into_iter().filter(|r| r.start < r.end));
        self.normalize();
    }

    /// Whether nothing is secret.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Every range, in order.
    pub fn ranges(&self) -> &[Range<usize>] {
        &self.ranges
    }

    /// The ranges that overlap `within` (e.g. one line), in order.
    pub fn overlapping(&self, within: Range<usize>) -> &[Range<usize>] {
        let first = self.ranges.partition_point(|r| r.end <= within.start);
        let last = self.ranges.partition_point(|r| r.start < within.end);
        &self.ranges[first..last.max(first)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_merged_and_found_by_line() {
        let spans = SecretSpans::new([10..14, 2..4, 3..6, 20..20, 30..40]);
        assert_eq!(spans.ranges(), &[2..6, 10..14, 30..40]);
        assert_eq!(spans.overlapping(0..2), &[] as &[Range<usize>]);
        assert_eq!(spans.overlapping(5..11), &[2..6, 10..14]);
        assert_eq!(spans.overlapping(14..30), &[] as &[Range<usize>]);
        assert_eq!(spans.overlapping(35..36), std::slice::from_ref(&(30..40)));
        let mut more = spans.clone();
        more.extend(std::iter::once(13..31));
        assert_eq!(more.ranges(), &[2..6, 10..40]);
        assert!(SecretSpans::new(std::iter::once(1..1)).is_empty());
    }
}
