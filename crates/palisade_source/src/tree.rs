//! The span-indexed document tree: flat arenas of nodes, sequence children and mapping entries.

use std::borrow::Cow;

/// A position in the source. `line` is 1-based, `col` is 0-based in characters, `byte` is the
/// byte offset from the start of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// Byte offset from the start of the file.
    pub byte: u32,
    /// 1-based line.
    pub line: u32,
    /// 0-based column in characters.
    pub col: u32,
}

/// Index of a node in its [`Document`].
pub type NodeId = u32;

/// A node's value. Collections are ranges into the document's child or entry arenas.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `null`, `~` or empty.
    Null,
    /// A boolean, YAML 1.1 spellings included.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// Any other number.
    Float(f64),
    /// A string (quoted, block or unresolvable plain scalar).
    Str(Cow<'a, str>),
    /// A sequence: `len` children from `start` in the child arena.
    Seq {
        /// First index in the child arena.
        start: u32,
        /// Number of children.
        len: u32,
    },
    /// A mapping: `len` entries from `start` in the entry arena.
    Map {
        /// First index in the entry arena.
        start: u32,
        /// Number of entries.
        len: u32,
    },
}

/// A node: its value and the span it covers.
#[derive(Debug, Clone)]
pub struct Node<'a> {
    /// The value.
    pub value: Value<'a>,
    /// Where the node starts.
    pub start: Pos,
    /// Where the node ends (exclusive).
    pub end: Pos,
}

/// A mapping entry: a (string) key with its position, and the value node.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The key, as written (keys are not type-resolved).
    pub key: Cow<'a, str>,
    /// Where the key starts.
    pub key_pos: Pos,
    /// The value node.
    pub value: NodeId,
}

/// Something worth telling the user that does not stop the document from loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The same key twice in one mapping; the last one wins, as in the API server's decoder.
    DuplicateKey {
        /// The key.
        key: String,
        /// The first (ignored) occurrence.
        first: Pos,
        /// The occurrence that is kept.
        kept: Pos,
        /// The value of the first occurrence: no longer reachable from the root, but still
        /// text of the document (and possibly a secret to hide when the text is shown).
        dropped: NodeId,
    },
}

/// One YAML document of a stream.
#[derive(Debug, Clone, Default)]
pub struct Document<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) children: Vec<NodeId>,
    pub(crate) entries: Vec<Entry<'a>>,
    pub(crate) root: Option<NodeId>,
    /// 0-based index of the document in its file.
    pub index: u32,
    /// Non-fatal problems found while loading.
    pub warnings: Vec<Warning>,
}

impl<'a> Document<'a> {
    /// The root node, or `None` for an empty document.
    pub fn root(&self) -> Option<NodeRef<'_, 'a>> {
        self.root.map(|id| NodeRef { doc: self, id })
    }

    /// A node by id.
    pub fn node(&self, id: NodeId) -> NodeRef<'_, 'a> {
        NodeRef { doc: self, id }
    }

    /// Number of nodes (aliases shared, not expanded).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

/// A JSON value that cannot be a document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the object nests deeper than {0} levels")]
pub struct TooDeep(pub usize);

impl<'a> Document<'a> {
    /// A document holding `value`, for objects that arrive as JSON (an AdmissionReview's
    /// object, a live cluster's list item): no YAML to read, so scalars keep their JSON types
    /// exactly as the API server has them. Strings are borrowed from `value`. Nodes have no
    /// place in a text (every position is zero); findings about them carry the field only.
    /// Nesting is capped at `max_depth`, as the loader caps YAML.
    pub fn from_json(
        value: &'a serde_json::Value,
        max_depth: usize,
    ) -> Result<Document<'a>, TooDeep> {
        let mut doc = Document::default();
        let root = doc.push_json(value, 0, max_depth)?;
        doc.root = Some(root);
        Ok(doc)
    }

