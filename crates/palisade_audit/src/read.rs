//! Readers of audit logs: JSON lines as the log backend writes them (one `Event` per line),
//! `EventList` objects (one per line, as the webhook backend posts them, or one document
//! spread over many lines), plain or gzip-compressed, from a file or standard input. Each
//! yields events in order with bounded memory; a line that is not an event is an error for
//! that line only, and reading goes on.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Deserialize;

use crate::Event;

/// Longest line accepted (an event with a large request body); longer lines are errors.
pub const MAX_LINE: usize = 4 << 20;

/// Largest `EventList` document spread over several lines.
pub const MAX_DOCUMENT: usize = 256 << 20;

/// A line that is not an audit event.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct ReadError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
struct EventList {
    #[serde(default)]
    items: Vec<Event>,
}

/// What one JSON value of a log holds.
#[derive(Debug)]
pub enum Parsed {
    /// An `Event`.
    One(Box<Event>),
    /// The items of an `EventList` (what the webhook backend posts).
    Many(Vec<Event>),
}

/// Read one JSON value of a log: an `Event` or an `EventList`; the error says which it is not.
pub fn parse(text: &[u8]) -> Result<Parsed, String> {
    let event =
        serde_json::from_slice::<Event>(text).map_err(|e| format!("not an audit event: {e}"))?;
    if event.kind != "EventList" {
        return Ok(Parsed::One(Box::new(event)));
    }
    serde_json::from_slice::<EventList>(text)
        .map(|list| Parsed::Many(list.items))
        .map_err(|e| format!("not an audit EventList: {e}"))
}

/// Events of a log, in order.
pub struct Events<R> {
    reader: R,
    line: usize,
    buf: Vec<u8>,
    /// Events of an `EventList` not yet handed out, with its line.
    pending: VecDeque<(usize, Event)>,
    /// Whether an event has been read (a multi-line document can only be the whole input).
    seen: bool,
    /// The line of the event handed out last.
    last_line: usize,
}

/// Read events from `reader`. Blank lines are skipped.
pub fn read_events<R: BufRead>(reader: R) -> Events<R> {
    Events {
        reader,
        line: 0,
        buf: Vec::new(),
        pending: VecDeque::new(),
        seen: false,
        last_line: 0,
    }
}

impl<R: BufRead> Events<R> {
    /// The line the last event came from (the line of its `EventList` for a list's items).
    pub fn event_line(&self) -> usize {
        self.last_line
    }

    fn error(&self, line: usize, message: impl Into<String>) -> Option<Result<Event, ReadError>> {
        Some(Err(ReadError {
            line,
            message: message.into(),
        }))
    }

    /// One value's events: an `Event`, or the items of an `EventList`.
    fn take(&mut self, line: usize, text: &[u8]) -> Option<Result<Event, ReadError>> {
        match parse(text) {
            Err(message) => self.error(line, message),
            Ok(Parsed::One(event)) => {
                self.seen = true;
                self.last_line = line;
                Some(Ok(*event))
            }
            Ok(Parsed::Many(items)) => {
                self.seen = true;
                self.pending.extend(items.into_iter().map(|e| (line, e)));
                self.next()
            }
        }
    }
}

impl<R: BufRead> Iterator for Events<R> {
    type Item = Result<Event, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((line, event)) = self.pending.pop_front() {
            self.last_line = line;
            return Some(Ok(event));
        }
        loop {
            self.buf.clear();
            self.line += 1;
            let line = self.line;
            let read = (&mut self.reader)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut self.buf);
            match read {
                Ok(0) => return None,
                Ok(_) if self.buf.len() > MAX_LINE && !self.buf.ends_with(b"\n") => {
                    // Skip the rest of the oversized line, a bounded piece at a time.
                    let mut rest = Vec::new();
                    loop {
                        rest.clear();
                        match (&mut self.reader)
                            .take(MAX_LINE as u64)
                            .read_until(b'\n', &mut rest)
                        {
                            Ok(0) => break,
                            Ok(_) if rest.ends_with(b"\n") => break,
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                    return self.error(line, format!("line longer than {MAX_LINE} bytes"));
                }
                Ok(_) => {}
                Err(e) => return self.error(line, e.to_string()),
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let text = std::mem::take(&mut self.buf);
            // A document over several lines (a pretty-printed EventList) is the whole input.
            if !self.seen
                && let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&text)
                && e.is_eof()
            {
                let mut document = text;
                let limit = MAX_DOCUMENT.saturating_sub(document.len()) as u64 + 1;
                if let Err(e) = (&mut self.reader).take(limit).read_to_end(&mut document) {
                    return self.error(line, e.to_string());
                }
                if document.len() > MAX_DOCUMENT {
                    return self.error(
                        line,
                        format!("a document over several lines larger than {MAX_DOCUMENT} bytes"),
                    );
                }
                self.line += document.iter().filter(|&&b| b == b'\n').count();
                return self.take(line, &document);
            }
            let out = self.take(line, &text);
            self.buf = text;
            return out;
        }
    }
}

