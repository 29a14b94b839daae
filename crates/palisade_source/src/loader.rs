//! The bounded loader: parser events to [`Document`]s, with Kubernetes' scalar reading.

use std::borrow::Cow;
use std::collections::HashSet;

use granit_parser::{Event, Marker, Options, Parser, ScalarStyle, Span};
use rayon::prelude::*;

use crate::scalar::resolve_plain;
use crate::split::{Chunk, Chunks, split_documents};
use crate::tree::{Document, Entry, Node, NodeId, Pos, Value, Warning};

/// Resource limits for one stream. Hitting one is an input error for that document, never a
/// crash or an unbounded allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum nesting of collections.
    pub max_depth: usize,
    /// Maximum number of nodes a document may expand to through aliases.
    pub max_expanded_nodes: u64,
    /// Files larger than this are split into documents and loaded in parallel.
    pub parallel_threshold: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 128,
            max_expanded_nodes: 1_000_000,
            parallel_threshold: 256 * 1024,
        }
    }
}

/// A syntax error or a limit hit, with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What went wrong.
    pub message: String,
}

fn parser_options(limits: &Limits) -> Options {
    let mut options = Options::default();
    options.flow_nesting_limit = limits.max_depth;
    options.block_nesting_limit = limits.max_depth;
    options
}

/// Load every document of a YAML (or JSON) stream. Each result is one document, in order; a
/// syntax error loses only the document it is in.
pub fn parse_stream<'a>(text: &'a str, limits: &Limits) -> Vec<Result<Document<'a>, ParseError>> {
    map_documents(text, limits, |doc| doc)
}