    fn push_json(
        &mut self,
        value: &'a serde_json::Value,
        depth: usize,
        max_depth: usize,
    ) -> Result<NodeId, TooDeep> {
        use serde_json::Value as J;
        if depth > max_depth {
            return Err(TooDeep(max_depth));
        }
        let value = match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::Str(Cow::Borrowed(s)),
            J::Array(items) => {
                // Children first: each collection's children must be contiguous in the arena.
                let ids = items
                    .iter()
                    .map(|item| self.push_json(item, depth + 1, max_depth))
                    .collect::<Result<Vec<_>, _>>()?;
                let start = self.children.len() as u32;
                self.children.extend(ids);
                Value::Seq {
                    start,
                    len: items.len() as u32,
                }
            }
            J::Object(map) => {
                let entries = map
                    .iter()
                    .map(|(k, v)| {
                        Ok(Entry {
                            key: Cow::Borrowed(k.as_str()),
                            key_pos: Pos::default(),
                            value: self.push_json(v, depth + 1, max_depth)?,
                        })
                    })
                    .collect::<Result<Vec<_>, TooDeep>>()?;
                let start = self.entries.len() as u32;
                let len = entries.len() as u32;
                self.entries.extend(entries);
                Value::Map { start, len }
            }
        };
        self.nodes.push(Node {
            value,
            start: Pos::default(),
            end: Pos::default(),
        });
        Ok(self.nodes.len() as NodeId - 1)
    }
}

/// A cheap handle to a node: the document plus the node's id.
#[derive(Clone, Copy)]
pub struct NodeRef<'d, 'a> {
    doc: &'d Document<'a>,
    id: NodeId,
}

impl std::fmt::Debug for NodeRef<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeRef({} {:?})", self.id, self.raw().value)
    }
}

impl<'d, 'a> NodeRef<'d, 'a> {
    fn raw(&self) -> &'d Node<'a> {
        &self.doc.nodes[self.id as usize]
    }

    /// The node's id in its document.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The document the node belongs to.
    pub fn document(&self) -> &'d Document<'a> {
        self.doc
    }

    /// The node's value.
    pub fn value(&self) -> &'d Value<'a> {
        &self.raw().value
    }

    /// Where the node starts.
    pub fn start(&self) -> Pos {
        self.raw().start
    }

    /// Where the node ends (exclusive).
    pub fn end(&self) -> Pos {
        self.raw().end
    }

