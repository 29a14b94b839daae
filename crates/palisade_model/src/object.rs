//! Kubernetes objects in a document, including the items of `List` kinds.

use std::any::Any;
use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::rc::Rc;

use palisade_diagnostics::{ArcStr, Interner, Location, ObjectRef, Span};
use palisade_source::{Document, NodeRef, Pos};

use crate::pod::PodSpecView;

/// One Kubernetes object: a document root with `apiVersion` and `kind`, or an item of a list.
#[derive(Debug, Clone)]
pub struct Object<'d, 'a> {
    /// The object's root mapping.
    pub root: NodeRef<'d, 'a>,
    /// JSON pointer of the object within its document (`""`, or `/items/3` inside a list).
    pub pointer: String,
    /// `apiVersion`.
    pub api_version: Cow<'d, str>,
    /// `kind` (inferred from the list kind for typed lists whose items omit it).
    pub kind: Cow<'d, str>,
    /// The pod spec view, built on first use and shared by every rule.
    pod: OnceCell<Option<PodSpecView<'d, 'a>>>,
    /// The rules of a Role or ClusterRole, parsed on first use and shared by every rule.
    policy_rules: OnceCell<Vec<(usize, crate::rbac::PolicyRule<'d>)>>,
    /// Values derived from the object once and shared by every rule that needs them (the
    /// JSON form and its conversions that loaded policies evaluate), keyed by type.
    memo: RefCell<Vec<Rc<dyn Any>>>,
}

impl<'d, 'a> Object<'d, 'a> {
    /// `metadata.name`, falling back to `metadata.generateName`.
    pub fn name(&self) -> Option<&'d str> {
        let meta = self.root.get("metadata")?;
        meta.get("name")
            .and_then(|n| n.as_str())
            .or_else(|| meta.get("generateName").and_then(|n| n.as_str()))
    }

    /// `metadata.namespace`.
    pub fn namespace(&self) -> Option<&'d str> {
        self.root.path(&["metadata", "namespace"])?.as_str()
    }

    /// `metadata.uid`: objects read from a cluster have one.
    pub fn uid(&self) -> Option<&'d str> {
        self.root.path(&["metadata", "uid"])?.as_str()
    }

    /// An annotation on the object itself.
    pub fn annotation(&self, key: &str) -> Option<NodeRef<'d, 'a>> {
        self.root.path(&["metadata", "annotations", key])
    }

    /// A Kubernetes object rooted at `root`.
    pub fn new(
        root: NodeRef<'d, 'a>,
        pointer: String,
        api_version: Cow<'d, str>,
        kind: Cow<'d, str>,
    ) -> Self {
        Object {
            root,
            pointer,
            api_version,
            kind,
            pod: OnceCell::new(),
            policy_rules: OnceCell::new(),
            memo: RefCell::new(Vec::new()),
        }
    }

    /// The object as JSON, as the API server would hold it; built on first use.
    pub fn json(&self) -> Rc<serde_json::Value> {
        self.memo(|o| serde_json::to_value(o.root).unwrap_or(serde_json::Value::Null))
    }

    /// A value of type `T` derived from the object by `make` on first use and shared by every
    /// later caller: one conversion per object, however many rules read it.
    pub fn memo<T: Any>(&self, make: impl FnOnce(&Self) -> T) -> Rc<T> {
        if let Some(hit) = self
            .memo
            .borrow()
            .iter()
            .find_map(|v| v.clone().downcast::<T>().ok())
        {
            return hit;
        }
        let value = Rc::new(make(self));
        self.memo.borrow_mut().push(value.clone());
        value
    }

    /// The identity used in findings.
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            api_version: ArcStr::from(&*self.api_version),
            kind: ArcStr::from(&*self.kind),
            namespace: self.namespace().map(ArcStr::from),
            name: self.name().map(ArcStr::from),
            uid: self.uid().map(ArcStr::from),
            cluster: None,
        }
    }

    /// [`Object::object_ref`], its strings shared through `strings`.
    pub fn object_ref_in(&self, strings: &mut Interner) -> ObjectRef {
        ObjectRef {
            api_version: strings.str(&self.api_version),
            kind: strings.str(&self.kind),
            namespace: strings.opt(self.namespace()),
            name: strings.opt(self.name()),
            uid: strings.opt(self.uid()),
            cluster: None,
        }
    }

    /// The location of `pointer` (relative to this object) in the file: the field's key, or its
    /// nearest existing ancestor when it is missing.
    pub fn location(&self, path: &ArcStr, document: u32, pointer: impl Into<ArcStr>) -> Location {
        let pointer = pointer.into();
        let located = self.root.locate(&pointer);
        span_location(
            path,
            document,
            pointer,
            located.start,
            located.end,
            located.missing,
        )
    }

    /// The `rules` of a Role or ClusterRole with their indexes (parsed once).
    pub fn policy_rules(&self) -> &[(usize, crate::rbac::PolicyRule<'d>)] {
        self.policy_rules
            .get_or_init(|| crate::rbac::PolicyRule::of_role(self.root))
    }

    /// The pod spec inside this object, for every kind that carries one (built once).
    pub fn pod_spec(&self) -> Option<&PodSpecView<'d, 'a>> {
        self.pod.get_or_init(|| PodSpecView::of(self)).as_ref()
    }
}

