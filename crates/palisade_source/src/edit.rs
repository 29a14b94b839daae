//! Minimal text edits that change one field of a loaded YAML document and keep everything else
//! (comments, key order, quoting, indentation, other documents) byte for byte.
//!
//! An edit is planned on the tree of the current text and applied to that text; callers apply
//! edits one at a time and reload in between, so that two edits never create the same parent.

use crate::pointer::unescape_pointer_segment;
use crate::tree::{Document, NodeRef, Value};

/// Replace `start..end` (byte offsets) of the text with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    /// First byte replaced.
    pub start: usize,
    /// Byte after the last one replaced (equal to `start` for an insertion).
    pub end: usize,
    /// The new text.
    pub text: String,
}

impl TextEdit {
    /// The text with this edit applied.
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.text.len());
        out.push_str(&text[..self.start]);
        out.push_str(&self.text);
        out.push_str(&text[self.end..]);
        out
    }
}

/// A change to one field, addressed by a JSON pointer from the document root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditOp<'s> {
    /// Make the scalar at `pointer` equal to `value` (a plain YAML scalar), creating missing
    /// mappings on the way.
    Set {
        /// Where.
        pointer: &'s str,
        /// The new value as YAML text.
        value: &'s str,
    },
    /// Make the sequence at `pointer` contain the scalar `value`, creating it when missing.
    Add {
        /// Where.
        pointer: &'s str,
        /// The item as YAML text.
        value: &'s str,
    },
}

/// Why an edit cannot be made mechanically.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// The path runs through a YAML alias or merge key: editing the anchor would change other
    /// objects too.
    #[error("`{0}` comes from a YAML alias or merge key; change it by hand")]
    Alias(String),
    /// The path expects a mapping or a sequence where the document has something else.
    #[error("`{0}` is not a {1} in the document")]
    Shape(String, &'static str),
    /// A list item that does not exist cannot be created.
    #[error("`{0}` names a list item that does not exist")]
    MissingItem(String),
    /// The document is empty.
    #[error("the document is empty")]
    Empty,
}

/// Plan the text edit for `op` on `doc`, loaded from `text`. `Ok(None)` when the document
/// already has the value.
pub fn plan_edit(
    text: &str,
    doc: &Document<'_>,
    op: EditOp<'_>,
) -> Result<Option<TextEdit>, EditError> {
    let (pointer, value) = match op {
        EditOp::Set { pointer, value } | EditOp::Add { pointer, value } => (pointer, value),
    };
    let segments: Vec<String> = if pointer.is_empty() {
        Vec::new()
    } else {
        pointer
            .trim_start_matches('/')
            .split('/')
            .map(|s| unescape_pointer_segment(s).into_owned())
            .collect()
    };
    let root = doc.root().ok_or(EditError::Empty)?;
    let mut node = root;
    // The key of the current node in its mapping (for inserting under an empty value).
    let mut key_col: Option<u32> = None;
    let mut key_line_end: Option<usize> = None;
    let mut key_colon: Option<usize> = None;
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut depth = 0;
    while depth < segments.len() {
        let segment = &segments[depth];
        let next = if node.is_map() {
            node.entry(segment)
                .map(|e| (doc.node(e.value), Some((e.key_pos, e.key.len()))))
        } else if node.is_seq() {
            let index = segment
                .parse::<usize>()
                .map_err(|_| EditError::Shape(prefix(&segments, depth), "mapping"))?;
            let item = node
                .at(index)
                .ok_or_else(|| EditError::MissingItem(prefix(&segments, depth + 1)))?;
            Some((item, None))
        } else {
            None
        };
        let Some((child, key_pos)) = next else {
            break;
        };
        // An alias or merged entry lives outside its parent's text, or before its own key.
        if (child.start().byte < node.start().byte || child.end().byte > node.end().byte)
            || key_pos
                .is_some_and(|(k, _)| k.byte < node.start().byte || child.start().byte < k.byte)
        {
            return Err(EditError::Alias(prefix(&segments, depth + 1)));
        }
        match key_pos {
            Some((k, len)) => {
                key_col = Some(k.col);
                key_line_end = Some(line_end(text, k.byte as usize));
                // The key's own colon (a quoted key may hold colons before it).
                let from = (k.byte as usize + len).min(text.len());
                key_colon = text[from..].find(':').map(|c| from + c + 1);
            }
            None => (key_col, key_line_end, key_colon) = (None, None, None),
        }
        node = child;
        depth += 1;
    }
    let rest = &segments[depth..];
    if let Some(i) = rest.iter().position(|s| s.parse::<usize>().is_ok()) {
        return Err(EditError::MissingItem(prefix(&segments, depth + i + 1)));
    }
    let span = &text[node.start().byte as usize..node.end().byte as usize];
    match (op, rest.is_empty()) {
        (EditOp::Add { .. }, true) if node.is_seq() => Ok(add_item(text, node, value, nl)),
        (EditOp::Add { .. }, true) if !node.is_null() => {
            Err(EditError::Shape(pointer.into(), "list"))
        }
        (_, true) if node.is_map() || node.is_seq() => {
            Err(EditError::Shape(pointer.into(), "scalar"))
        }
        (_, true) => {
            let value = match op {
                EditOp::Add { value, .. } => format!("[{value}]"),
                EditOp::Set { .. } => value.to_string(),
            };
            if span.trim().is_empty() {
                // `key:` with nothing after it (an empty list item has no key to follow).
                let colon = key_colon.ok_or_else(|| EditError::Shape(pointer.into(), "mapping"))?;
                return Ok(Some(insert(colon, format!(" {value}"))));
            }
            if same_scalar(node, &value) {
                return Ok(None);
            }
            Ok(Some(TextEdit {
                start: node.start().byte as usize,
                end: node.end().byte as usize,
                text: value,
            }))
        }
        (_, false) => {
            let leaf = match op {
                EditOp::Add { value, .. } => format!("[{value}]"),
                EditOp::Set { value, .. } => value.to_string(),
            };
            if node.is_map() {
                Ok(Some(add_to_map(text, node, rest, &leaf, nl)))
            } else if node.is_null() {
                if span.trim().is_empty() {
                    // `securityContext:` with no value: a block under the key.
                    let (Some(at), Some(col)) = (key_line_end, key_col) else {
                        return Err(EditError::Shape(prefix(&segments, depth), "mapping"));
                    };
                    let indent = col as usize + 2;
                    Ok(Some(insert(
                        at,
                        format!("{nl}{}", block(rest, &leaf, indent, nl)),
                    )))
                } else {
                    Ok(Some(TextEdit {
                        start: node.start().byte as usize,
                        end: node.end().byte as usize,
                        text: flow(rest, &leaf),
                    }))
                }
            } else {
                Err(EditError::Shape(prefix(&segments, depth), "mapping"))
            }
        }
    }
}

