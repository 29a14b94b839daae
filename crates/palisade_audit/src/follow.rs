//! Following a live audit log as `tail -F` does: read what is appended, and when the log
//! backend rotates the file (renames it and starts a new one, or truncates it in place), finish
//! the old file and go on with the new one from its start. Nothing is read twice and nothing
//! appended before a rotation is lost. The file is polled: this works on every filesystem, a
//! mounted volume included, where change notifications may not arrive.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::Event;
use crate::read::{MAX_LINE, Parsed, ReadError, parse};

/// What following a log yields.
#[derive(Debug)]
pub enum Followed {
    /// An event, with its line in the file it came from.
    Event(Box<Event>, usize),
    /// A line that is not an audit event (or is too long); reading goes on.
    Malformed(ReadError),
    /// The file was replaced by a new one (renamed away) and the new one is now read.
    Rotated,
    /// The file was truncated in place and is now read from its start.
    Truncated,
}

/// A log being followed.
#[derive(Debug)]
pub struct Follow {
    path: PathBuf,
    file: Option<File>,
    identity: Option<FileId>,
    pos: u64,
    line: usize,
    partial: Vec<u8>,
    /// Inside a line longer than [`MAX_LINE`]: its rest is dropped up to the next newline.
    skipping: bool,
    buf: Vec<u8>,
    out: VecDeque<Followed>,
}

/// What identifies a file across renames: device and inode.
type FileId = (u64, u64);

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> FileId {
    (0, 0)
}

impl Follow {
    /// Follow `path`: from its start when `from_start`, else from its end (only what is
    /// appended from now on, as `tail -F -n 0`). A file that does not exist yet is waited
    /// for, and read from its start once it appears.
    pub fn new(path: &Path, from_start: bool) -> std::io::Result<Follow> {
        let mut follow = Follow {
            path: path.to_path_buf(),
            file: None,
            identity: None,
            pos: 0,
            line: 0,
            partial: Vec::new(),
            skipping: false,
            buf: vec![0; 1 << 16],
            out: VecDeque::new(),
        };
        if let Ok(file) = File::open(path) {
            let meta = file.metadata()?;
            follow.identity = Some(identity(&meta));
            follow.file = Some(file);
            if !from_start {
                follow.skip_to_end()?;
            }
        }
        Ok(follow)
    }

