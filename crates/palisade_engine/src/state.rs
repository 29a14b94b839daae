//! State an audit rule keeps between events, bounded so that a rule's memory does not grow
//! with the log it reads (a webhook backend runs for months).

use std::collections::{HashMap, VecDeque};

/// Counters by key (an identity, an identity and a resource, ...), at most `capacity` of
/// them: past it, the key counted first is forgotten, so a long log keeps the most recent
/// keys. [`AuditState::evicted`] says how many were forgotten, for a front door to report.
#[derive(Debug, Clone)]
pub struct AuditState {
    counts: HashMap<String, Entry>,
    /// Keys in the order they were first counted, with the sequence number of that count: an
    /// entry forgotten and counted again is a new one, and its old place is skipped.
    order: VecDeque<(u64, String)>,
    capacity: usize,
    next: u64,
    evicted: u64,
    /// Keys whose window closed and that were dropped before the capacity required it.
    expired: u64,
    /// When windows were last swept for expired keys (microseconds).
    swept_at: i64,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    count: u64,
    seq: u64,
    /// When the key's current window opened (microseconds; 0 for plain counts).
    since: i64,
    /// The key's window (microseconds; 0 for plain counts, which never expire).
    window: i64,
}

impl Default for AuditState {
    fn default() -> Self {
        AuditState::with_capacity(AuditState::DEFAULT_CAPACITY)
    }
}

impl AuditState {
    /// Keys a rule's state holds by default.
    pub const DEFAULT_CAPACITY: usize = 10_000;

