//! JSON pointers (RFC 6901) resolved to source spans.

use crate::tree::{NodeRef, Pos};

/// Escape one pointer segment (`~` as `~0`, `/` as `~1`), e.g. for annotation keys.
pub fn escape_pointer_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) {
        std::borrow::Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        std::borrow::Cow::Borrowed(segment)
    }
}

/// Unescape one pointer segment (`~1` is `/`, `~0` is `~`).
pub fn unescape_pointer_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        std::borrow::Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        std::borrow::Cow::Borrowed(segment)
    }
}

/// The span a pointer resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// Start of the key (for a mapping member) or of the node (for a sequence item).
    pub start: Pos,
    /// End of the value.
    pub end: Pos,
    /// Whether the pointer's target is absent and the span is its nearest existing ancestor.
    pub missing: bool,
}

impl<'d, 'a> NodeRef<'d, 'a> {
    /// Resolve a JSON pointer relative to this node. When part of the path does not exist, the
    /// span is that of the deepest existing ancestor and `missing` is set: the place where the
    /// missing field should be added.
    pub fn locate(&self, pointer: &str) -> Located {
        let mut node = *self;
        let mut start = node.start();
        let mut end = node.end();
        if pointer.is_empty() {
            return Located {
                start,
                end,
                missing: false,
            };
        }
        for raw in pointer.trim_start_matches('/').split('/') {
            let segment = unescape_pointer_segment(raw);
            let next = if node.is_seq() {
                segment
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| node.at(i))
                    .map(|n| (n.start(), n))
            } else {
                node.entry(&segment)
                    .map(|e| (e.key_pos, node.document().node(e.value)))
            };
            match next {
                Some((s, n)) => {
                    node = n;
                    start = s;
                    end = n.end();
                }
                None => {
                    return Located {
                        start,
                        end,
                        missing: true,
                    };
                }
            }
        }
        Located {
            start,
            end,
            missing: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Limits, parse_stream};

    #[test]
    fn resolves_keys_items_and_missing_fields() {
        let text = "metadata:\n  annotations:\n    a/b: x\nspec:\n  containers:\n  - name: c\n    image: i\n";
        let docs = parse_stream(text, &Limits::default());
        let root = docs[0].as_ref().unwrap().root().unwrap();
        let l = root.locate("/spec/containers/0/image");
        assert_eq!((l.start.line, l.start.col, l.missing), (7, 4, false));
        let l = root.locate("/metadata/annotations/a~1b");
        assert_eq!((l.start.line, l.missing), (3, false));
        let l = root.locate("/spec/containers/0/securityContext/runAsNonRoot");
        assert_eq!((l.start.line, l.start.col, l.missing), (6, 4, true));
        let l = root.locate("/spec/containers/5");
        assert_eq!((l.start.line, l.missing), (5, true));
        assert_eq!(super::escape_pointer_segment("a/b~c"), "a~1b~0c");
    }
}
