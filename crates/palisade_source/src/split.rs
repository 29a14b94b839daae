//! Splitting a stream at document markers before parsing.
//!
//! A line that starts with `---` (followed by white space or the end of the line) always starts
//! a new document: YAML forbids document markers inside quoted scalars and flow collections and
//! ends block scalars at them. Splitting first lets documents of one file load in parallel and
//! keeps a syntax error in one document from losing the documents after it.

/// A slice of the stream that starts at a line boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// Byte offset of the chunk in the file.
    pub byte: usize,
    /// 0-based line of the chunk's first line.
    pub line: usize,
    /// Byte offset where the text that is read of the chunk ends: the next chunk, or the end
    /// of a document end marker (`...`) before it. kubectl splits a stream at `---` lines and
    /// decodes the first document of each part, so what follows `...` until the next `---`
    /// is never applied, and is not read either.
    pub end: usize,
}

/// The chunks of `text`, split before every `---` document marker line. Directive lines
/// (`%YAML`, `%TAG`) directly before a marker travel with the document they introduce.
pub fn split_documents(text: &str) -> Vec<Chunk> {
    Chunks::new(text).collect()
}

/// The chunks of a stream one at a time, as [`split_documents`] finds them, without holding
/// them: a file of half a million small documents would otherwise hold 12 MB of bounds. The
/// walk can start at any chunk's start ([`Chunks::from`]), so that parts of a stream are split
/// independently.
#[derive(Debug, Clone)]
pub struct Chunks<'a> {
    text: &'a str,
    /// Where the chunk being walked starts (byte, 0-based line); `None` once the text ends.
    start: Option<(usize, usize)>,
    /// The next line to look at, and its 0-based number.
    pos: usize,
    line: usize,
    /// Start (byte, line) of a run of directive lines directly before the current line.
    directives: Option<(usize, usize)>,
}

impl<'a> Chunks<'a> {
    /// The chunks of the whole stream.
    pub fn new(text: &'a str) -> Self {
        Chunks::from(text, 0, 0)
    }

    /// The chunks from the chunk that starts at byte `byte`, on 0-based line `line`.
    pub fn from(text: &'a str, byte: usize, line: usize) -> Self {
        Chunks {
            text,
            start: Some((byte, line)),
            pos: byte,
            line,
            directives: None,
        }
    }
}

impl Iterator for Chunks<'_> {
    type Item = Chunk;

    fn next(&mut self) -> Option<Chunk> {
        let (byte, line) = self.start?;
        let bytes = self.text.as_bytes();
        let chunk = |next: usize| Chunk {
            byte,
            line,
            end: document_end(self.text, byte, next),
        };
        while self.pos < bytes.len() {
            let pos = self.pos;
            let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
            let content = &bytes[pos..line_end];
            let at = (pos, self.line);
            self.pos = line_end + 1;
            self.line += 1;
            // Only the first bytes of a line matter: markers and directives start at column
            // 0, and anything else at column 0 is content that ends a run of directives.
            match content.first() {
                Some(b'-') if is_document_marker(content) => {
                    let next = self.directives.take().unwrap_or(at);
                    if next.0 > 0 && next.0 != byte {
                        self.start = Some(next);
                        return Some(chunk(next.0));
                    }
                }
                Some(b'%') => {
                    self.directives.get_or_insert(at);
                }
                None | Some(b' ' | b'\t' | b'\r' | b'#') => {}
                Some(_) => self.directives = None,
            }
        }
        self.start = None;
        Some(chunk(bytes.len()))
    }
}

/// The end of the first document end marker line (`...`, alone or before white space or a
/// comment) in `text[start..end]`, or `end` when there is none.
pub fn document_end(text: &str, start: usize, end: usize) -> usize {
    let bytes = &text.as_bytes()[..end];
    let mut pos = start;
    while pos < end {
        let line_end = memchr::memchr(b'\n', &bytes[pos..]).map_or(end, |i| pos + i);
        let line = &bytes[pos..line_end];
        if line.starts_with(b"...")
            && line
                .get(3)
                .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r'))
        {
            return (line_end + 1).min(end);
        }
        pos = line_end + 1;
    }
    end
}

fn is_document_marker(line: &[u8]) -> bool {
    line.starts_with(b"---")
        && line
            .get(3)
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_markers_only() {
        let text = "a: 1\n---\nb: 2\n--- # c\nc: 3\n----\nd: |\n  ---\n";
        let chunks = split_documents(text);
        let starts: Vec<_> = chunks
            .iter()
            .map(|c| (c.line, &text[c.byte..c.byte + 3]))
            .collect();
        assert_eq!(starts, vec![(0, "a: "), (1, "---"), (3, "---")]);
    }

    #[test]
    fn directives_travel_with_their_document() {
        let text = "a: 1\n...\n%YAML 1.1\n---\nb: 2\n";
        let chunks = split_documents(text);
        assert_eq!(chunks.len(), 2);
        assert_eq!(chunks[1].line, 2);
        assert!(text[chunks[1].byte..].starts_with("%YAML"));
    }

    #[test]
    fn leading_marker_does_not_make_an_empty_chunk() {
        let chunks = split_documents("---\na: 1\n");
        assert_eq!(
            chunks,
            vec![Chunk {
                byte: 0,
                line: 0,
                end: 9
            }]
        );
    }

    #[test]
    fn a_walk_from_any_chunk_start_finds_the_chunks_after_it() {
        let text = "a: 1\n---\nb: 2\n...\n%YAML 1.1\n---\nc: 3\n--- # d\nd: 4\n---\n";
        let all = split_documents(text);
        assert_eq!(all.len(), 5);
        for (k, c) in all.iter().enumerate() {
            let rest: Vec<Chunk> = Chunks::from(text, c.byte, c.line).collect();
            assert_eq!(rest, all[k..], "from chunk {k}");
        }
    }

    #[test]
    fn a_chunk_ends_at_its_document_end_marker() {
        let text = "a: 1\n...\nignored: 2\n---\nb: 3\n... # end\nc: 4\n";
        let ends: Vec<&str> = split_documents(text)
            .iter()
            .map(|c| &text[c.byte..c.end])
            .collect();
        assert_eq!(ends, vec!["a: 1\n...\n", "---\nb: 3\n... # end\n"]);
    }
}
