//! JSON text straight into a [`Document`], with no `serde_json::Value` in between: a live
//! cluster's objects and a snapshot's lines arrive as text by the hundred thousand, and a
//! `Value` tree built, converted and dropped per object was a third of such a scan.
//!
//! The document is the one [`Document::from_json`] builds from the parsed value: strings are
//! borrowed from the text where they hold no escape, a mapping's keys are in sorted order
//! and a repeated key keeps its last value (as `serde_json`'s map does), integers that fit
//! 64 bits are integers, and nodes have no place in a text.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};

use crate::tree::{Document, Entry, Node, NodeId, Pos, Value};

/// JSON text that cannot be a document: its syntax, or nesting past the limit. The message
/// says where and what, never the text itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    /// What is wrong, with its line and column.
    pub message: String,
}

impl<'a> Document<'a> {
    /// A document of the JSON `text`, nested at most `max_depth` levels.
    pub fn from_json_str(text: &'a str, max_depth: usize) -> Result<Document<'a>, JsonError> {
        let mut doc = Document::default();
        // serde_json stops at 128 nested collections on its own; `max_depth` is checked too.
        let mut de = serde_json::Deserializer::from_str(text);
        let root = NodeSeed {
            doc: &mut doc,
            depth: 0,
            max_depth,
        }
        .deserialize(&mut de)
        .and_then(|root| de.end().map(|()| root))
        .map_err(|e| JsonError {
            message: match e.classify() {
                serde_json::error::Category::Data => e.to_string(),
                _ => format!("not JSON: {e}"),
            },
        })?;
        doc.root = Some(root);
        Ok(doc)
    }

    fn push_node(&mut self, value: Value<'a>) -> NodeId {
        self.nodes.push(Node {
            value,
            start: Pos::default(),
            end: Pos::default(),
        });
        self.nodes.len() as NodeId - 1
    }
}

/// Builds one node (and its children, first) into the document.
struct NodeSeed<'d, 'a> {
    doc: &'d mut Document<'a>,
    depth: usize,
    max_depth: usize,
}

impl<'a> NodeSeed<'_, 'a> {
    /// The seed of a child, one level deeper (refused when it is read, past the limit).
    fn child(&mut self) -> NodeSeed<'_, 'a> {
        NodeSeed {
            doc: self.doc,
            depth: self.depth + 1,
            max_depth: self.max_depth,
        }
    }
}

impl<'a> DeserializeSeed<'a> for NodeSeed<'_, 'a> {
    type Value = NodeId;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<NodeId, D::Error> {
        if self.depth > self.max_depth {
            let max = self.max_depth;
            return Err(D::Error::custom(format!(
                "the object nests deeper than {max} levels"
            )));
        }
        deserializer.deserialize_any(self)
    }
}

impl<'a> Visitor<'a> for NodeSeed<'_, 'a> {
    type Value = NodeId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<NodeId, E> {
        Ok(self.doc.push_node(Value::Null))
    }

