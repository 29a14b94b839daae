//! Where a list's records live: the newest in memory, up to a budget; the older ones, past it,
//! in an unnamed temporary file.
//!
//! An input can have a finding every two bytes, so no in-memory form of its findings stays
//! within a few times its size. Past the budget the records go to a file in the temporary
//! directory (`TMPDIR`), which the system deletes when the process ends, however it ends.
//! Reading them back is sequential (iteration, updates, removals) or by block (random
//! access), and sorting is a merge sort over sorted runs, so memory stays within about twice
//! the budget whatever the number of findings.
//!
//! A failure to write the file keeps the records in memory: nothing is lost, only the bound.
//! A failure to read back or rewrite what was written cannot be undone; the store remembers
//! the first one ([`Store::error`]) and the caller reports it rather than output that misses
//! findings.

use std::cmp::Ordering;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::{Mutex, OnceLock, PoisonError};

use super::tables::Record;

/// Records read or written at once.
const BLOCK: usize = 4096;

/// Records held in memory before the older ones go to a file: 3 MiB.
pub const MEMORY_BUDGET: usize = 64 * 1024;

/// Records read at once from each run during a merge, at least.
const MIN_MERGE_READ: usize = 64;

pub(super) struct Store {
    hot: Vec<Record>,
    cold: Option<Cold>,
    budget: usize,
    error: OnceLock<String>,
}

/// The records in the file, which come before those in memory.
struct Cold {
    len: usize,
    io: Mutex<ColdIo>,
}

struct ColdIo {
    file: File,
    /// The block random access read last, by number.
    block: Option<(usize, Vec<Record>)>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("in_memory", &self.hot.len())
            .field("in_file", &self.cold_len())
            .field("error", &self.error.get())
            .finish()
    }
}

impl Store {
    pub(super) fn new(budget: usize) -> Store {
        Store {
            hot: Vec::new(),
            cold: None,
            budget: budget.max(1),
            error: OnceLock::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.cold_len() + self.hot.len()
    }

    fn cold_len(&self) -> usize {
        self.cold.as_ref().map_or(0, |c| c.len)
    }

    /// Records in the file (for tests and the list's own checks).
    pub(super) fn spilled(&self) -> usize {
        self.cold_len()
    }

    /// The first failure to read back or rewrite the file, if there was one.
    pub(super) fn error(&self) -> Option<&str> {
        self.error.get().map(String::as_str)
    }

    /// Remember `error` as this store's failure (when appending a list that had one).
    pub(super) fn set_error(&self, error: &str) {
        let _ = self.error.set(error.to_string());
    }

    pub(super) fn push(&mut self, record: Record) {
        self.hot.push(record);
        if self.hot.len() >= self.budget {
            self.spill();
        }
    }

    /// Make room in memory for `more` records, growing by at least a quarter rather than
    /// doubling (a doubled buffer can hold twice what it needs at a scan's peak), and never
    /// past the budget.
    pub(super) fn reserve(&mut self, more: usize) {
        let room = self.hot.capacity() - self.hot.len();
        let wanted = more.min(self.budget.saturating_sub(self.hot.len()));
        if wanted > room {
            let grow = wanted.max(self.hot.len() / 4);
            self.hot
                .reserve_exact(grow.min(self.budget.saturating_sub(self.hot.len())));
        }
    }

    pub(super) fn shrink_to_fit(&mut self) {
        self.hot.shrink_to_fit();
    }

    /// Move the records in memory to the end of the file.
    fn spill(&mut self) {
        if self.hot.is_empty() {
            return;
        }
        if self.cold.is_none() {
            match tempfile::tempfile() {
                Ok(file) => {
                    self.cold = Some(Cold {
                        len: 0,
                        io: Mutex::new(ColdIo { file, block: None }),
                    });
                }
                Err(_) => {
                    self.budget = usize::MAX;
                    return;
                }
            }
        }
        let Some(cold) = &mut self.cold else {
            return;
        };
        let io = cold.io.get_mut().unwrap_or_else(PoisonError::into_inner);
        match write_at(&mut io.file, cold.len, &self.hot) {
            Ok(()) => {
                cold.len += self.hot.len();
                self.hot.clear();
            }
            // Keep them, and every later one, in memory.
            Err(_) => self.budget = usize::MAX,
        }
    }

    /// The record at `index`.
    pub(super) fn get(&self, index: usize) -> Option<Record> {
        let cold_len = self.cold_len();
        if index >= cold_len {
            return self.hot.get(index - cold_len).copied();
        }
        let cold = self.cold.as_ref()?;
        let mut io = cold.io.lock().unwrap_or_else(PoisonError::into_inner);
        let number = index / BLOCK;
        if io.block.as_ref().is_none_or(|(n, _)| *n != number) {
            let start = number * BLOCK;
            let mut block = Vec::new();
            if let Err(e) = read_at(&mut io.file, start, BLOCK.min(cold.len - start), &mut block) {
                fail(&self.error, "reading back", &e);
                return None;
            }
            io.block = Some((number, block));
        }
        io.block
            .as_ref()
            .and_then(|(_, block)| block.get(index % BLOCK).copied())
    }

    /// Every record in order, the file's read a block at a time.
    pub(super) fn iter(&self) -> Iter<'_> {
        Iter {
            store: self,
            at: 0,
            block: Vec::new(),
            block_at: 0,
        }
    }