    /// The file followed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Start after what the file holds now, counting its lines so that later ones are
    /// numbered as in the file.
    fn skip_to_end(&mut self) -> std::io::Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Ok(());
        };
        let mut lines = 0;
        let mut last = b'\n';
        loop {
            let n = file.read(&mut self.buf)?;
            if n == 0 {
                break;
            }
            lines += memchr::memchr_iter(b'\n', &self.buf[..n]).count();
            last = self.buf[n - 1];
            self.pos += n as u64;
        }
        self.line = lines;
        // A last line without its newline yet is still being written: read it whole later.
        if last != b'\n' {
            let start = self.pos;
            let back = start.min(MAX_LINE as u64 + 1);
            file.seek(SeekFrom::Start(start - back))?;
            let mut tail = vec![0; back as usize];
            file.read_exact(&mut tail)?;
            let cut = memchr::memrchr(b'\n', &tail).map_or(0, |i| i + 1);
            self.partial = tail[cut..].to_vec();
            self.skipping = cut == 0 && back > MAX_LINE as u64;
            if self.skipping {
                self.partial.clear();
            }
        }
        Ok(())
    }

    /// Everything available now: the rest of the current file and, when it was rotated or
    /// truncated, the new content. Empty when nothing was appended (poll again later).
    pub fn poll(&mut self) -> std::io::Result<Vec<Followed>> {
        self.read_current()?;
        // At the end of what the handle sees: has the path moved on?
        match std::fs::metadata(&self.path) {
            Ok(meta) => {
                let id = identity(&meta);
                if self.file.is_none() {
                    self.reopen()?;
                } else if Some(id) != self.identity {
                    // Renamed away: what was appended to the old file before the new one
                    // appeared has been read above; finish its last line and switch.
                    self.read_current()?;
                    self.finish_partial();
                    self.reopen()?;
                    self.out.push_back(Followed::Rotated);
                } else if meta.len() < self.pos {
                    self.finish_partial();
                    self.pos = 0;
                    self.line = 0;
                    if let Some(file) = self.file.as_mut() {
                        file.seek(SeekFrom::Start(0))?;
                    }
                    self.out.push_back(Followed::Truncated);
                }
                self.read_current()?;
            }
            // Renamed and not yet recreated: keep the old handle.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        Ok(self.out.drain(..).collect())
    }

    fn reopen(&mut self) -> std::io::Result<()> {
        match File::open(&self.path) {
            Ok(file) => {
                self.identity = Some(identity(&file.metadata()?));
                self.file = Some(file);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.file = None;
                self.identity = None;
            }
            Err(e) => return Err(e),
        }
        self.pos = 0;
        self.line = 0;
        self.partial.clear();
        self.skipping = false;
        Ok(())
    }

    /// Read the current handle to its end, splitting lines.
    fn read_current(&mut self) -> std::io::Result<()> {
        loop {
            let Some(file) = self.file.as_mut() else {
                return Ok(());
            };
            let n = file.read(&mut self.buf)?;
            if n == 0 {
                return Ok(());
            }
            self.pos += n as u64;
            let chunk = std::mem::take(&mut self.buf);
            self.split(&chunk[..n]);
            self.buf = chunk;
        }
    }

    fn split(&mut self, mut chunk: &[u8]) {
        while let Some(i) = memchr::memchr(b'\n', chunk) {
            let (head, rest) = (&chunk[..i], &chunk[i + 1..]);
            chunk = rest;
            self.line += 1;
            if self.skipping {
                self.skipping = false;
                self.partial.clear();
                continue;
            }
            if self.partial.is_empty() {
                self.take_line(head);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(head);
                self.take_line(&line);
            }
        }
        if self.skipping {
            return;
        }
        self.partial.extend_from_slice(chunk);
        if self.partial.len() > MAX_LINE {
            self.partial.clear();
            self.skipping = true;
            self.out.push_back(Followed::Malformed(ReadError {
                line: self.line + 1,
                message: format!("line longer than {MAX_LINE} bytes"),
            }));
        }
    }

    /// A last line without its newline, when its file is left (rotation, truncation).
    fn finish_partial(&mut self) {
        if !self.partial.is_empty() && !self.skipping {
            self.line += 1;
            let line = std::mem::take(&mut self.partial);
            self.take_line(&line);
        }
        self.partial.clear();
        self.skipping = false;
    }

    fn take_line(&mut self, text: &[u8]) {
        if text.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        let line = self.line;
        match parse(text) {
            Ok(Parsed::One(event)) => self.out.push_back(Followed::Event(event, line)),
            Ok(Parsed::Many(items)) => self.out.extend(
                items
                    .into_iter()
                    .map(|e| Followed::Event(Box::new(e), line)),
            ),
            Err(message) => self
                .out
                .push_back(Followed::Malformed(ReadError { line, message })),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn event(id: &str) -> String {
        format!(
            r#"{{"kind":"Event","auditID":"{id}","stage":"ResponseComplete","verb":"get","requestURI":"/api","user":{{"username":"alice"}}}}"#
        )
    }

    fn ids(items: &[Followed]) -> Vec<String> {
        items
            .iter()
            .map(|f| match f {
                Followed::Event(e, line) => format!("{}@{line}", e.audit_id),
                Followed::Malformed(e) => format!("bad@{}", e.line),
                Followed::Rotated => "rotated".into(),
                Followed::Truncated => "truncated".into(),
            })
            .collect()
    }

    fn append(path: &Path, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn appended_lines_are_read_once_and_partial_lines_wait_for_their_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        append(&path, &format!("{}\n{}\n", event("old1"), event("old2")));
        let mut follow = Follow::new(&path, false).unwrap();
        assert!(follow.poll().unwrap().is_empty(), "starts at the end");
        let half = event("a3");
        let (head, tail) = half.split_at(20);
        append(&path, head);
        assert!(
            follow.poll().unwrap().is_empty(),
            "a line being written waits"
        );
        append(&path, &format!("{tail}\nnot json\n{}\n", event("a5")));
        assert_eq!(ids(&follow.poll().unwrap()), ["a3@3", "bad@4", "a5@5"]);
        assert!(follow.poll().unwrap().is_empty());

        let mut from_start = Follow::new(&path, true).unwrap();
        assert_eq!(
            ids(&from_start.poll().unwrap()),
            ["old1@1", "old2@2", "a3@3", "bad@4", "a5@5"]
        );
    }

    #[test]
    fn rotation_by_rename_finishes_the_old_file_then_reads_the_new_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        append(&path, &format!("{}\n", event("e1")));
        let mut follow = Follow::new(&path, true).unwrap();
        assert_eq!(ids(&follow.poll().unwrap()), ["e1@1"]);
        // Written after the last poll, just before the rotation.
        append(&path, &format!("{}\n", event("e2")));
        std::fs::rename(&path, dir.path().join("audit-2026-12-05.log")).unwrap();
        // Not yet recreated: the old handle is kept.
        assert_eq!(ids(&follow.poll().unwrap()), ["e2@2"]);
        append(&path, &format!("{}\n{}\n", event("n1"), event("n2")));
        assert_eq!(ids(&follow.poll().unwrap()), ["rotated", "n1@1", "n2@2"]);
        // Rotated again between two polls, with lines on both sides of the rename.
        append(&path, &format!("{}\n", event("n3")));
        std::fs::rename(&path, dir.path().join("audit-2.log")).unwrap();
        append(&path, &format!("{}\n", event("m1")));
        assert_eq!(ids(&follow.poll().unwrap()), ["n3@3", "rotated", "m1@1"]);
    }

    #[test]
    fn truncation_in_place_restarts_at_the_top() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        append(&path, &format!("{}\n{}\n", event("e1"), event("e2")));
        let mut follow = Follow::new(&path, true).unwrap();
        assert_eq!(follow.poll().unwrap().len(), 2);
        // copytruncate: the content is copied away, the file emptied and written again.
        std::fs::write(&path, format!("{}\n", event("t1"))).unwrap();
        assert_eq!(ids(&follow.poll().unwrap()), ["truncated", "t1@1"]);
    }

    #[test]
    fn a_file_that_does_not_exist_yet_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let mut follow = Follow::new(&path, false).unwrap();
        assert!(follow.poll().unwrap().is_empty());
        append(&path, &format!("{}\n", event("first")));
        assert_eq!(ids(&follow.poll().unwrap()), ["first@1"]);
    }

    #[test]
    fn an_oversized_line_is_one_error_and_the_next_line_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let mut follow = Follow::new(&path, true).unwrap();
        let mut seen = Vec::new();
        let big = "x".repeat(MAX_LINE + 100);
        for piece in big.as_bytes().chunks(1 << 20) {
            append(&path, std::str::from_utf8(piece).unwrap());
            seen.extend(follow.poll().unwrap());
        }
        append(&path, &format!("\n{}\n", event("after")));
        seen.extend(follow.poll().unwrap());
        assert_eq!(ids(&seen), ["bad@1", "after@2"]);
        assert!(
            follow.partial.is_empty(),
            "memory of the long line is released"
        );
        // Read at once from the start, the same.
        let all = Follow::new(&path, true).unwrap().poll().unwrap();
        assert_eq!(ids(&all), ["bad@1", "after@2"]);
    }
}