    /// State that holds at most `capacity` keys (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        AuditState {
            counts: HashMap::new(),
            order: VecDeque::new(),
            capacity: capacity.max(1),
            next: 0,
            evicted: 0,
            expired: 0,
            swept_at: i64::MIN,
        }
    }

    /// Count one more occurrence of `key`; the count so far (1 the first time).
    pub fn bump(&mut self, key: &str) -> u64 {
        if let Some(entry) = self.counts.get_mut(key) {
            entry.count += 1;
            return entry.count;
        }
        while self.counts.len() >= self.capacity {
            self.evict_oldest();
        }
        let seq = self.next;
        self.next += 1;
        self.counts.insert(
            key.to_string(),
            Entry {
                count: 1,
                seq,
                since: 0,
                window: 0,
            },
        );
        self.order.push_back((seq, key.to_string()));
        if self.order.len() > 2 * self.capacity {
            // Places of forgotten keys: dropped once they are as many as the live ones.
            let counts = &self.counts;
            self.order
                .retain(|(seq, key)| counts.get(key).is_some_and(|e| e.seq == *seq));
        }
        1
    }

    /// Count one more occurrence of `key` at `at` within a window of `window` (both in
    /// microseconds): the count since the window opened, which its first occurrence does; an
    /// occurrence after the window has passed opens a new one (and counts 1). Keys expire as
    /// other keys are counted, oldest first, so the state stays within its capacity.
    ///
    /// Keys whose window has closed are also dropped as time passes (once per `window` of
    /// event time, all that closed), so that state about an identity that went quiet expires
    /// rather than waiting for the capacity to push it out.
    pub fn bump_within(&mut self, key: &str, at: i64, window: i64) -> u64 {
        self.expire(at, window);
        if let Some(entry) = self.counts.get_mut(key)
            && at.saturating_sub(entry.since) > window
        {
            entry.count = 0;
            entry.since = at;
        }
        let count = self.bump(key);
        if let Some(entry) = self.counts.get_mut(key) {
            entry.window = window.max(1);
            if count == 1 {
                entry.since = at;
            }
        }
        count
    }

    /// When the current window of `key` opened (its first occurrence, for a window that
    /// never closes), if the key is held.
    pub fn since(&self, key: &str) -> Option<i64> {
        self.counts
            .get(key)
            .filter(|e| e.window > 0)
            .map(|e| e.since)
    }

    /// Drop the windowed keys whose window closed before `at`, at most once per `every`.
    fn expire(&mut self, at: i64, every: i64) {
        if at.saturating_sub(self.swept_at) <= every {
            return;
        }
        self.swept_at = at;
        let before = self.counts.len();
        self.counts
            .retain(|_, e| e.window == 0 || at.saturating_sub(e.since) <= e.window);
        self.expired += (before - self.counts.len()) as u64;
    }

    /// Keys dropped because their window closed.
    pub fn expired(&self) -> u64 {
        self.expired
    }

    /// Set `key` to `value` (a small fact a rule keeps, such as what a role it saw grants),
    /// held and forgotten like a count.
    pub fn set(&mut self, key: &str, value: u64) {
        self.bump(key);
        if let Some(entry) = self.counts.get_mut(key) {
            entry.count = value;
        }
    }

    /// The count of `key` (0 when not counted, or forgotten).
    pub fn count(&self, key: &str) -> u64 {
        self.counts.get(key).map_or(0, |e| e.count)
    }

    /// Forget `key` (a rule that alerted on it starts over).
    pub fn forget(&mut self, key: &str) {
        self.counts.remove(key);
    }

    /// Keys held.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Keys forgotten to stay within the capacity.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    fn evict_oldest(&mut self) {
        while let Some((seq, key)) = self.order.pop_front() {
            if self.counts.get(&key).is_some_and(|e| e.seq == seq) {
                self.counts.remove(&key);
                self.evicted += 1;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_keys_and_forgets_the_oldest_past_its_capacity() {
        let mut state = AuditState::with_capacity(2);
        assert_eq!(state.bump("alice"), 1);
        assert_eq!(state.bump("alice"), 2);
        assert_eq!(state.bump("bob"), 1);
        assert_eq!(state.bump("carol"), 1);
        assert_eq!(state.len(), 2);
        assert_eq!(state.count("alice"), 0, "the oldest key goes first");
        assert_eq!(state.count("bob"), 1);
        assert_eq!(state.evicted(), 1);
        state.forget("bob");
        assert_eq!(state.bump("dave"), 1);
        assert_eq!(state.count("carol"), 1);
        assert_eq!(
            state.evicted(),
            1,
            "a forgotten key's place is not an eviction"
        );
    }

    #[test]
    fn windows_count_occurrences_close_together_and_start_over_after() {
        let mut state = AuditState::with_capacity(10);
        let second = 1_000_000;
        assert_eq!(state.bump_within("alice", 0, 10 * second), 1);
        assert_eq!(state.bump_within("alice", 5 * second, 10 * second), 2);
        assert_eq!(state.bump_within("alice", 10 * second, 10 * second), 3);
        // Past the window opened at 0: a new one opens.
        assert_eq!(state.bump_within("alice", 11 * second, 10 * second), 1);
        assert_eq!(state.bump_within("alice", 20 * second, 10 * second), 2);
        assert_eq!(state.bump_within("bob", 20 * second, 10 * second), 1);
    }

    #[test]
    fn quiet_keys_expire_once_their_window_closed() {
        let mut state = AuditState::with_capacity(100);
        let second = 1_000_000;
        state.bump_within("alice", 0, 10 * second);
        state.bump_within("bob", 5 * second, 10 * second);
        state.bump("plain");
        // Alice's window closed at 10 s, Bob's closes at 15 s.
        state.bump_within("carol", 12 * second, 10 * second);
        assert_eq!(state.count("alice"), 0, "expired");
        assert_eq!(state.count("bob"), 1, "still open");
        assert_eq!(state.count("plain"), 1, "plain counts never expire");
        assert_eq!(state.expired(), 1);
        assert_eq!(state.evicted(), 0, "expiry is not an eviction");
        // A window that never closes keeps when the key was first seen.
        state.bump_within("first", 3 * second, i64::MAX);
        state.bump_within("first", 90 * second, i64::MAX);
        state.bump_within("other", 900 * second, 10 * second);
        assert_eq!(state.since("first"), Some(3 * second));
        assert_eq!(state.count("first"), 2);
        assert_eq!(state.count("bob"), 0);
        assert_eq!(state.since("plain"), None);
    }

    #[test]
    fn memory_stays_bounded_over_a_long_stream() {
        let mut state = AuditState::with_capacity(100);
        for i in 0..100_000u32 {
            state.bump(&format!("user-{}", i % 1_000));
            if i % 3 == 0 {
                state.forget(&format!("user-{}", (i + 7) % 1_000));
            }
            assert!(state.len() <= 100);
            assert!(state.order.len() <= 200 + 1);
        }
        assert!(state.evicted() > 0);
    }
}