    /// Call `change` on every record, a block at a time, and keep what it leaves; `change`
    /// says whether it changed anything, so that blocks it only read are not written back.
    pub(super) fn update_blocks(&mut self, mut change: impl FnMut(&mut [Record]) -> bool) {
        if let Some(cold) = &mut self.cold {
            let io = cold.io.get_mut().unwrap_or_else(PoisonError::into_inner);
            let done = rewrite(io, cold.len, BLOCK, |at, block| change(block).then_some(at));
            if let Err(e) = done {
                fail(&self.error, "rewriting", &e);
            }
        }
        for block in self.hot.chunks_mut(BLOCK) {
            change(block);
        }
    }

    /// Keep only the records `keep` accepts, in order.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Record) -> bool) {
        if let Some(cold) = &mut self.cold {
            let io = cold.io.get_mut().unwrap_or_else(PoisonError::into_inner);
            // What is kept is written at or before where it was read, after the whole block
            // was read: nothing unread is overwritten.
            let mut written = 0;
            let done = rewrite(io, cold.len, BLOCK, |_, block| {
                block.retain(&mut keep);
                written += block.len();
                Some(written - block.len())
            });
            if let Err(e) = done {
                fail(&self.error, "rewriting", &e);
            }
            cold.len = written;
        }
        self.hot.retain(keep);
    }

    /// Sort by `compare` (unstable, on every core: a scan's findings are sorted on the one
    /// thread that reports them, and comparing subjects of hundreds of thousands of findings
    /// from a cluster is most of that thread's work): in memory when the file holds nothing;
    /// otherwise each budget's worth of records is sorted in memory and the runs are merged
    /// into a new file.
    pub(super) fn sort_by(&mut self, compare: impl Fn(&Record, &Record) -> Ordering + Sync) {
        use rayon::slice::ParallelSliceMut;
        if self.cold.is_none() {
            self.hot.par_sort_unstable_by(compare);
            return;
        }
        let before = self.cold_len();
        self.spill();
        if self.cold_len() == before && !self.hot.is_empty() {
            // The spill failed: the records in memory join the merge from there.
            self.hot.par_sort_unstable_by(&compare);
        }
        let mut compare = |a: &Record, b: &Record| compare(a, b);
        let Some(cold) = &mut self.cold else {
            return;
        };
        let io = cold.io.get_mut().unwrap_or_else(PoisonError::into_inner);
        let mut runs = Vec::new();
        let done = rewrite(io, cold.len, self.budget.min(MEMORY_BUDGET), |at, run| {
            run.par_sort_unstable_by(|a, b| compare(a, b));
            runs.push((at, at + run.len()));
            Some(at)
        });
        if let Err(e) = done {
            fail(&self.error, "sorting", &e);
            return;
        }
        if runs.len() == 1 && self.hot.is_empty() {
            return;
        }
        match merge(&mut io.file, &runs, &self.hot, self.budget, &mut compare) {
            Ok(file) => {
                cold.len += self.hot.len();
                *io = ColdIo { file, block: None };
                self.hot.clear();
            }
            Err(e) => fail(&self.error, "sorting", &e),
        }
    }
}

