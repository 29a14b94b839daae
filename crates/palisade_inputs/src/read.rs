//! Reading one input with the size, time, binary and encoding checks.
//!
//! Regular files are read directly. Anything else that can be opened (a named pipe, a
//! character device, standard input) may never end, or never even open: `open(2)` on a FIFO
//! blocks until a writer appears. Such streams are opened and read on a helper thread with a
//! deadline, so a hostile or stuck producer costs at most `stream_timeout`; the thread is left
//! blocked when the deadline passes and ends with the process.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use palisade_diagnostics::InputError;

use crate::discover::Candidate;

/// The default bound on reading standard input (and named pipes) to the end: one minute.
pub const DEFAULT_STREAM_TIMEOUT: Duration = Duration::from_secs(60);

/// Bounds on reading one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest input, in bytes (the `max-file-size` setting).
    pub max_size: u64,
    /// Longest to wait for a stream (standard input, or a named pipe or device named
    /// explicitly) to reach its end, counted from when reading starts (`stdin-timeout`).
    pub stream_timeout: Duration,
}

/// Why an input could not be read as text, by kind, so that a front door can answer each its
/// own way (an exit code, an HTTP status). Settings are named by their `palisade.toml` key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// A directory where a file was expected.
    #[error("is a directory")]
    Directory,
    /// A named pipe, socket or device met during a walk.
    #[error("{0}, not a regular file")]
    NotRegular(&'static str),
    /// The system refused (the error's text).
    #[error("cannot read: {0}")]
    Io(String),
    /// The helper thread reading a stream stopped without a result.
    #[error("cannot read {0}: the reader stopped")]
    ReaderStopped(String),
    /// Larger than the `max-file-size` limit (`size` when known before reading).
    #[error("{}over the max-file-size limit of {}", size.map(|n| format!("file is {n} bytes, ")).unwrap_or_else(|| "input is ".into()), human(*limit))]
    TooLarge {
        /// The file's size, when known.
        size: Option<u64>,
        /// The limit.
        limit: u64,
    },
    /// A stream that did not end within the `stdin-timeout` limit.
    #[error("{what} did not end within {} (stdin-timeout)", display_duration(*after))]
    Timeout {
        /// `standard input`, `a named pipe (FIFO)`.
        what: String,
        /// The limit.
        after: Duration,
    },
    /// NUL bytes: not text.
    #[error("binary file (contains NUL bytes), not YAML or JSON")]
    Binary,
    /// Not UTF-8.
    #[error("not valid UTF-8 text")]
    NotUtf8,
}

/// An input that could not be read as text: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct ReadError {
    /// The input as displayed.
    pub path: String,
    /// The line of the first bad byte (binary or encoding errors).
    pub line: Option<u32>,
    /// Why.
    pub kind: ReadErrorKind,
}

impl From<ReadError> for InputError {
    fn from(e: ReadError) -> Self {
        InputError {
            message: e.kind.to_string(),
            path: e.path,
            line: e.line,
            column: None,
        }
    }
}

fn err(path: &str, line: Option<u32>, kind: ReadErrorKind) -> ReadError {
    ReadError {
        path: path.to_string(),
        line,
        kind,
    }
}