/// Load every document and hand each to `f` as soon as it is built, so that only the documents
/// being processed are held in memory. Outputs come back in document order. Large streams are
/// loaded in parallel, one chunk per `---` document.
pub fn map_documents<'a, T, F>(text: &'a str, limits: &Limits, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(Result<Document<'a>, ParseError>) -> T + Sync,
{
    let chunks = split_documents(text);
    if text.len() >= limits.parallel_threshold && chunks.len() > 1 {
        // Every chunk after the first starts with `---` and normally holds one document, so its
        // first document's index is known before parsing; the guess is checked afterwards.
        let preamble_only = !has_content(&text[chunks[0].byte..chunks[0].end]);
        let per_chunk: Vec<(usize, usize, Vec<T>)> = chunks
            .par_iter()
            .enumerate()
            .map(|(k, &chunk)| {
                let first = if preamble_only {
                    k.saturating_sub(1)
                } else {
                    k
                };
                let mut out = Vec::new();
                let count = parse_chunk(text, chunk, limits, first, &mut |doc| out.push(f(doc)));
                (first, count, out)
            })
            .collect();
        let mut next = 0;
        let consistent = per_chunk.iter().all(|(first, count, _)| {
            let ok = *first == next;
            next += count;
            ok
        });
        if consistent {
            return per_chunk.into_iter().flat_map(|(_, _, out)| out).collect();
        }
        // A chunk held several documents (`...` separators): number them sequentially instead.
    }
    let mut out = Vec::new();
    let mut next = 0;
    for &chunk in &chunks {
        next += parse_chunk(text, chunk, limits, next, &mut |doc| out.push(f(doc)));
    }
    out
}

/// Load every document and fold each into an accumulator as soon as it is built, so that
/// neither the trees nor a per-document result outlive the document: memory holds what `fold`
/// keeps. Large streams are loaded in parallel, one chunk per `---` document, into one
/// accumulator per worker (`identity`), combined with `reduce`; documents therefore reach
/// `fold` in no particular order, each with its index in the stream.
pub fn fold_documents<'a, A, I, F, R>(
    text: &'a str,
    limits: &Limits,
    identity: I,
    fold: F,
    reduce: R,
) -> A
where
    A: Send,
    I: Fn() -> A + Sync + Send,
    F: Fn(&mut A, Result<Document<'a>, ParseError>) + Sync + Send,
    R: Fn(A, A) -> A + Sync + Send,
{
    // The chunks are found twice rather than held: once to count them and remember where every
    // GROUP-th starts, once per group while parsing.
    const GROUP: usize = 32;
    let mut starts = Vec::new();
    let mut count = 0;
    let mut first_chunk = None;
    if text.len() >= limits.parallel_threshold {
        for (k, chunk) in Chunks::new(text).enumerate() {
            if k % GROUP == 0 {
                starts.push((k, chunk.byte, chunk.line));
            }
            first_chunk.get_or_insert(chunk);
            count = k + 1;
        }
    }
    if let Some(first_chunk) = first_chunk.filter(|_| count > 1) {
        // As in `map_documents`: chunk k holds document k (k - 1 after a preamble without
        // content); the guess holds when every chunk gives exactly the one result expected.
        let preamble_only = !has_content(&text[first_chunk.byte..first_chunk.end]);
        let (acc, consistent) = starts
            .par_iter()
            .fold(
                || (identity(), true),
                |(mut acc, mut consistent), &(k0, byte, line)| {
                    let chunks = Chunks::from(text, byte, line).take(GROUP);
                    for (k, chunk) in (k0..).zip(chunks) {
                        let (first, expected) = match (k, preamble_only) {
                            (0, true) => (0, 0),
                            (_, true) => (k - 1, 1),
                            _ => (k, 1),
                        };
                        let count =
                            parse_chunk(text, chunk, limits, first, &mut |doc| fold(&mut acc, doc));
                        consistent &= count == expected;
                    }
                    (acc, consistent)
                },
            )
            .reduce(
                || (identity(), true),
                |(a, x), (b, y)| (reduce(a, b), x && y),
            );
        if consistent {
            return acc;
        }
        // A chunk held several documents or none: number them sequentially instead.
    }
    let mut acc = identity();
    let mut next = 0;
    for chunk in Chunks::new(text) {
        next += parse_chunk(text, chunk, limits, next, &mut |doc| fold(&mut acc, doc));
    }
    acc
}

/// Whether a stream prefix holds anything but blank lines, comments and directives.
fn has_content(prefix: &str) -> bool {
    prefix.lines().any(|l| {
        let t = l.trim_start();
        !(t.is_empty() || t.starts_with('#') || l.starts_with('%'))
    })
}

/// Parse without building anything and return the number of events: the parse-only
/// baseline the benchmark compares a full scan against.
pub fn count_events(text: &str, limits: &Limits) -> Result<usize, ParseError> {
    let chunks = split_documents(text);
    let mut total = 0;
    for &chunk in &chunks {
        let mut parser =
            Parser::new_from_str_with_options(&text[chunk.byte..chunk.end], parser_options(limits));
        while let Some(event) = parser.next_event() {
            event.map_err(|e| scan_error(&e, chunk, limits))?;
            total += 1;
        }
    }
    Ok(total)
}

fn scan_error(e: &granit_parser::ScanError, chunk: Chunk, limits: &Limits) -> ParseError {
    let m = e.marker();
    let mut message = e.info();
    if message.contains("recursion limit") {
        message = format!("nesting deeper than {} levels", limits.max_depth);
    }
    ParseError {
        line: u32::try_from(m.line() + chunk.line).unwrap_or(u32::MAX),
        column: u32::try_from(m.col() + 1).unwrap_or(u32::MAX),
        message,
    }
}

/// Parse one chunk, numbering its documents from `first`; returns how many results it gave.
fn parse_chunk<'a>(
    text: &'a str,
    chunk: Chunk,
    limits: &Limits,
    first: usize,
    sink: &mut dyn FnMut(Result<Document<'a>, ParseError>),
) -> usize {
    let input = &text[chunk.byte..chunk.end];
    let mut results: Vec<Result<Document<'a>, ParseError>> = Vec::new();
    let parser = Parser::new_from_str_with_options(input, parser_options(limits));
    let relaxable = build_documents(parser, |e| e, chunk, limits, first, &mut results);
    if relaxable && let Some(patched) = as_kubernetes_reads(input, limits) {
        results.clear();
        let parser = Parser::new_from_str_with_options(&patched, parser_options(limits));
        build_documents(parser, |e| owned(e), chunk, limits, first, &mut results);
    }
    let count = results.len();
    results.into_iter().for_each(sink);
    count
}

/// Feed a parser's events (through `convert`) to a builder, pushing each document or the
/// error that ends the chunk. Returns whether that error is one of the places where the
/// parser is stricter than go-yaml and a rewrite of the text can help.
fn build_documents<'i, 'a>(
    mut parser: Parser<'i, granit_parser::StrInput<'i>>,
    convert: impl Fn(Event<'i>) -> Event<'a>,
    chunk: Chunk,
    limits: &Limits,
    first: usize,
    out: &mut Vec<Result<Document<'a>, ParseError>>,
) -> bool {
    let mut builder = Builder::new(chunk, *limits);
    while let Some(next) = parser.next_event() {
        let result = match next {
            Ok((event, span)) => match builder.event(convert(event), span) {
                Ok(Some(mut doc)) => {
                    doc.index = u32::try_from(first + out.len()).unwrap_or(u32::MAX);
                    Ok(doc)
                }
                Ok(None) => continue,
                Err(err) => Err(err),
            },
            Err(e) => {
                out.push(Err(scan_error(&e, chunk, limits)));
                return matches!(
                    e.kind(),
                    granit_parser::ErrorKind::TabInBlockIndentation
                        | granit_parser::ErrorKind::BomInsideDocument
                );
            }
        };
        let failed = result.is_err();
        out.push(result);
        if failed {
            break;
        }
    }
    false
}

/// An event that owns its text, for events of a rewritten copy of the input.
fn owned(event: Event<'_>) -> Event<'static> {
    let tag = |t: Option<Cow<'_, granit_parser::Tag>>| t.map(|t| Cow::Owned(t.into_owned()));
    match event {
        Event::StreamStart => Event::StreamStart,
        Event::StreamEnd => Event::StreamEnd,
        Event::DocumentStart(explicit, version) => Event::DocumentStart(explicit, version),
        Event::DocumentEnd => Event::DocumentEnd,
        Event::Alias(id) => Event::Alias(id),
        Event::Anchor(id, name) => Event::Anchor(id, Cow::Owned(name.into_owned())),
        Event::UnresolvedAlias(name) => Event::UnresolvedAlias(Cow::Owned(name.into_owned())),
        Event::Scalar(text, style, anchor, t) => {
            Event::Scalar(Cow::Owned(text.into_owned()), style, anchor, tag(t))
        }
        Event::SequenceStart(style, anchor, t) => Event::SequenceStart(style, anchor, tag(t)),
        Event::SequenceEnd => Event::SequenceEnd,
        Event::MappingStart(style, anchor, t) => Event::MappingStart(style, anchor, tag(t)),
        Event::MappingEnd => Event::MappingEnd,
        // Presentation events the builder ignores.
        _ => Event::StreamStart,
    }
}

/// The chunk rewritten where the parser is stricter than go-yaml, which reads manifests for
/// kubectl and the API server, without moving any byte, line or column that matters:
/// - a byte-order mark at the start of the line after the `---` marker (kubectl strips it from
///   every document) moves before the marker, where a stream may start with one;
/// - tabs in the indentation of lines inside a flow collection (`args: [` then a
///   tab-indented `"-x",`) become spaces: go-yaml skips tabs as white space in flow context,
///   while the parser takes them for block indentation.
///
/// `None` when nothing changes.
fn as_kubernetes_reads(input: &str, limits: &Limits) -> Option<String> {
    let mut patched = input.to_string();
    if input.starts_with("---")
        && let Some(nl) = input.find('\n')
        && input[nl + 1..].starts_with('\u{FEFF}')
    {
        let bom = '\u{FEFF}'.len_utf8();
        patched = format!("\u{FEFF}{}{}", &input[..=nl], &input[nl + 1 + bom..]);
    }
    if patched.contains('\t') {
        // Where the flow collections are: read from a copy with every indentation tab made a
        // space, then relax only the lines that start inside one.
        let relaxed = map_indentation(&patched, |_| true);
        let regions = flow_regions(&relaxed, limits)?;
        // The outermost flow collections are disjoint and in document order: the one a line
        // may start in is the last that opens before it.
        patched = map_indentation(&patched, |first| {
            let before = regions.partition_point(|&(open, _)| open < first);
            before > 0 && first <= regions[before - 1].1
        });
    }
    (patched != input).then_some(patched)
}

/// The text with the tabs in the indentation of the lines for which `relax(offset of the
/// line's first other character)` holds turned into spaces.
fn map_indentation(text: &str, relax: impl Fn(usize) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        if line[..indent].contains('\t') && relax(offset + indent) {
            out.push_str(&line[..indent].replace('\t', " "));
            out.push_str(&line[indent..]);
        } else {
            out.push_str(line);
        }
        offset += line.len();
    }
    out
}

/// The byte ranges (opening bracket, closing bracket) of the outermost flow collections of a
/// text, or `None` when it does not parse.
fn flow_regions(text: &str, limits: &Limits) -> Option<Vec<(usize, usize)>> {
    let mut parser = Parser::new_from_str_with_options(text, parser_options(limits));
    let mut styles: Vec<granit_parser::StructureStyle> = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    let mut regions = Vec::new();
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let at = span.start.byte_offset().unwrap_or(span.start.index());
        match event {
            Event::SequenceStart(style, ..) | Event::MappingStart(style, ..) => {
                if style == granit_parser::StructureStyle::Flow && open.is_none() {
                    open = Some((at, styles.len()));
                }
                styles.push(style);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                styles.pop();
                if let Some((start, depth)) = open
                    && styles.len() == depth
                {
                    regions.push((start, at));
                    open = None;
                }
            }
            _ => {}
        }
    }
    Some(regions)
}

struct Frame<'a> {
    node: NodeId,
    is_map: bool,
    scratch_start: usize,
    pending_key: Option<(Cow<'a, str>, Pos, bool)>,
    /// Merge-key (`<<`) values, each with the number of explicit entries written before it.
    merges: Vec<(usize, NodeId)>,
    weight: u64,
}

/// Turns one chunk's events into documents.
struct Builder<'a> {
    chunk: Chunk,
    limits: Limits,
    doc: Document<'a>,
    stack: Vec<Frame<'a>>,
    scratch_children: Vec<NodeId>,
    scratch_entries: Vec<Entry<'a>>,
    /// Anchor id -> node, and the expanded size of every node (for the alias budget).
    anchors: Vec<Option<NodeId>>,
    weights: Vec<u64>,
    open: Vec<bool>,
}