    fn entry_slice(&self) -> &'d [Entry<'a>] {
        match self.raw().value {
            Value::Map { start, len } => &self.doc.entries[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    fn child_slice(&self) -> &'d [NodeId] {
        match self.raw().value {
            Value::Seq { start, len } => &self.doc.children[start as usize..(start + len) as usize],
            _ => &[],
        }
    }

    /// The mapping entry for `key`, if this is a mapping that has it.
    pub fn entry(&self, key: &str) -> Option<&'d Entry<'a>> {
        self.entry_slice().iter().find(|e| e.key == key)
    }

    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<NodeRef<'d, 'a>> {
        self.entry(key).map(|e| self.doc.node(e.value))
    }

    /// The value under `key` unless it is absent or `null` (Go's "pointer is nil").
    pub fn get_some(&self, key: &str) -> Option<NodeRef<'d, 'a>> {
        self.get(key).filter(|n| !n.is_null())
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<NodeRef<'d, 'a>> {
        keys.iter().try_fold(*self, |node, key| node.get(key))
    }

    /// The `i`-th item, if this is a sequence that long.
    pub fn at(&self, i: usize) -> Option<NodeRef<'d, 'a>> {
        self.child_slice().get(i).map(|&id| self.doc.node(id))
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(
        &self,
    ) -> impl ExactSizeIterator<Item = (&'d str, NodeRef<'d, 'a>)> + use<'d, 'a> {
        let doc = self.doc;
        self.entry_slice()
            .iter()
            .map(move |e| (&*e.key, doc.node(e.value)))
    }

    /// The raw entries of a mapping, with key positions.
    pub fn raw_entries(&self) -> &'d [Entry<'a>] {
        self.entry_slice()
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> impl ExactSizeIterator<Item = NodeRef<'d, 'a>> + use<'d, 'a> {
        let doc = self.doc;
        self.child_slice().iter().map(move |&id| doc.node(id))
    }

    /// Whether the node is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.raw().value, Value::Null)
    }

    /// Whether the node is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.raw().value, Value::Map { .. })
    }

    /// Whether the node is a sequence.
    pub fn is_seq(&self) -> bool {
        matches!(self.raw().value, Value::Seq { .. })
    }

    /// The string, if this is a string scalar.
    pub fn as_str(&self) -> Option<&'d str> {
        match &self.raw().value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a boolean scalar.
    pub fn as_bool(&self) -> Option<bool> {
        match self.raw().value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The integer, if this is an integer scalar.
    pub fn as_i64(&self) -> Option<i64> {
        match self.raw().value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }

    /// A scalar rendered as text (for messages and string-typed fields written unquoted);
    /// `None` for collections.
    pub fn scalar_text(&self) -> Option<Cow<'d, str>> {
        Some(match &self.raw().value {
            Value::Null => Cow::Borrowed(""),
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Float(f) => Cow::Owned(f.to_string()),
            Value::Str(s) => Cow::Borrowed(&**s),
            Value::Seq { .. } | Value::Map { .. } => return None,
        })
    }
}

/// A node serialises as the JSON the API server would decode from it (aliases expanded, the
/// kept value of a duplicate key): what a policy engine or a webhook takes as input.
impl serde::Serialize for NodeRef<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.raw().value {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Seq { .. } => {
                let mut seq = serializer.serialize_seq(Some(self.child_slice().len()))?;
                for item in self.items() {
                    seq.serialize_element(&item)?;
                }
                seq.end()
            }
            Value::Map { .. } => {
                let mut map = serializer.serialize_map(Some(self.entry_slice().len()))?;
                for (key, value) in self.entries() {
                    map.serialize_entry(key, &value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Limits, parse_stream};

    #[test]
    fn json_objects_become_documents_with_their_types() {
        let value = serde_json::json!({
            "spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}],
                     "n": 3, "f": 1.5, "big": 18446744073709551615u64, "none": null,
                     "text": "yes"}
        });
        let doc = crate::Document::from_json(&value, 128).unwrap();
        let root = doc.root().unwrap();
        let spec = root.get("spec").unwrap();
        assert_eq!(
            spec.path(&["containers"])
                .unwrap()
                .at(0)
                .unwrap()
                .path(&["securityContext", "privileged"])
                .unwrap()
                .as_bool(),
            Some(true)
        );
        assert_eq!(spec.get("n").unwrap().as_i64(), Some(3));
        assert!(spec.get("none").unwrap().is_null());
        // A JSON string is a string, whatever YAML would make of it.
        assert_eq!(spec.get("text").unwrap().as_str(), Some("yes"));
        assert!(matches!(
            spec.get("big").unwrap().value(),
            crate::Value::Float(_)
        ));
        // It serialises back to the same JSON (the largest integers as floats).
        let mut back = serde_json::to_value(root).unwrap();
        back["spec"]["big"] = value["spec"]["big"].clone();
        assert_eq!(back, value);

        let mut deep = serde_json::json!(1);
        for _ in 0..10 {
            deep = serde_json::json!([deep]);
        }
        assert!(crate::Document::from_json(&deep, 10).is_ok());
        assert_eq!(
            crate::Document::from_json(&serde_json::json!([deep]), 10)
                .unwrap_err()
                .0,
            10
        );
    }

    #[test]
    fn a_node_serialises_as_the_api_server_reads_it() {
        let text = "a: &x {on: yes, mode: 0644, f: 1.5}\nb: *x\nc: [~, 'q']\na2: 1\na2: 2\n";
        let docs = parse_stream(text, &Limits::default());
        let doc = docs.into_iter().next().unwrap().unwrap();
        let json = serde_json::to_value(doc.root().unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "a": {"on": true, "mode": 420, "f": 1.5},
                "b": {"on": true, "mode": 420, "f": 1.5},
                "c": [null, "q"],
                "a2": 2
            })
        );
    }
}