/// Read the first `len` records of the file `chunk` at a time and hand each chunk, with where
/// it was read, to `step`, which says where to write it back, if anywhere.
fn rewrite(
    io: &mut ColdIo,
    len: usize,
    chunk: usize,
    mut step: impl FnMut(usize, &mut Vec<Record>) -> Option<usize>,
) -> std::io::Result<()> {
    io.block = None;
    let mut buffer = Vec::with_capacity(chunk.min(len));
    let mut at = 0;
    while at < len {
        let n = chunk.min(len - at);
        read_at(&mut io.file, at, n, &mut buffer)?;
        if let Some(to) = step(at, &mut buffer) {
            write_at(&mut io.file, to, &buffer)?;
        }
        at += n;
    }
    Ok(())
}

/// Merge sorted runs of `file` and the sorted records `memory` into a new file.
fn merge(
    file: &mut File,
    runs: &[(usize, usize)],
    memory: &[Record],
    budget: usize,
    compare: &mut impl FnMut(&Record, &Record) -> Ordering,
) -> std::io::Result<File> {
    let mut out = tempfile::tempfile()?;
    let read = (budget / (runs.len() + 1)).clamp(MIN_MERGE_READ, BLOCK);
    let mut heads: Vec<Run> = runs
        .iter()
        .map(|&(start, end)| Run {
            next: start,
            end,
            buffer: Vec::new(),
            at: 0,
        })
        .collect();
    for run in &mut heads {
        run.fill(file, read)?;
    }
    let mut memory = memory.iter().peekable();
    // A binary heap of the runs by their first record, least first.
    let mut heap: Vec<usize> = (0..heads.len())
        .filter(|&i| heads[i].head().is_some())
        .collect();
    for i in (0..heap.len() / 2).rev() {
        sift_down(&mut heap, i, |a, b| less(&heads, a, b, compare));
    }
    let mut pending = Vec::with_capacity(BLOCK);
    let mut written = 0;
    loop {
        let from_file = heap.first().and_then(|&i| heads[i].head().copied());
        let next = match (from_file, memory.peek()) {
            (Some(f), Some(m)) if compare(m, &f) == Ordering::Less => memory.next().copied(),
            (Some(f), _) => {
                let i = heap[0];
                heads[i].at += 1;
                heads[i].fill(file, read)?;
                if heads[i].head().is_none() {
                    let last = heap.len() - 1;
                    heap.swap(0, last);
                    heap.pop();
                }
                sift_down(&mut heap, 0, |a, b| less(&heads, a, b, compare));
                Some(f)
            }
            (None, Some(_)) => memory.next().copied(),
            (None, None) => None,
        };
        let Some(record) = next else { break };
        pending.push(record);
        if pending.len() == BLOCK {
            write_at(&mut out, written, &pending)?;
            written += pending.len();
            pending.clear();
        }
    }
    write_at(&mut out, written, &pending)?;
    Ok(out)
}

/// Whether run `a`'s first record comes before run `b`'s.
fn less(
    heads: &[Run],
    a: usize,
    b: usize,
    compare: &mut impl FnMut(&Record, &Record) -> Ordering,
) -> bool {
    match (heads[a].head(), heads[b].head()) {
        (Some(x), Some(y)) => compare(x, y) == Ordering::Less,
        _ => false,
    }
}