impl<'a> Builder<'a> {
    fn new(chunk: Chunk, limits: Limits) -> Self {
        Builder {
            chunk,
            limits,
            doc: Document::default(),
            stack: Vec::new(),
            scratch_children: Vec::new(),
            scratch_entries: Vec::new(),
            anchors: Vec::new(),
            weights: Vec::new(),
            open: Vec::new(),
        }
    }

    fn pos(&self, m: &Marker) -> Pos {
        Pos {
            byte: u32::try_from(m.byte_offset().unwrap_or(m.index()) + self.chunk.byte)
                .unwrap_or(u32::MAX),
            line: u32::try_from(m.line() + self.chunk.line).unwrap_or(u32::MAX),
            col: u32::try_from(m.col()).unwrap_or(u32::MAX),
        }
    }

    fn error(&self, m: &Marker, message: impl Into<String>) -> ParseError {
        let p = self.pos(m);
        ParseError {
            line: p.line,
            column: p.col + 1,
            message: message.into(),
        }
    }

    fn event(&mut self, event: Event<'a>, span: Span) -> Result<Option<Document<'a>>, ParseError> {
        match event {
            Event::DocumentStart(..) => {
                self.doc = Document::default();
                self.anchors.clear();
                self.weights.clear();
                self.open.clear();
            }
            Event::DocumentEnd => return Ok(Some(std::mem::take(&mut self.doc))),
            Event::Scalar(text, style, anchor, tag) => {
                if self.expecting_key() {
                    let is_merge = style == ScalarStyle::Plain && text == "<<";
                    let pos = self.pos(&span.start);
                    if let Some(frame) = self.stack.last_mut() {
                        frame.pending_key = Some((text, pos, is_merge));
                    }
                    if anchor != 0 {
                        // An anchored key can only be aliased as a key again; record a scalar.
                        self.anchors_set(anchor, None);
                    }
                    return Ok(None);
                }
                let value = match (style, tag.as_deref().and_then(|t| t.core_suffix())) {
                    (_, Some("str")) => Value::Str(text),
                    (ScalarStyle::Plain, _) | (_, Some("int" | "float" | "bool" | "null")) => {
                        resolve_plain(text)
                    }
                    _ => Value::Str(text),
                };
                let id = self.push_node(value, &span);
                self.weights.push(1);
                self.open.push(false);
                if anchor != 0 {
                    self.anchors_set(anchor, Some(id));
                }
                self.attach(id, 1, &span)?;
            }
            Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                let is_map = matches!(event, Event::MappingStart(..));
                if self.expecting_key() {
                    return Err(self.error(
                        &span.start,
                        "a mapping key must be a scalar (is this a template?)",
                    ));
                }
                if self.stack.len() >= self.limits.max_depth {
                    return Err(self.error(
                        &span.start,
                        format!("nesting deeper than {} levels", self.limits.max_depth),
                    ));
                }
                let id = self.push_node(Value::Null, &span);
                self.weights.push(1);
                self.open.push(true);
                if anchor != 0 {
                    self.anchors_set(anchor, Some(id));
                }
                let scratch_start = if is_map {
                    self.scratch_entries.len()
                } else {
                    self.scratch_children.len()
                };
                self.stack.push(Frame {
                    node: id,
                    is_map,
                    scratch_start,
                    pending_key: None,
                    merges: Vec::new(),
                    weight: 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(self.error(&span.start, "unbalanced collection end"));
                };
                let value = if frame.is_map {
                    self.finish_map(&frame)?
                } else {
                    let start = u32::try_from(self.doc.children.len()).unwrap_or(u32::MAX);
                    self.doc
                        .children
                        .extend(self.scratch_children.drain(frame.scratch_start..));
                    let len = u32::try_from(self.doc.children.len()).unwrap_or(u32::MAX) - start;
                    Value::Seq { start, len }
                };
                let end = self.pos(&span.end);
                let node = &mut self.doc.nodes[frame.node as usize];
                node.value = value;
                node.end = end;
                self.weights[frame.node as usize] = frame.weight;
                self.open[frame.node as usize] = false;
                self.attach(frame.node, frame.weight, &span)?;
            }
            Event::Alias(anchor) => {
                let target = self.anchors.get(anchor).copied().flatten();
                let Some(target) = target else {
                    return Err(self.error(&span.start, "alias to an unknown or key anchor"));
                };
                if self.open[target as usize] {
                    return Err(self.error(&span.start, "recursive alias"));
                }
                if self.expecting_key() {
                    let Some(key) = self.doc.node(target).scalar_text().map(Cow::into_owned) else {
                        return Err(self.error(&span.start, "a mapping key must be a scalar"));
                    };
                    let pos = self.pos(&span.start);
                    if let Some(frame) = self.stack.last_mut() {
                        frame.pending_key = Some((Cow::Owned(key), pos, false));
                    }
                    return Ok(None);
                }
                let weight = self.weights[target as usize];
                self.attach(target, weight, &span)?;
            }
            _ => {}
        }
        Ok(None)
    }

    fn anchors_set(&mut self, anchor: usize, id: Option<NodeId>) {
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = id;
    }

    fn expecting_key(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|f| f.is_map && f.pending_key.is_none())
    }