fn io(e: std::io::Error) -> ReadErrorKind {
    ReadErrorKind::Io(e.to_string())
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Read a candidate file: at most `max_size` bytes, no NUL bytes, valid UTF-8. A regular file
/// is read directly; a named pipe or device named on the command line is read as a stream
/// (bounded in time); one met during a walk is refused (the walk skips them with a note).
pub fn read_candidate(c: &Candidate, limits: &ReadLimits) -> Result<String, ReadError> {
    let meta = std::fs::metadata(&c.path).map_err(|e| err(&c.display, None, io(e)))?;
    if meta.is_dir() {
        return Err(err(&c.display, None, ReadErrorKind::Directory));
    }
    if !meta.is_file() {
        let kind = file_kind(&meta.file_type());
        if !c.explicit {
            return Err(err(&c.display, None, ReadErrorKind::NotRegular(kind)));
        }
        let path = c.path.clone();
        return read_stream(&c.display, kind, limits, move || std::fs::File::open(path));
    }
    let file = std::fs::File::open(&c.path).map_err(|e| err(&c.display, None, io(e)))?;
    if meta.len() > limits.max_size {
        let kind = ReadErrorKind::TooLarge {
            size: Some(meta.len()),
            limit: limits.max_size,
        };
        return Err(err(&c.display, None, kind));
    }
    let capacity = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
    read_bounded(file, &c.display, limits.max_size, capacity)
}

/// Read standard input with the same checks, giving up after `limits.stream_timeout`.
pub fn read_stdin(limits: &ReadLimits) -> Result<String, ReadError> {
    read_stream(
        "-",
        "standard input",
        limits,
        || Ok(std::io::stdin().lock()),
    )
}

/// Whether standard input carries something piped or redirected in: a pipe, a socket or a
/// regular file, as ripgrep judges it (a terminal or `/dev/null` does not).
pub fn stdin_is_piped() -> bool {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::FileTypeExt;
        // A duplicate of the descriptor: closing it leaves standard input open.
        let Ok(fd) = stdin.as_fd().try_clone_to_owned() else {
            return false;
        };
        std::fs::File::from(fd).metadata().is_ok_and(|m| {
            let t = m.file_type();
            t.is_fifo() || t.is_socket() || t.is_file()
        })
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Standard input for readers that consume it as it arrives (an audit log of any length),
/// with the same bound in time as [`read_stdin`]: read on a helper thread and handed over in
/// chunks, it fails with a `TimedOut` error (once, then ends) when the input has not ended
/// `timeout` after reading started.
pub fn stdin_stream(timeout: Duration) -> DeadlineReader {
    DeadlineReader::spawn(std::io::stdin, "standard input", timeout)
}

/// A stream read on a helper thread, with a deadline for reaching its end. See
/// [`stdin_stream`].
pub struct DeadlineReader {
    chunks: mpsc::Receiver<std::io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    pos: usize,
    deadline: std::time::Instant,
    timeout: Duration,
    what: &'static str,
    done: bool,
}

impl DeadlineReader {
    fn spawn<R, F>(open: F, what: &'static str, timeout: Duration) -> DeadlineReader
    where
        R: Read,
        F: FnOnce() -> R + Send + 'static,
    {
        // A few chunks in flight: the producer waits for the consumer rather than filling
        // memory with a log faster than it is parsed.
        let (tx, chunks) = mpsc::sync_channel(4);
        let spawned = std::thread::Builder::new()
            .name("palisade-stream".into())
            .spawn(move || {
                let mut reader = open();
                loop {
                    let mut chunk = vec![0; 64 * 1024];
                    match reader.read(&mut chunk) {
                        Ok(n) => {
                            chunk.truncate(n);
                            // An empty chunk is the end; a closed receiver means nobody waits.
                            if tx.send(Ok(chunk)).is_err() || n == 0 {
                                return;
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
            });
        DeadlineReader {
            chunks,
            chunk: Vec::new(),
            pos: 0,
            deadline: std::time::Instant::now() + timeout,
            timeout,
            what,
            // A helper thread that could not start reads nothing: the stream ends at once.
            done: spawned.is_err(),
        }
    }
}

impl Read for DeadlineReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.chunk.len() {
            if self.done {
                return Ok(0);
            }
            let left = self
                .deadline
                .saturating_duration_since(std::time::Instant::now());
            match self.chunks.recv_timeout(left) {
                Ok(Ok(chunk)) if chunk.is_empty() => self.done = true,
                Ok(Ok(chunk)) => (self.chunk, self.pos) = (chunk, 0),
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => self.done = true,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    self.done = true;
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        ReadErrorKind::Timeout {
                            what: self.what.to_string(),
                            after: self.timeout,
                        }
                        .to_string(),
                    ));
                }
            }
        }
        let n = out.len().min(self.chunk.len() - self.pos);
        out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Open and read a stream on a helper thread; wait for it at most `limits.stream_timeout`.
fn read_stream<R, F>(
    display: &str,
    what: &str,
    limits: &ReadLimits,
    open: F,
) -> Result<String, ReadError>
where
    R: Read,
    F: FnOnce() -> std::io::Result<R> + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let shown = display.to_string();
    let max = limits.max_size;
    std::thread::Builder::new()
        .name("palisade-stream".into())
        .spawn(move || {
            let result = open()
                .map_err(|e| err(&shown, None, io(e)))
                .and_then(|reader| read_bounded(reader, &shown, max, 64 * 1024));
            // The receiver is gone when the deadline passed: nobody wants the result.
            let _ = tx.send(result);
        })
        .map_err(|e| err(display, None, io(e)))?;
    match rx.recv_timeout(limits.stream_timeout) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(err(
            display,
            None,
            ReadErrorKind::Timeout {
                what: what.to_string(),
                after: limits.stream_timeout,
            },
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(err(
            display,
            None,
            ReadErrorKind::ReaderStopped(what.to_string()),
        )),
    }
}

/// Read a file Palisade reads on its own account (a kustomization, a template, a values file,
/// the text of a file for a snippet): only a regular file of at most `max` bytes, so that a
/// named pipe cannot block Palisade and a device cannot feed it forever. Symbolic links are
/// followed: callers check where they lead first.
pub fn read_regular(path: &Path, max: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{}, not a regular file",
            file_kind(&meta.file_type())
        ));
    }
    if meta.len() > max {
        return Err(format!("over the size limit of {}", human(max)));
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut text = String::new();
    file.take(max)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(text)
}

/// What a file that is not a regular file is, for messages.
pub(crate) fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// `90s` -> `1m30s`, `2s`, `500ms`: durations as the settings are written.
pub fn display_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if !ms.is_multiple_of(1000) {
        return format!("{ms}ms");
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

fn read_bounded(
    reader: impl Read,
    display: &str,
    max_size: u64,
    capacity: usize,
) -> Result<String, ReadError> {
    let mut bytes = Vec::with_capacity(capacity);
    reader
        .take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| err(display, None, io(e)))?;
    if bytes.len() as u64 > max_size {
        let kind = ReadErrorKind::TooLarge {
            size: None,
            limit: max_size,
        };
        return Err(err(display, None, kind));
    }
    decode(bytes, display)
}

/// Check for binary content and UTF-8, reporting the line of the first bad byte.
pub fn decode(bytes: Vec<u8>, display: &str) -> Result<String, ReadError> {
    let line_of = |offset: usize| -> u32 {
        let n = memchr::memchr_iter(b'\n', &bytes[..offset]).count() + 1;
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    if let Some(nul) = memchr::memchr(0, &bytes) {
        return Err(err(display, Some(line_of(nul)), ReadErrorKind::Binary));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.replace_range(..3, "");
            }
            Ok(text)
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let line = line_of_bytes(e.as_bytes(), offset);
            Err(err(display, Some(line), ReadErrorKind::NotUtf8))
        }
    }
}

fn line_of_bytes(bytes: &[u8], offset: usize) -> u32 {
    u32::try_from(bytes[..offset].iter().filter(|&&b| b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    /// A stream that yields `first`, then blocks until `release` is dropped or sent.
    struct Stalled {
        first: Option<Vec<u8>>,
        release: mpsc::Receiver<()>,
    }

    impl std::io::Read for Stalled {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if let Some(first) = self.first.take() {
                out[..first.len()].copy_from_slice(&first);
                return Ok(first.len());
            }
            let _ = self.release.recv();
            Ok(0)
        }
    }

    #[test]
    fn deadline_reader_hands_over_what_arrived_then_times_out_once() {
        let (keep, release) = mpsc::channel::<()>();
        let stalled = Stalled {
            first: Some(b"line 1\n".to_vec()),
            release,
        };
        let mut r =
            DeadlineReader::spawn(move || stalled, "standard input", Duration::from_millis(50));
        let mut got = Vec::new();
        let err = r.read_to_end(&mut got).unwrap_err();
        assert_eq!(got, b"line 1\n");
        assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
        assert!(err.to_string().contains("did not end within"), "{err}");
        // After the deadline the stream ends instead of failing forever.
        let mut rest = Vec::new();
        assert_eq!(r.read_to_end(&mut rest).unwrap(), 0);
        drop(keep);
    }

    #[test]
    fn deadline_reader_reads_a_stream_that_ends() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let source = std::io::Cursor::new(data.clone());
        let mut r =
            DeadlineReader::spawn(move || source, "standard input", Duration::from_secs(60));
        let mut got = Vec::new();
        r.read_to_end(&mut got).unwrap();
        assert_eq!(got, data);
    }

    use super::*;

    fn cand(path: &std::path::Path) -> Candidate {
        Candidate {
            path: path.to_path_buf(),
            display: "x.yaml".into(),
            explicit: true,
        }
    }

    fn limits(max_size: u64) -> ReadLimits {
        ReadLimits {
            max_size,
            stream_timeout: Duration::from_secs(10),
        }
    }

    #[test]
    fn limits_binary_and_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.yaml");
        std::fs::write(&p, "a: 1\n").unwrap();
        assert_eq!(read_candidate(&cand(&p), &limits(100)).unwrap(), "a: 1\n");
        let e = read_candidate(&cand(&p), &limits(3)).unwrap_err();
        assert_eq!(
            e.kind,
            ReadErrorKind::TooLarge {
                size: Some(5),
                limit: 3
            }
        );
        assert_eq!(
            e.to_string(),
            "x.yaml: file is 5 bytes, over the max-file-size limit of 3 bytes"
        );
        std::fs::write(&p, b"a: 1\nb: \x00\x01").unwrap();
        let e = read_candidate(&cand(&p), &limits(100)).unwrap_err();
        assert_eq!((e.line, e.kind), (Some(2), ReadErrorKind::Binary));
        std::fs::write(&p, b"a: 1\n\nb: \xff\xfe").unwrap();
        let e = read_candidate(&cand(&p), &limits(100)).unwrap_err();
        assert_eq!((e.line, &e.kind), (Some(3), &ReadErrorKind::NotUtf8));
        assert_eq!(InputError::from(e).message, "not valid UTF-8 text");
        std::fs::write(&p, "\u{feff}a: 1\n").unwrap();
        assert_eq!(read_candidate(&cand(&p), &limits(100)).unwrap(), "a: 1\n");
    }

    /// A named pipe made with the system's `mkfifo`.
    #[cfg(unix)]
    fn fifo(dir: &Path, name: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("mkfifo runs");
        assert!(status.success(), "mkfifo {}", path.display());
        path
    }

    #[cfg(unix)]
    #[test]
    fn named_pipes_are_streams_bounded_in_time() {
        let dir = tempfile::tempdir().unwrap();
        // No writer ever comes: opening blocks, the deadline does not.
        let silent = fifo(dir.path(), "silent.yaml");
        let bounded = ReadLimits {
            max_size: 100,
            stream_timeout: Duration::from_millis(300),
        };
        let started = std::time::Instant::now();
        let e = read_candidate(&cand(&silent), &bounded).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(
            e.kind.to_string(),
            "a named pipe (FIFO) did not end within 300ms (stdin-timeout)"
        );
        // Let the abandoned reader go: it opens, reads nothing and ends.
        drop(
            std::fs::OpenOptions::new()
                .write(true)
                .open(&silent)
                .unwrap(),
        );
        // Met during a walk, it is refused without being opened.
        let walked = Candidate {
            explicit: false,
            ..cand(&silent)
        };
        let e = read_candidate(&walked, &bounded).unwrap_err();
        assert_eq!(e.kind, ReadErrorKind::NotRegular("a named pipe (FIFO)"));
        // With a writer, a named pipe is read like standard input (`palisade scan <(cmd)`).
        let fed = fifo(dir.path(), "fed.yaml");
        let writer = {
            let fed = fed.clone();
            std::thread::spawn(move || std::fs::write(fed, "a: 1\n"))
        };
        assert_eq!(read_candidate(&cand(&fed), &limits(100)).unwrap(), "a: 1\n");
        writer.join().unwrap().unwrap();
        // A device that never ends is stopped by the size limit.
        let e = read_candidate(&cand(Path::new("/dev/zero")), &limits(100)).unwrap_err();
        assert!(
            matches!(
                e.kind,
                ReadErrorKind::TooLarge {
                    size: None,
                    limit: 100
                }
            ),
            "{e:?}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn renderers_read_only_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let pipe = fifo(dir.path(), "values.yaml");
        let e = read_regular(&pipe, 100).unwrap_err();
        assert_eq!(e, "a named pipe (FIFO), not a regular file");
        let file = dir.path().join("f.yaml");
        std::fs::write(&file, "a: 1\n").unwrap();
        assert_eq!(read_regular(&file, 100).unwrap(), "a: 1\n");
        assert!(read_regular(&file, 2).unwrap_err().contains("size limit"));
    }

    #[test]
    fn durations_are_shown_as_written() {
        assert_eq!(display_duration(Duration::from_secs(60)), "1m");
        assert_eq!(display_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(display_duration(Duration::from_secs(7200)), "2h");
        assert_eq!(display_duration(Duration::from_millis(1500)), "1500ms");
        assert_eq!(display_duration(Duration::ZERO), "0s");
    }
}