fn prefix(segments: &[String], n: usize) -> String {
    segments[..n.min(segments.len())]
        .iter()
        .map(|s| format!("/{s}"))
        .collect()
}

fn insert(at: usize, text: String) -> TextEdit {
    TextEdit {
        start: at,
        end: at,
        text,
    }
}

fn same_scalar(node: NodeRef<'_, '_>, value: &str) -> bool {
    match (node.value(), value) {
        (Value::Bool(b), "true" | "false") => b.to_string() == value,
        _ => node.scalar_text().is_some_and(|t| t == value),
    }
}

/// The offset of the end of the line holding `offset` (before its line break).
fn line_end(text: &str, offset: usize) -> usize {
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    if end > offset && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// `a:\n  b:\n    c: value` at `indent`.
fn block(keys: &[String], leaf: &str, indent: usize, nl: &str) -> String {
    let mut out = String::new();
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            out.push_str(nl);
        }
        out.push_str(&" ".repeat(indent + 2 * i));
        out.push_str(key);
        out.push(':');
        if i + 1 == keys.len() {
            out.push(' ');
            out.push_str(leaf);
        }
    }
    out
}

/// `{a: {b: value}}`.
fn flow(keys: &[String], leaf: &str) -> String {
    let mut out = leaf.to_string();
    for key in keys.iter().rev() {
        out = format!("{{{key}: {out}}}");
    }
    out
}

/// The end of the text of the last scalar under `node` (its last entry, recursively).
fn last_leaf_end(node: NodeRef<'_, '_>) -> usize {
    let mut node = node;
    loop {
        let next = match node.value() {
            Value::Map { .. } => node.entries().last().map(|(_, v)| v),
            Value::Seq { len, .. } if *len > 0 => node.at(*len as usize - 1),
            _ => None,
        };
        match next {
            Some(child) if child.start().byte >= node.start().byte => node = child,
            _ => return node.end().byte as usize,
        }
    }
}

/// Where a new line goes after the last entry of a block collection.
fn after_last_line(text: &str, node: NodeRef<'_, '_>) -> usize {
    let end = last_leaf_end(node);
    let trimmed = text[..end].trim_end().len();
    line_end(text, trimmed.max(node.start().byte as usize))
}