/// Open an audit log: gzip-compressed (by its magic bytes, whatever its name) or plain.
pub fn open(path: &Path) -> std::io::Result<Box<dyn BufRead + Send>> {
    let file = std::fs::File::open(path)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let gzip = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::bufread::MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET_GET: &str = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/prod/secrets/db","user":{"username":"system:serviceaccount:ci:deployer","groups":["system:serviceaccounts"]},"sourceIPs":["10.0.0.7"],"userAgent":"kubectl/v1.35.0","objectRef":{"resource":"secrets","namespace":"prod","name":"db","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":200},"requestReceivedTimestamp":"2026-12-05T10:00:00.000001Z","stageTimestamp":"2026-12-05T10:00:00.250000Z","annotations":{"authorization.k8s.io/decision":"allow"}}"#;

    fn all(text: &[u8]) -> Vec<Result<Event, ReadError>> {
        read_events(text).collect()
    }

    #[test]
    fn events_are_read_line_by_line_and_bad_lines_do_not_stop_the_stream() {
        let log = format!(
            "{SECRET_GET}\n\nnot json\n{}\n",
            r#"{"kind":"Event","stage":"ResponseComplete","verb":"get","requestURI":"/healthz","user":{"username":"alice"}}"#
        );
        let events = all(log.as_bytes());
        assert_eq!(events.len(), 3);
        let first = events[0].as_ref().unwrap();
        assert_eq!(first.user.username, "system:serviceaccount:ci:deployer");
        assert_eq!(
            (first.resource(), first.namespace(), first.name()),
            ("secrets", "prod", "db")
        );
        assert_eq!(first.source_ips, ["10.0.0.7"]);
        assert_eq!(first.user_agent, "kubectl/v1.35.0");
        assert!(first.succeeded() && !first.denied());
        assert_eq!(first.at_micros(), Some(1_796_464_800_250_000));
        assert_eq!(events[1].as_ref().unwrap_err().line, 3);
        let health = events[2].as_ref().unwrap();
        assert_eq!(
            (health.request_uri.as_str(), health.object_ref.is_none()),
            ("/healthz", true)
        );
    }

    #[test]
    fn event_lists_on_one_line_or_many_are_read_item_by_item() {
        let list = format!(
            r#"{{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{{}},"items":[{SECRET_GET},{SECRET_GET}]}}"#
        );
        let log = format!("{list}\n{SECRET_GET}\n");
        let mut events = read_events(log.as_bytes());
        assert!(events.next().unwrap().is_ok());
        assert_eq!(events.event_line(), 1);
        assert!(events.next().unwrap().is_ok());
        assert!(events.next().unwrap().is_ok());
        assert_eq!(events.event_line(), 2);
        assert!(events.next().is_none());

        // Pretty-printed, as a file saved from the webhook backend's request.
        let value: serde_json::Value = serde_json::from_str(&list).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let events = all(pretty.as_bytes());
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(Result::is_ok));
        // A truncated one is one error, not one per line.
        let cut = &pretty[..pretty.len() / 2];
        let events = all(cut.as_bytes());
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].as_ref().unwrap_err().line, 1);
    }

    #[test]
    fn a_line_too_long_is_an_error_and_the_next_line_is_read() {
        let long = format!(
            "{{\"kind\":\"Event\",\"verb\":\"{}\"}}",
            "x".repeat(MAX_LINE + 10)
        );
        let log = format!("{long}\n{SECRET_GET}\n");
        let events = all(log.as_bytes());
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[0].as_ref().unwrap_err().message,
            format!("line longer than {MAX_LINE} bytes")
        );
        assert_eq!(events[1].as_ref().unwrap().audit_id, "a1");
    }

    #[test]
    fn a_100_mb_line_is_one_clear_error_in_bounded_memory() {
        use std::io::Read;
        let next = format!("{SECRET_GET}\n");
        let huge = b"{\"kind\":\"Event\",\"verb\":\""
            .chain(std::io::repeat(b'x').take(100 << 20))
            .chain(&b"\"}\n"[..])
            .chain(next.as_bytes());
        let mut events = read_events(std::io::BufReader::new(huge));
        let first = events.next().unwrap().unwrap_err();
        assert_eq!(first.line, 1);
        assert_eq!(first.message, format!("line longer than {MAX_LINE} bytes"));
        assert!(
            events.buf.capacity() <= 2 * MAX_LINE + 2,
            "no line is held whole"
        );
        assert_eq!(events.next().unwrap().unwrap().audit_id, "a1");
        assert!(events.next().is_none());
    }

    #[test]
    fn gzip_logs_are_recognised_by_their_bytes() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log.1");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        writeln!(gz, "{SECRET_GET}").unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let events: Vec<_> = read_events(open(&path).unwrap()).collect();
        assert_eq!(events.len(), 1);
        assert!(events[0].is_ok());
    }
}