fn fail(error: &OnceLock<String>, doing: &str, e: &std::io::Error) {
    let _ = error.set(format!("{doing} findings kept in a temporary file: {e}"));
}

/// One sorted run of the file being merged, read a little at a time.
struct Run {
    next: usize,
    end: usize,
    buffer: Vec<Record>,
    at: usize,
}

impl Run {
    fn head(&self) -> Option<&Record> {
        self.buffer.get(self.at)
    }

    /// Read the run's next records when its buffer is used up.
    fn fill(&mut self, file: &mut File, read: usize) -> std::io::Result<()> {
        if self.at < self.buffer.len() || self.next >= self.end {
            return Ok(());
        }
        let n = read.min(self.end - self.next);
        read_at(file, self.next, n, &mut self.buffer)?;
        self.next += n;
        self.at = 0;
        Ok(())
    }
}

/// Restore the heap order below `i`, `less` comparing two entries.
fn sift_down(heap: &mut [usize], mut i: usize, mut less: impl FnMut(usize, usize) -> bool) {
    loop {
        let (left, right) = (2 * i + 1, 2 * i + 2);
        let mut least = i;
        if left < heap.len() && less(heap[left], heap[least]) {
            least = left;
        }
        if right < heap.len() && less(heap[right], heap[least]) {
            least = right;
        }
        if least == i {
            return;
        }
        heap.swap(i, least);
        i = least;
    }
}

/// The records in order; see [`Store::iter`].
pub(super) struct Iter<'a> {
    store: &'a Store,
    at: usize,
    block: Vec<Record>,
    block_at: usize,
}

impl Iterator for Iter<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let store = self.store;
        let cold_len = store.cold_len();
        if self.at >= cold_len {
            let record = store.hot.get(self.at - cold_len).copied();
            self.at += usize::from(record.is_some());
            return record;
        }
        let offset = self.at - self.block_at;
        if offset >= self.block.len() {
            let cold = store.cold.as_ref()?;
            let mut io = cold.io.lock().unwrap_or_else(PoisonError::into_inner);
            let n = BLOCK.min(cold_len - self.at);
            if let Err(e) = read_at(&mut io.file, self.at, n, &mut self.block) {
                fail(&store.error, "reading back", &e);
                self.at = store.len();
                return None;
            }
            self.block_at = self.at;
        }
        let record = self.block.get(self.at - self.block_at).copied();
        self.at += 1;
        record
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.store.len().saturating_sub(self.at);
        (left, Some(left))
    }
}

/// Read `n` records from record `index` of `file` into `out`, replacing what it held.
fn read_at(file: &mut File, index: usize, n: usize, out: &mut Vec<Record>) -> std::io::Result<()> {
    out.clear();
    file.seek(SeekFrom::Start(byte_offset(index)))?;
    let mut bytes = [0u8; Record::SIZE * 64];
    let mut left = n;
    while left > 0 {
        let take = left.min(64);
        let chunk = &mut bytes[..take * Record::SIZE];
        file.read_exact(chunk)?;
        out.extend(
            chunk
                .chunks_exact(Record::SIZE)
                .filter_map(|b| b.try_into().ok())
                .map(Record::from_bytes),
        );
        left -= take;
    }
    Ok(())
}

/// Write `records` at record `index` of `file`.
fn write_at(file: &mut File, index: usize, records: &[Record]) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(byte_offset(index)))?;
    let mut bytes = [0u8; Record::SIZE * 64];
    for chunk in records.chunks(64) {
        for (slot, record) in bytes.chunks_exact_mut(Record::SIZE).zip(chunk) {
            slot.copy_from_slice(&record.to_bytes());
        }
        file.write_all(&bytes[..chunk.len() * Record::SIZE])?;
    }
    Ok(())
}

fn byte_offset(index: usize) -> u64 {
    // usize is at most 64 bits on every supported target, and a record count times 48 fits:
    // the file could not hold more.
    (index as u64).saturating_mul(Record::SIZE as u64)
}