/// Insert `entry` as the last element of the flow collection opened at `start` and closed by
/// the last `close` before `end`: `{}` -> `{entry}`, `{a: 1}` -> `{a: 1, entry}`, and a
/// trailing comma is reused.
fn flow_append(text: &str, start: usize, end: usize, close: char, entry: &str) -> TextEdit {
    let close = text[..end].rfind(close).unwrap_or(start + 1).max(start + 1);
    let inner = &text[start + 1..close];
    let content = inner.trim_end();
    if content.trim().is_empty() {
        insert(start + 1, entry.to_string())
    } else if content.ends_with(',') {
        insert(start + 1 + content.len(), format!(" {entry}"))
    } else {
        insert(start + 1 + content.len(), format!(", {entry}"))
    }
}

fn add_to_map(text: &str, map: NodeRef<'_, '_>, keys: &[String], leaf: &str, nl: &str) -> TextEdit {
    let start = map.start().byte as usize;
    if text[start..].starts_with('{') {
        let nested = flow(keys, leaf);
        let entry = &nested[1..nested.len() - 1];
        return flow_append(text, start, map.end().byte as usize, '}', entry);
    }
    let indent = map
        .raw_entries()
        .first()
        .map_or(0, |e| e.key_pos.col as usize);
    insert(
        after_last_line(text, map),
        format!("{nl}{}", block(keys, leaf, indent, nl)),
    )
}

