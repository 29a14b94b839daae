//! Untrusted text made safe to print on a terminal.
//!
//! File names, object names, messages, annotations and source lines come from the input, which
//! may be hostile: a newline in a file name forges an `error:` line, an escape sequence rewrites
//! the screen or hides text (colour or not), and a Unicode bidi override reorders what a
//! reviewer reads. Everything text output prints that came from the input goes through
//! [`printable`] (or [`safe_line`] for source lines), which shows such characters as escapes:
//! `\n`, `\x1b`, `\u{202e}`. JSON, SARIF and JUnit are left to their serializers, which escape
//! what their formats require.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::Range;

use palisade_source::{MASK, SecretSpans};

/// Characters that must not reach a terminal as they are: C0 controls, DEL, C1 controls, the
/// Unicode bidi embeddings, overrides, isolates and marks, and the Unicode line and paragraph
/// separators (which some viewers break lines at).
fn unsafe_char(ch: char) -> bool {
    ch.is_control()
        || matches!(
            ch,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Append `ch`, escaped when it is unsafe. `keep_tabs` lets tabs through (indentation in source
/// lines, which the snippet renderer expands; a tab only moves the cursor right).
fn push_char(out: &mut String, ch: char, keep_tabs: bool) {
    if !unsafe_char(ch) || (keep_tabs && ch == '\t') {
        out.push(ch);
        return;
    }
    match ch {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if u32::from(c) < 0x80 => {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` with every control character, bidi control and line separator shown as an escape
/// (`\n`, `\x1b`, `\u{202e}`); borrowed when there is none, which is almost always.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        push_char(&mut out, ch, false);
    }
    Cow::Owned(out)
}

/// A source line as it may be shown: secret values replaced by `****`, unsafe characters
/// escaped. `offset` is the byte offset of the line in the text `secrets` describes.
pub fn safe_line(line: &str, offset: usize, secrets: &SecretSpans) -> String {
    shown_line(line, offset, secrets, 0..0).0
}

/// Where the edges of a span of the raw line land in the shown one.
struct SpanEdges {
    span: Range<usize>,
    start: Option<usize>,
    end: Option<usize>,
}

impl SpanEdges {
    /// Raw byte `at` of the line is about to be written at `shown` bytes of output.
    fn mark(&mut self, at: usize, shown: usize) {
        if self.start.is_none() && at >= self.span.start {
            self.start = Some(shown);
        }
        if self.end.is_none() && at >= self.span.end {
            self.end = Some(shown);
        }
    }
}

/// [`safe_line`], and where the bytes `span` of `line` ended up in it (for underlining).
/// A span edge inside a hidden value moves to the edge of its mask.
pub(crate) fn shown_line(
    line: &str,
    offset: usize,
    secrets: &SecretSpans,
    span: Range<usize>,
) -> (String, Range<usize>) {
    let mut out = String::with_capacity(line.len());
    // Widened to character boundaries, so that no slice below can split a character.
    let floor = |mut i: usize| {
        while !line.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let ceil = |mut i: usize| {
        while !line.is_char_boundary(i) {
            i += 1;
        }
        i
    };
    let hidden = secrets
        .overlapping(offset..offset + line.len())
        .map(|r| floor(r.start.saturating_sub(offset))..ceil((r.end - offset).min(line.len())));
    let mut edges = SpanEdges {
        span,
        start: None,
        end: None,
    };
    let mut at = 0;
    for secret in hidden {
        let secret = secret.start.max(at)..secret.end.max(at);
        for (i, ch) in line[at..secret.start].char_indices() {
            edges.mark(at + i, out.len());
            push_char(&mut out, ch, true);
        }
        edges.mark(secret.start, out.len());
        if edges.start.is_none() && edges.span.start < secret.end {
            edges.start = Some(out.len());
        }
        out.push_str(MASK);
        at = secret.end;
    }
    for (i, ch) in line[at..].char_indices() {
        edges.mark(at + i, out.len());
        push_char(&mut out, ch, true);
    }
    edges.mark(line.len(), out.len());
    let start = edges.start.unwrap_or(out.len());
    let end = edges.end.unwrap_or(out.len()).max(start);
    (out, start..end)
}

/// A writer for line-oriented text output built from input names (RBAC subjects and roles,
/// NetworkPolicy endpoints): the output's own line breaks and tabs pass, every other unsafe
/// character is escaped as [`printable`] does. Use it for text formats only: JSON and YAML
/// writers escape what their formats need.
pub struct TerminalWriter<W: std::io::Write> {
    inner: W,
    /// The start of a character split across writes.
    pending: Vec<u8>,
}

impl<W: std::io::Write> TerminalWriter<W> {
    /// Wrap `inner`.
    pub fn new(inner: W) -> Self {
        TerminalWriter {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: std::io::Write> TerminalWriter<W> {
    fn write_text(&mut self, text: &str) -> std::io::Result<()> {
        let kept = |ch: char| ch == '\n' || ch == '\t' || !unsafe_char(ch);
        if text.chars().all(kept) {
            return self.inner.write_all(text.as_bytes());
        }
        let mut out = String::with_capacity(text.len());
        for ch in text.chars() {
            match ch {
                '\n' | '\t' => out.push(ch),
                _ => push_char(&mut out, ch, false),
            }
        }
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: std::io::Write> std::io::Write for TerminalWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pending.is_empty()
            && let Ok(text) = std::str::from_utf8(buf)
        {
            self.write_text(text)?;
            return Ok(buf.len());
        }
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // A character cut by the end of this write: keep its start for the next one.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
        self.pending.drain(..valid);
        self.write_text(&text)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_become_escapes() {
        assert!(matches!(printable("deploy/app.yaml"), Cow::Borrowed(_)));
        assert_eq!(
            printable("x\nerror: injected.yaml"),
            "x\\nerror: injected.yaml"
        );
        assert_eq!(
            printable("a\x1b[31mred\x07\x7f\u{9b}"),
            "a\\x1b[31mred\\x07\\x7f\\u{9b}"
        );
        assert_eq!(
            printable("admin\u{202e}lmth.exe\u{2066}\t\r"),
            "admin\\u{202e}lmth.exe\\u{2066}\\t\\r"
        );
        assert_eq!(printable("naïve – ünïcödé"), "naïve – ünïcödé");
    }

    #[test]
    fn the_writer_keeps_line_breaks_and_escapes_the_rest() {
        use std::io::Write;
        let mut out = Vec::new();
        let mut w = TerminalWriter::new(&mut out);
        let name = "a\u{1b}[2Jb\u{202e}";
        writeln!(w, "subject\tUser/{name}").unwrap();
        // A character split across writes arrives whole.
        let bytes = "ü\n".as_bytes();
        w.write_all(&bytes[..1]).unwrap();
        w.write_all(&bytes[1..]).unwrap();
        w.flush().unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "subject\tUser/a\\x1b[2Jb\\u{202e}\nü\n"
        );
    }

    #[test]
    fn source_lines_hide_secrets_and_keep_the_span() {
        let text = "x\n  env: [{name: P, value: hunter2}], privileged: true\n";
        let offset = 2;
        let line = &text[offset..text.len() - 1];
        let secret = text.find("hunter2").unwrap();
        let secrets = SecretSpans::new(std::iter::once(secret..secret + 7));
        let at = line.find("privileged").unwrap();
        let (shown, span) = shown_line(line, offset, &secrets, at..at + 10);
        assert_eq!(shown, "  env: [{name: P, value: ****}], privileged: true");
        assert_eq!(&shown[span], "privileged");
        // An edge inside the hidden value moves to the mask.
        let inside = line.find("hunter2").unwrap() + 2;
        let (_, span) = shown_line(line, offset, &secrets, inside..inside + 1);
        assert_eq!(&shown[span], "****");
        // A value that starts on an earlier line is hidden from the line start.
        let secrets = SecretSpans::new(std::iter::once(0..offset + 5));
        assert_eq!(
            safe_line(line, offset, &secrets),
            "****: [{name: P, value: hunter2}], privileged: true"
        );
        assert_eq!(
            safe_line("\tkey: \x1b]0;title\x07", 0, &SecretSpans::default()),
            "\tkey: \\x1b]0;title\\x07"
        );
    }
}