    fn push_node(&mut self, value: Value<'a>, span: &Span) -> NodeId {
        let id = u32::try_from(self.doc.nodes.len()).unwrap_or(u32::MAX);
        let start = self.pos(&span.start);
        let end = self.pos(&span.end);
        self.doc.nodes.push(Node { value, start, end });
        id
    }

    /// Hang a finished node on its parent (or make it the root).
    fn attach(&mut self, id: NodeId, weight: u64, span: &Span) -> Result<(), ParseError> {
        let Some(frame) = self.stack.last_mut() else {
            self.doc.root = Some(id);
            return Ok(());
        };
        frame.weight = frame.weight.saturating_add(weight);
        if frame.weight > self.limits.max_expanded_nodes {
            return Err(self.error(
                &span.start,
                format!(
                    "document expands to more than {} nodes through aliases",
                    self.limits.max_expanded_nodes
                ),
            ));
        }
        if frame.is_map {
            match frame.pending_key.take() {
                Some((_, _, true)) => {
                    let before = self.scratch_entries.len() - frame.scratch_start;
                    frame.merges.push((before, id));
                }
                Some((key, key_pos, false)) => self.scratch_entries.push(Entry {
                    key,
                    key_pos,
                    value: id,
                }),
                None => unreachable_key(),
            }
        } else {
            self.scratch_children.push(id);
        }
        Ok(())
    }