fn add_item(text: &str, seq: NodeRef<'_, '_>, value: &str, nl: &str) -> Option<TextEdit> {
    if seq
        .items()
        .any(|i| i.scalar_text().is_some_and(|t| t == value))
    {
        return None;
    }
    let start = seq.start().byte as usize;
    if text[start..].starts_with('[') {
        return Some(flow_append(
            text,
            start,
            seq.end().byte as usize,
            ']',
            value,
        ));
    }
    let first = seq.at(0)?;
    let line_start = text[..first.start().byte as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let dash = text[line_start..first.start().byte as usize]
        .find('-')
        .unwrap_or(0);
    Some(insert(
        after_last_line(text, seq),
        format!("{nl}{}- {value}", " ".repeat(dash)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Limits, parse_stream};

    fn edit(text: &str, op: EditOp<'_>) -> Result<String, EditError> {
        let docs = parse_stream(text, &Limits::default());
        let doc = docs[0].as_ref().unwrap();
        Ok(match plan_edit(text, doc, op)? {
            Some(e) => e.apply(text),
            None => text.to_string(),
        })
    }

    fn set<'a>(pointer: &'a str, value: &'a str) -> EditOp<'a> {
        EditOp::Set { pointer, value }
    }

    const POD: &str = "apiVersion: v1\nkind: Pod # a pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a  # first\n    image: x\n    securityContext:\n      privileged: true   # why\n  - name: b\n    image: y\n";

    #[test]
    fn scalars_are_replaced_in_place() {
        let out = edit(
            POD,
            set("/spec/containers/0/securityContext/privileged", "false"),
        )
        .unwrap();
        assert_eq!(
            out,
            POD.replace("privileged: true   # why", "privileged: false   # why")
        );
        assert_eq!(
            edit(
                POD,
                set("/spec/containers/0/securityContext/privileged", "true")
            )
            .unwrap(),
            POD
        );
    }

    #[test]
    fn missing_fields_are_added_after_their_siblings() {
        let out = edit(
            POD,
            set("/spec/containers/0/securityContext/runAsNonRoot", "true"),
        )
        .unwrap();
        assert_eq!(
            out,
            POD.replace(
                "privileged: true   # why\n",
                "privileged: true   # why\n      runAsNonRoot: true\n"
            )
        );
        let out = edit(
            POD,
            set(
                "/spec/containers/1/securityContext/allowPrivilegeEscalation",
                "false",
            ),
        )
        .unwrap();
        assert_eq!(
            out,
            format!("{POD}    securityContext:\n      allowPrivilegeEscalation: false\n")
        );
        let out = edit(
            POD,
            set(
                "/spec/securityContext/seccompProfile/type",
                "RuntimeDefault",
            ),
        )
        .unwrap();
        assert!(
            out.ends_with("    image: y\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n"),
            "{out}"
        );
    }

    #[test]
    fn flow_and_empty_values() {
        let text = "spec:\n  securityContext: {}\n  x: {a: 1}\n  empty:\n  nil: null\n";
        let out = edit(text, set("/spec/securityContext/runAsNonRoot", "true")).unwrap();
        assert!(
            out.contains("securityContext: {runAsNonRoot: true}\n"),
            "{out}"
        );
        let out = edit(text, set("/spec/x/b/c", "2")).unwrap();
        assert!(out.contains("x: {a: 1, b: {c: 2}}\n"), "{out}");
        let out = edit(text, set("/spec/empty/k", "v")).unwrap();
        assert!(out.contains("  empty:\n    k: v\n  nil"), "{out}");
        let out = edit(text, set("/spec/nil/k", "v")).unwrap();
        assert!(out.contains("nil: {k: v}"), "{out}");
        let out = edit(text, set("/spec/empty", "v")).unwrap();
        assert!(out.contains("  empty: v\n"), "{out}");
    }

    #[test]
    fn list_items_are_added_once() {
        let add = |pointer, value| EditOp::Add { pointer, value };
        let text = "c:\n  drop:\n  - NET_RAW\n  other: [a]\n  flow: [a, b]\n  none: []\n";
        let out = edit(text, add("/c/drop", "ALL")).unwrap();
        assert!(out.contains("  drop:\n  - NET_RAW\n  - ALL\n"), "{out}");
        assert_eq!(edit(text, add("/c/other", "a")).unwrap(), text);
        let out = edit(text, add("/c/flow", "ALL")).unwrap();
        assert!(out.contains("flow: [a, b, ALL]"), "{out}");
        let out = edit(text, add("/c/none", "ALL")).unwrap();
        assert!(out.contains("none: [ALL]"), "{out}");
        let out = edit(text, add("/c/caps/drop", "ALL")).unwrap();
        assert!(out.ends_with("  caps:\n    drop: [ALL]\n"), "{out}");
    }

    #[test]
    fn aliases_and_missing_items_are_refused() {
        let text = "base: &b\n  privileged: true\nc:\n  securityContext: *b\nd:\n  <<: *b\n";
        assert!(matches!(
            edit(text, set("/c/securityContext/privileged", "false")),
            Err(EditError::Alias(_))
        ));
        assert!(matches!(
            edit(text, set("/d/privileged", "false")),
            Err(EditError::Alias(_))
        ));
        assert!(matches!(
            edit(POD, set("/spec/containers/5/image", "z")),
            Err(EditError::MissingItem(_))
        ));
        assert!(matches!(
            edit(POD, set("/spec/containers/0", "z")),
            Err(EditError::Shape(..))
        ));
    }

    #[test]
    fn review_cases_comments_items_anchors_commas_and_crlf() {
        // The key's own colon, not one in a trailing comment.
        let out = edit("a:\n  empty: # see: docs\n", set("/a/empty", "v")).unwrap();
        assert_eq!(out, "a:\n  empty: v # see: docs\n");
        // An anchor earlier under the same parent is an alias, not this key's value.
        let text = "r:\n  limits: &r {cpu: 1}\n  requests: *r\n";
        assert!(matches!(
            edit(text, set("/r/requests/memory", "1Gi")),
            Err(EditError::Alias(_))
        ));
        // An empty list item has no key to write under.
        let text = "c:\n- \n- name: b\n";
        assert!(edit(text, set("/c/0/securityContext/privileged", "false")).is_err());
        // Trailing commas are reused.
        let out = edit("a: {b: 1,}\n", set("/a/c", "2")).unwrap();
        assert_eq!(out, "a: {b: 1, c: 2}\n");
        let out = edit(
            "a: [x,]\n",
            EditOp::Add {
                pointer: "/a",
                value: "y",
            },
        )
        .unwrap();
        assert_eq!(out, "a: [x, y]\n");
        // Windows line endings stay Windows line endings.
        let out = edit("a:\r\n  b: 1\r\n", set("/a/c/d", "2")).unwrap();
        assert_eq!(out, "a:\r\n  b: 1\r\n  c:\r\n    d: 2\r\n");
    }

    #[test]
    fn documents_after_the_edit_are_untouched() {
        let text = "a:\n  b: 1\n---\nc: 2\n";
        let docs = parse_stream(text, &Limits::default());
        let e = plan_edit(text, docs[0].as_ref().unwrap(), set("/a/d", "3"))
            .unwrap()
            .unwrap();
        assert_eq!(e.apply(text), "a:\n  b: 1\n  d: 3\n---\nc: 2\n");
    }
}