    fn visit_bool<E>(self, v: bool) -> Result<NodeId, E> {
        Ok(self.doc.push_node(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<NodeId, E> {
        Ok(self.doc.push_node(Value::Int(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<NodeId, E> {
        let value = match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(v as f64),
        };
        Ok(self.doc.push_node(value))
    }

    fn visit_f64<E>(self, v: f64) -> Result<NodeId, E> {
        Ok(self.doc.push_node(Value::Float(v)))
    }

    fn visit_borrowed_str<E>(self, v: &'a str) -> Result<NodeId, E> {
        Ok(self.doc.push_node(Value::Str(Cow::Borrowed(v))))
    }

    fn visit_str<E>(self, v: &str) -> Result<NodeId, E> {
        Ok(self.doc.push_node(Value::Str(Cow::Owned(v.to_string()))))
    }

    fn visit_string<E>(self, v: String) -> Result<NodeId, E> {
        Ok(self.doc.push_node(Value::Str(Cow::Owned(v))))
    }

    fn visit_seq<A: SeqAccess<'a>>(mut self, mut seq: A) -> Result<NodeId, A::Error> {
        let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(id) = seq.next_element_seed(self.child())? {
            ids.push(id);
        }
        let start = self.doc.children.len() as u32;
        let len = ids.len() as u32;
        self.doc.children.extend(ids);
        Ok(self.doc.push_node(Value::Seq { start, len }))
    }

    fn visit_map<A: MapAccess<'a>>(mut self, mut map: A) -> Result<NodeId, A::Error> {
        let mut entries: Vec<(Cow<'a, str>, NodeId)> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            entries.push((key, map.next_value_seed(self.child())?));
        }
        // As serde_json's map: sorted keys, the last of a repeated key kept (a stable sort
        // keeps repeats in document order).
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let start = self.doc.entries.len() as u32;
        let mut sorted = entries.into_iter().peekable();
        while let Some((key, value)) = sorted.next() {
            if sorted.peek().is_some_and(|next| next.0 == key) {
                continue;
            }
            self.doc.entries.push(Entry {
                key,
                key_pos: Pos::default(),
                value,
            });
        }
        let len = self.doc.entries.len() as u32 - start;
        Ok(self.doc.push_node(Value::Map { start, len }))
    }
}

/// A mapping key, borrowed from the text when it holds no escape.
struct KeySeed;

impl<'a> DeserializeSeed<'a> for KeySeed {
    type Value = Cow<'a, str>;

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<Cow<'a, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'a> Visitor<'a> for KeySeed {
    type Value = Cow<'a, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'a str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Cow<'a, str>, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str) -> (Document<'_>, serde_json::Value) {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        (Document::from_json_str(text, 128).unwrap(), value)
    }

    /// The document read from text is the one read from the parsed value.
    fn same(text: &str) {
        let (direct, value) = both(text);
        let through = Document::from_json(&value, 128).unwrap();
        let shown = |d: &Document<'_>| format!("{:?}", d.root().map(|r| dump(r)));
        assert_eq!(shown(&direct), shown(&through), "{text}");
    }

    fn dump(n: crate::tree::NodeRef<'_, '_>) -> String {
        match n.value() {
            Value::Seq { .. } => format!("[{}]", n.items().map(dump).collect::<Vec<_>>().join(",")),
            Value::Map { .. } => format!(
                "{{{}}}",
                n.raw_entries()
                    .iter()
                    .map(|e| format!("{}:{}", e.key, dump(n.document().node(e.value))))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn text_and_value_give_the_same_document() {
        same(
            r#"{"kind":"Pod","metadata":{"name":"a","labels":{"z":"1","a":"2"}},"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]}}"#,
        );
        same(r#"{"b":1,"a":-2,"c":1.5,"d":18446744073709551615,"e":null,"f":true,"g":[],"h":{}}"#);
        same(r#"{"esc":"a\nb\u00e9","k\"ey":"v","a":1,"a":2}"#);
        same(r#"[1,[2,[3]],{"x":[{"y":{}}]}]"#);
        same(r#""just a string""#);
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = r#"{"name":"web","note":"a\tb"}"#;
        let doc = Document::from_json_str(text, 128).unwrap();
        let root = doc.root().unwrap();
        assert!(matches!(
            root.get("name").unwrap().value(),
            Value::Str(Cow::Borrowed("web"))
        ));
        assert!(
            matches!(root.get("note").unwrap().value(), Value::Str(Cow::Owned(s)) if s == "a\tb")
        );
    }

    #[test]
    fn bad_text_and_deep_nesting_are_errors_that_do_not_quote_it() {
        let e = Document::from_json_str(r#"{"password": "hunter2""#, 128).unwrap_err();
        assert!(
            e.message.starts_with("not JSON: EOF while parsing"),
            "{}",
            e.message
        );
        assert!(!e.message.contains("hunter2"));
        let deep = format!("{}1{}", "[".repeat(20), "]".repeat(20));
        let e = Document::from_json_str(&deep, 10).unwrap_err();
        assert!(
            e.message.contains("nests deeper than 10 levels"),
            "{}",
            e.message
        );
        assert!(Document::from_json_str(&deep, 20).is_ok());
        // Far deeper than any stack would take recursively: refused at the limit.
        let deeper = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(Document::from_json_str(&deeper, 128).is_err());
        assert!(
            Document::from_json_str("{} {}", 128).is_err(),
            "trailing text"
        );
    }
}