    /// Move a mapping's entries into the arena. Keys are written in document order and the
    /// last write wins, as go-yaml decodes them for the API server: a duplicate explicit key
    /// replaces the earlier one (with a warning), a merge key (`<<`) writes every key of the
    /// mapping it names, overriding explicit keys written before it and overridden by those
    /// after it, and a list of mappings is merged from last to first, so the first wins.
    fn finish_map(&mut self, frame: &Frame<'a>) -> Result<Value<'a>, ParseError> {
        let mut explicit: Vec<Entry<'a>> =
            self.scratch_entries.drain(frame.scratch_start..).collect();
        let start = u32::try_from(self.doc.entries.len()).unwrap_or(u32::MAX);
        if frame.merges.is_empty() {
            if explicit.len() > 1 {
                self.dedupe(&mut explicit);
            }
            self.doc.entries.extend(explicit);
        } else {
            if explicit.len() > 1 {
                // Warnings for duplicate explicit keys; the writes below decide the values.
                self.dedupe(&mut explicit.clone());
            }
            let mut sources: Vec<(usize, Vec<NodeId>)> = Vec::new();
            for &(before, source) in &frame.merges {
                let node = self.doc.node(source);
                let maps: Vec<NodeId> = if node.is_map() {
                    vec![source]
                } else if node.is_seq() && node.items().all(|i| i.is_map()) {
                    let mut maps: Vec<NodeId> = node.items().map(|i| i.id()).collect();
                    maps.reverse();
                    maps
                } else {
                    let start = node.start();
                    return Err(ParseError {
                        line: start.line,
                        column: start.col + 1,
                        message: "a merge key (<<) value must be a mapping or a list of mappings"
                            .into(),
                    });
                };
                sources.push((before, maps));
            }
            let mut written: Vec<Entry<'a>> = Vec::new();
            let mut at: std::collections::HashMap<Cow<'a, str>, usize> = Default::default();
            let mut write = |e: Entry<'a>| match at.get(&e.key) {
                Some(&i) => written[i] = e,
                None => {
                    at.insert(e.key.clone(), written.len());
                    written.push(e);
                }
            };
            let mut pending = sources.iter().peekable();
            for (i, e) in explicit.into_iter().enumerate() {
                while let Some((_, maps)) = pending.next_if(|(before, _)| *before <= i) {
                    for &map in maps {
                        self.doc
                            .node(map)
                            .raw_entries()
                            .iter()
                            .cloned()
                            .for_each(&mut write);
                    }
                }
                write(e);
            }
            for (_, maps) in pending {
                for &map in maps {
                    self.doc
                        .node(map)
                        .raw_entries()
                        .iter()
                        .cloned()
                        .for_each(&mut write);
                }
            }
            self.doc.entries.extend(written);
        }
        let len = u32::try_from(self.doc.entries.len()).unwrap_or(u32::MAX) - start;
        Ok(Value::Map { start, len })
    }