/// A [`Location`] from a span (positions are 1-based lines, 0-based columns).
pub fn span_location(
    path: &ArcStr,
    document: u32,
    pointer: ArcStr,
    start: Pos,
    end: Pos,
    missing: bool,
) -> Location {
    Location {
        span: Some(Span {
            path: path.clone(),
            line: start.line,
            column: start.col + 1,
            end_line: end.line,
            end_column: end.col + 1,
            document,
        }),
        pointer,
        missing,
    }
}

/// Hand every object of a YAML stream to `f`, with its document's index (for tests, which
/// build models from YAML text).
#[cfg(test)]
pub(crate) fn each_object(text: &str, mut f: impl FnMut(&Object<'_, '_>, u32)) {
    let limits = palisade_source::Limits::default();
    for doc in palisade_source::parse_stream(text, &limits) {
        let doc = doc.expect("test YAML parses");
        for object in objects_in(&doc).objects {
            f(&object, doc.index);
        }
    }
}

/// The objects of one document, and whether the document was skipped as non-Kubernetes.
#[derive(Debug, Default)]
pub struct DocumentObjects<'d, 'a> {
    /// The objects found.
    pub objects: Vec<Object<'d, 'a>>,
    /// True when the document is not empty but has no `apiVersion`/`kind`.
    pub skipped: bool,
}

/// The Kubernetes objects in a document. `kind: List` and typed `*List` kinds (as
/// `kubectl get -o yaml` and the API print them) are unwrapped into their items.
pub fn objects_in<'d, 'a>(doc: &'d Document<'a>) -> DocumentObjects<'d, 'a> {
    let Some(root) = doc.root() else {
        return DocumentObjects::default();
    };
    let Some((api_version, kind)) = type_meta(root) else {
        return DocumentObjects {
            objects: Vec::new(),
            skipped: !root.is_null(),
        };
    };
    let items = root.get("items").filter(|i| i.is_seq());
    let item_kind = kind.strip_suffix("List").map(str::to_owned);
    match (item_kind, items) {
        (Some(item_kind), Some(items)) => {
            let objects = items
                .items()
                .enumerate()
                .filter(|(_, item)| item.is_map())
                .map(|(i, item)| {
                    let (av, k) = type_meta(item).unwrap_or_else(|| {
                        // Typed lists (PodList from the API) omit the items' type.
                        (api_version.clone(), Cow::Owned(item_kind.clone()))
                    });
                    Object::new(item, format!("/items/{i}"), av, k)
                })
                .filter(|o| !o.kind.is_empty())
                .collect();
            DocumentObjects {
                objects,
                skipped: false,
            }
        }
        _ => DocumentObjects {
            objects: vec![Object::new(root, String::new(), api_version, kind)],
            skipped: false,
        },
    }
}

fn type_meta<'d>(node: NodeRef<'d, '_>) -> Option<(Cow<'d, str>, Cow<'d, str>)> {
    let api_version = node.get("apiVersion")?.scalar_text()?;
    let kind = node.get("kind")?.scalar_text()?;
    if api_version.is_empty() || kind.is_empty() {
        return None;
    }
    Some((api_version, kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use palisade_source::{Limits, parse_stream};

    #[test]
    fn unwraps_lists_and_infers_item_kinds() {
        let text = "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a}\n  spec: {}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: b, namespace: x}\n";
        let docs = parse_stream(text, &Limits::default());
        let objs = objects_in(docs[0].as_ref().unwrap());
        assert_eq!(objs.objects.len(), 2);
        assert_eq!(objs.objects[0].kind, "Pod");
        assert_eq!(objs.objects[0].pointer, "/items/0");
        assert_eq!(objs.objects[1].kind, "Deployment");
        assert_eq!(objs.objects[1].namespace(), Some("x"));
    }

    #[test]
    fn documents_without_type_are_skipped_not_errors() {
        let docs = parse_stream("foo: bar\n---\n# only a comment\n", &Limits::default());
        assert!(objects_in(docs[0].as_ref().unwrap()).skipped);
        assert!(
            docs.get(1)
                .is_none_or(|d| !objects_in(d.as_ref().unwrap()).skipped)
        );
    }
}