    fn dedupe(&mut self, entries: &mut Vec<Entry<'a>>) {
        let has_dup = if entries.len() <= 16 {
            entries
                .iter()
                .enumerate()
                .any(|(i, e)| entries[i + 1..].iter().any(|o| o.key == e.key))
        } else {
            let mut seen = HashSet::with_capacity(entries.len());
            !entries.iter().all(|e| seen.insert(&e.key))
        };
        if !has_dup {
            return;
        }
        let mut kept: Vec<Entry<'a>> = Vec::with_capacity(entries.len());
        for e in entries.drain(..) {
            if let Some(prev) = kept.iter_mut().find(|k| k.key == e.key) {
                self.doc.warnings.push(Warning::DuplicateKey {
                    key: e.key.to_string(),
                    first: prev.key_pos,
                    kept: e.key_pos,
                    dropped: prev.value,
                });
                *prev = e;
            } else {
                kept.push(e);
            }
        }
        *entries = kept;
    }
}

/// The parser never emits a mapping value without a key; keep the builder total anyway.
fn unreachable_key() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Vec<Result<Document<'_>, ParseError>> {
        parse_stream(text, &Limits::default())
    }

    /// (index, first key or error line) of every document, in document order.
    fn outline(
        docs: impl IntoIterator<Item = (usize, Result<String, u32>)>,
    ) -> Vec<(usize, Result<String, u32>)> {
        let mut v: Vec<_> = docs.into_iter().collect();
        v.sort();
        v
    }

    #[test]
    fn folding_in_parallel_gives_each_document_once_with_its_index() {
        let many: String = (0..100).map(|i| format!("---\nn{i}: 1\n")).collect();
        let texts = [
            many.clone(),
            format!("# preamble\n{many}"),
            format!("a: 1\n{many}---\nbad: [\n---\nafter: 1\n"),
            format!("{many}---\nx: 1\n...\n---\ny: 2\n...\n%YAML 1.2\n---\nz: 3\n"),
            // Two documents in one chunk: numbered sequentially instead.
            format!("{many}---\nx: 1\n---\ny: 2\n...\nz: 3\n"),
        ];
        let limits = Limits {
            parallel_threshold: 0,
            ..Limits::default()
        };
        let key = |r: Result<Document<'_>, ParseError>| match r {
            Ok(doc) => (
                doc.index as usize,
                Ok(doc
                    .root()
                    .and_then(|r| r.entries().next().map(|(k, _)| k.to_string()))
                    .unwrap_or_default()),
            ),
            Err(e) => (0, Err(e.line)),
        };
        for text in &texts {
            let sequential = outline(parse_stream(text, &Limits::default()).into_iter().map(key));
            let folded = fold_documents(
                text,
                &limits,
                Vec::new,
                |acc: &mut Vec<_>, doc| acc.push(key(doc)),
                |mut a, b| {
                    a.extend(b);
                    a
                },
            );
            assert_eq!(outline(folded), sequential, "{text}");
            assert!(sequential.len() >= 100);
        }
    }

    #[test]
    fn builds_a_spanned_tree() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    securityContext:\n      privileged: yes\n";
        let docs = load(text);
        let doc = docs[0].as_ref().unwrap();
        let root = doc.root().unwrap();
        assert_eq!(root.get("kind").unwrap().as_str(), Some("Pod"));
        let c = root.path(&["spec", "containers"]).unwrap().at(0).unwrap();
        let sc = c.get("securityContext").unwrap();
        let e = sc.entry("privileged").unwrap();
        assert_eq!((e.key_pos.line, e.key_pos.col), (7, 6));
        assert_eq!(sc.get("privileged").unwrap().as_bool(), Some(true));
    }

    #[test]
    fn multi_document_lines_are_file_relative() {
        let text = "a: 1\n---\nb: 2\n---\n\n\nc: 3\n";
        let docs = load(text);
        assert_eq!(docs.len(), 3);
        let c = docs[2].as_ref().unwrap();
        assert_eq!(c.index, 2);
        let e = c.root().unwrap().entry("c").unwrap();
        assert_eq!(e.key_pos.line, 7);
        assert_eq!(
            c.root().unwrap().get("c").unwrap().start().byte as usize,
            text.find("3\n").unwrap()
        );
    }

    #[test]
    fn a_syntax_error_loses_only_its_document() {
        let text = "a: 1\n---\nb: [1, 2\n---\nc: 3\n";
        let docs = load(text);
        assert_eq!(docs.len(), 3);
        assert!(docs[0].is_ok());
        let err = docs[1].as_ref().unwrap_err();
        assert!(err.line >= 3, "{err}");
        assert!(docs[2].is_ok());
    }

    #[test]
    fn duplicate_keys_keep_the_last_and_warn() {
        let docs = load("a: 1\nb: 2\na: 3\n");
        let doc = docs[0].as_ref().unwrap();
        assert_eq!(doc.root().unwrap().get("a").unwrap().as_i64(), Some(3));
        assert_eq!(doc.root().unwrap().entries().len(), 2);
        assert!(
            matches!(&doc.warnings[0], Warning::DuplicateKey { key, first, kept, .. } if key == "a" && first.line == 1 && kept.line == 3)
        );
    }

    #[test]
    fn merge_keys_write_in_document_order_like_go_yaml() {
        let value = |text: &str, key: &str| {
            let docs = load(text);
            let m = docs[0].as_ref().unwrap().root().unwrap().get("m").unwrap();
            m.get(key).and_then(|v| v.as_i64())
        };
        // An explicit key before the merge is overwritten by it; after it, it wins.
        assert_eq!(
            value("b: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b\n", "y"),
            Some(2)
        );
        assert_eq!(
            value("b: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n", "y"),
            Some(3)
        );
        // A list merges from last to first: the first mapping wins, over earlier keys too.
        let list = "x: &x {a: 1}\ny: &y {a: 2, b: 2}\nm:\n  a: 0\n  <<: [*x, *y]\n";
        assert_eq!(value(list, "a"), Some(1));
        assert_eq!(value(list, "b"), Some(2));
        // Two merge keys: the later one wins.
        let two = "x: &x {a: 1}\ny: &y {a: 2}\nm:\n  <<: *x\n  <<: *y\n";
        assert_eq!(value(two, "a"), Some(2));
    }

    #[test]
    fn merge_keys_apply_without_overriding() {
        let docs = load("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = docs[0].as_ref().unwrap().root().unwrap().get("m").unwrap();
        assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(m.get("y").unwrap().as_i64(), Some(3));
        assert_eq!(m.entries().len(), 2);
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        let mut text = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            text.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = n;
        }
        let docs = load(&text);
        let err = docs[0].as_ref().unwrap_err();
        assert!(err.message.contains("expands to more than"), "{err}");
    }

    #[test]
    fn recursive_alias_and_complex_keys_are_errors() {
        assert!(load("a: &a [*a]\n")[0].is_err());
        let err = load("name: {{ .Values.name }}\n")[0].clone().unwrap_err();
        assert!(
            err.message.contains("mapping key must be a scalar"),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(load(&deep)[0].is_err());
        let mut block = String::new();
        for i in 0..20_000 {
            block.push_str(&" ".repeat(i.min(2000)));
            block.push_str("- \n");
        }
        assert!(load(&"- ".repeat(20_000))[0].is_err());
    }

    #[test]
    fn quoted_and_tagged_scalars_stay_strings() {
        let docs = load("a: \"yes\"\nb: !!str 0644\nc: 0644\nd: |\n  on\n");
        let r = docs[0].as_ref().unwrap().root().unwrap();
        assert_eq!(r.get("a").unwrap().as_str(), Some("yes"));
        assert_eq!(r.get("b").unwrap().as_str(), Some("0644"));
        assert_eq!(r.get("c").unwrap().as_i64(), Some(420));
        assert_eq!(r.get("d").unwrap().as_str(), Some("on\n"));
    }

    #[test]
    fn json_loads_too() {
        let docs = load("{\"kind\": \"Pod\", \"spec\": {\"hostPID\": true}}");
        let r = docs[0].as_ref().unwrap().root().unwrap();
        assert_eq!(r.path(&["spec", "hostPID"]).unwrap().as_bool(), Some(true));
    }

    #[test]
    fn parallel_loading_numbers_documents_like_sequential() {
        let limits = Limits {
            parallel_threshold: 1,
            ..Limits::default()
        };
        let sequential = Limits {
            parallel_threshold: usize::MAX,
            ..Limits::default()
        };
        for text in [
            "# licence\n---\na: 1\n---\nb: 2\n---\nc: [1\n---\nd: 4\n",
            "a: 1\n---\nb: 2\n...\nc: 3\n---\nd: 4\n",
            "---\na: 1\n---\n---\nb: 2\n",
        ] {
            let index = |l: &Limits| -> Vec<Option<u32>> {
                parse_stream(text, l)
                    .iter()
                    .map(|d| d.as_ref().ok().map(|d| d.index))
                    .collect()
            };
            assert_eq!(index(&limits), index(&sequential), "{text:?}");
        }
        let docs = parse_stream("# c\n---\na: 1\n---\nb: 2\n", &limits);
        assert_eq!(
            docs.iter()
                .map(|d| d.as_ref().unwrap().index)
                .collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn count_events_matches_a_parse() {
        assert!(count_events("a: [1, 2]\n---\nb: 1\n", &Limits::default()).unwrap() > 6);
    }
}
