//! The one cluster model: every object of a set (manifests, a snapshot, a live cluster, an
//! admission cache) indexed once, with the record each analysis reads of it. The scan's
//! cross-object rules read its [`Inventory`] (facts, and the RBAC model of the same
//! objects); `palisade rbac` reads its [`RbacGraph`]; `palisade netpol` its NetworkPolicy
//! [`Model`]. The views are built from the records on first use and dropped when an object is
//! added, replaced or removed, so a watch or an admission cache keeps one index current.
//!
//! Objects read from files are keyed by their place ([`ObjectKey::Placed`]): two manifests
//! of one object in two files are alternatives (`install.yaml`, `ha/install.yaml`) and both
//! are judged. Objects from a cluster are keyed by their identity ([`ObjectKey::Named`]): a
//! new version replaces the old one.

use std::sync::OnceLock;

use hashbrown::HashMap;

use palisade_diagnostics::{ArcStr, Interner};

use crate::authz::{RbacGraph, RbacPart};
use crate::inventory::{Fact, Inventory, fact_of};
use crate::netpol::{Model, NetpolPart};
use crate::object::Object;
use crate::resources::group_of;

/// What identifies an object in the index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectKey {
    /// Read from a file: the file, the document, and the item of a `List` (0 for a document
    /// that is one object, `i + 1` for item `i`).
    Placed {
        /// The file as displayed.
        path: ArcStr,
        /// 0-based document index.
        document: u32,
        /// The item of a `List`.
        item: u32,
    },
    /// Read from a cluster: API group, kind, namespace and name.
    Named {
        /// The API group (`""` for core).
        group: ArcStr,
        /// The kind.
        kind: ArcStr,
        /// The namespace, for namespaced objects.
        namespace: Option<ArcStr>,
        /// The name.
        name: ArcStr,
    },
}

impl ObjectKey {
    /// The key of `object` as read from document `document` of `path`.
    pub fn placed(object: &Object<'_, '_>, path: &ArcStr, document: u32) -> ObjectKey {
        let item = object
            .pointer
            .strip_prefix("/items/")
            .and_then(|i| i.parse::<u32>().ok())
            .map_or(0, |i| i.saturating_add(1));
        ObjectKey::Placed {
            path: path.clone(),
            document,
            item,
        }
    }

    /// The key of `object` by its identity.
    pub fn named(object: &Object<'_, '_>) -> ObjectKey {
        ObjectKey::Named {
            group: group_of(&object.api_version).into(),
            kind: ArcStr::from(&*object.kind),
            namespace: object.namespace().map(ArcStr::from),
            name: object.name().unwrap_or_default().into(),
        }
    }
}

/// Which records the index keeps of each object: each front door asks for what its views
/// need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Facts, for the inventory (cross-object rules).
    pub facts: bool,
    /// RBAC records, for the RBAC model (and the inventory's RBAC view).
    pub rbac: bool,
    /// NetworkPolicy records, for the NetworkPolicy model.
    pub netpol: bool,
}

impl Parts {
    /// Every record.
    pub const ALL: Parts = Parts {
        facts: true,
        rbac: true,
        netpol: true,
    };
}

/// One object's records.
#[derive(Debug, Clone)]
pub struct Indexed {
    /// What identifies it.
    pub key: ObjectKey,
    /// Its facts, when cross-object rules care about its kind (boxed: facts are large, and
    /// most objects have none).
    pub fact: Option<Box<Fact>>,
    /// Its RBAC record, not yet placed in the default namespace (the views place it); none
    /// for a workload with a fact ([`Indexed::rbac_part`]).
    pub rbac: Option<RbacPart>,
    /// Its NetworkPolicy record.
    pub netpol: Option<NetpolPart>,
}

impl Indexed {
    /// The object's RBAC record: its own, or a workload's from its fact.
    pub fn rbac_part(&self) -> Option<RbacPart> {
        self.rbac
            .clone()
            .or_else(|| self.fact.as_deref().and_then(Fact::rbac_workload))
    }
}

/// How records are made: where objects without a namespace go, and which records to keep.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// The namespace objects that name none are applied to (`kubectl apply -n`); `None`
    /// leaves them unplaced in the RBAC model (a RoleBinding "in the namespace it is applied
    /// to"), while the inventory and the NetworkPolicy model place them in `default`.
    pub default_namespace: Option<String>,
    /// The records to keep.
    pub parts: Parts,
    /// The RBAC model includes the API server's bootstrap policy (roles and bindings every
    /// cluster has) for what the input does not define.
    pub builtin_policy: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            default_namespace: Some("default".into()),
            parts: Parts::ALL,
            builtin_policy: true,
        }
    }
}

impl IndexOptions {
    /// Where objects that name no namespace go in the inventory and the NetworkPolicy model.
    fn namespace(&self) -> &str {
        self.default_namespace.as_deref().unwrap_or("default")
    }

    /// The records of `object`, keyed by `key`. Facts and RBAC records keep their namespace as
    /// written (the views place them, so a record does not depend on the namespace a scan
    /// applies objects to); NetworkPolicy records are placed now.
    pub fn record(
        &self,
        object: &Object<'_, '_>,
        key: ObjectKey,
        path: &ArcStr,
        document: u32,
        strings: &mut Interner,
    ) -> Indexed {
        let (fact, rbac, netpol) = self.records_of(object, path, document, strings);
        Indexed {
            key,
            fact: fact.map(Box::new),
            rbac,
            netpol,
        }
    }

    /// [`IndexOptions::record`] without the key: what a front door that keeps the records
    /// apart (a scan keeps facts and RBAC records in two lists) takes.
    pub fn records_of(
        &self,
        object: &Object<'_, '_>,
        path: &ArcStr,
        document: u32,
        strings: &mut Interner,
    ) -> (Option<Fact>, Option<RbacPart>, Option<NetpolPart>) {
        let fact = self
            .parts
            .facts
            .then(|| fact_of(object, path, document, strings))
            .flatten();
        // A workload's fact stands for its RBAC record.
        let workload_fact = fact
            .as_ref()
            .is_some_and(|f| matches!(f.kind, crate::inventory::FactKind::Workload(_)));
        let rbac = (self.parts.rbac && !workload_fact)
            .then(|| RbacPart::of(object, path, document, None))
            .flatten();
        let netpol = self
            .parts
            .netpol
            .then(|| NetpolPart::of(object, self.namespace(), path, document))
            .flatten();
        (fact, rbac, netpol)
    }
}

/// The index (see the module documentation).
#[derive(Debug, Default)]
pub struct ClusterIndex {
    options: IndexOptions,
    /// Records in the order they were first added; `None` where one was removed.
    entries: Vec<Option<Indexed>>,
    /// Where each key's record is, built on the first lookup or change: a front door that
    /// reads an index once (a scan of files, whose keys are distinct places) never pays for it.
    slots: OnceLock<HashMap<ObjectKey, usize>>,
    /// Records held (entries that are not `None`).
    live: usize,
    inventory: OnceLock<Inventory>,
    rbac: OnceLock<RbacGraph>,
    netpol: OnceLock<Model>,
}

impl ClusterIndex {
    /// An empty index.
    pub fn new(options: IndexOptions) -> ClusterIndex {
        ClusterIndex {
            options,
            ..ClusterIndex::default()
        }
    }

    /// An index of `records`, in order, whose keys are distinct (the places of one read: a
    /// record of a key already there replaces it through [`ClusterIndex::insert`]). Records
    /// are made in parallel (one batch per file or worker, [`IndexOptions::record`]) and
    /// handed over here.
    pub fn of_records(options: IndexOptions, records: Vec<Indexed>) -> ClusterIndex {
        let mut index = ClusterIndex::new(options);
        index.live = records.len();
        index.entries = records.into_iter().map(Some).collect();
        index
    }

    fn slots(&self) -> &HashMap<ObjectKey, usize> {
        self.slots.get_or_init(|| self.build_slots())
    }

    fn build_slots(&self) -> HashMap<ObjectKey, usize> {
        let mut slots = HashMap::with_capacity(self.live);
        for (i, entry) in self.entries.iter().enumerate() {
            if let Some(e) = entry {
                slots.insert(e.key.clone(), i);
            }
        }
        slots
    }

    /// The key map, taken out to be changed (and put back with [`OnceLock::from`]).
    fn take_slots(&mut self) -> HashMap<ObjectKey, usize> {
        match self.slots.take() {
            Some(slots) => slots,
            None => self.build_slots(),
        }
    }

    /// How records are made.
    pub fn options(&self) -> &IndexOptions {
        &self.options
    }

    /// Add or replace `object`, keyed by its identity (a watch event, an admission request).
    /// Returns the records it replaced.
    pub fn apply(
        &mut self,
        object: &Object<'_, '_>,
        path: &ArcStr,
        document: u32,
        strings: &mut Interner,
    ) -> Option<Indexed> {
        let record = self
            .options
            .record(object, ObjectKey::named(object), path, document, strings);
        self.insert(record)
    }

    /// Add a record; one of the same key is replaced in place (and returned).
    pub fn insert(&mut self, record: Indexed) -> Option<Indexed> {
        self.changed();
        let mut slots = self.take_slots();
        let replaced = match slots.get(&record.key).copied() {
            Some(slot) => self.entries[slot].replace(record),
            None => {
                slots.insert(record.key.clone(), self.entries.len());
                self.entries.push(Some(record));
                self.live += 1;
                None
            }
        };
        self.slots = OnceLock::from(slots);
        replaced
    }

    /// Remove the object of `key`; its records, if it was there.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Indexed> {
        let mut slots = self.take_slots();
        let Some(slot) = slots.remove(key) else {
            self.slots = OnceLock::from(slots);
            return None;
        };
        self.changed();
        let removed = self.entries[slot].take();
        self.live -= 1;
        // Keep the entries dense: compact once most of them are empty (the key map is then
        // rebuilt on the next lookup).
        if self.live * 2 < self.entries.len() {
            self.entries.retain(Option::is_some);
        } else {
            self.slots = OnceLock::from(slots);
        }
        removed
    }

    /// The records of `key`.
    pub fn get(&self, key: &ObjectKey) -> Option<&Indexed> {
        self.entries[*self.slots().get(key)?].as_ref()
    }

    /// How many objects the index holds.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the index holds no object.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// The records, in the order the objects were first added.
    pub fn records(&self) -> impl Iterator<Item = &Indexed> + '_ {
        self.entries.iter().flatten()
    }

    fn changed(&mut self) {
        self.inventory = OnceLock::new();
        self.rbac = OnceLock::new();
        self.netpol = OnceLock::new();
    }

    /// The facts of the objects and the RBAC model of the same objects, placed in the default
    /// namespace: what cross-object rules read.
    pub fn inventory(&self) -> &Inventory {
        self.inventory
            .get_or_init(|| inventory_of(&self.options, self.records().cloned()))
    }

    /// The RBAC model of the objects, resolved.
    pub fn rbac(&self) -> &RbacGraph {
        self.rbac
            .get_or_init(|| rbac_of(&self.options, self.records().filter_map(Indexed::rbac_part)))
    }

    /// The NetworkPolicy model of the objects, replicas folded into their workloads.
    pub fn netpol(&self) -> &Model {
        self.netpol
            .get_or_init(|| Model::of_parts(self.records().filter_map(|r| r.netpol.clone())))
    }

    /// [`ClusterIndex::inventory`], for a front door that reads it once (a scan): the records
    /// are moved, not copied.
    pub fn into_inventory(mut self) -> Inventory {
        match self.inventory.take() {
            Some(inventory) => inventory,
            None => inventory_of(&self.options, self.entries.into_iter().flatten()),
        }
    }

    /// [`ClusterIndex::rbac`], the records moved.
    pub fn into_rbac(mut self) -> RbacGraph {
        match self.rbac.take() {
            Some(graph) => graph,
            None => rbac_of(
                &self.options,
                self.entries.into_iter().flatten().filter_map(|r| {
                    let Indexed { fact, rbac, .. } = r;
                    rbac.or_else(|| fact.as_deref().and_then(Fact::rbac_workload))
                }),
            ),
        }
    }

    /// [`ClusterIndex::netpol`], the records moved.
    pub fn into_netpol(mut self) -> Model {
        match self.netpol.take() {
            Some(model) => model,
            None => Model::of_parts(self.entries.into_iter().flatten().filter_map(|r| r.netpol)),
        }
    }
}

/// The RBAC model of records, placed in the default namespace and resolved.
fn rbac_of(options: &IndexOptions, parts: impl Iterator<Item = RbacPart>) -> RbacGraph {
    let ns = options.default_namespace.as_deref();
    let placed = parts.map(|mut part| {
        if let Some(ns) = ns {
            part.place(ns);
        }
        part
    });
    RbacGraph::of_parts(placed, options.builtin_policy)
}

/// The inventory of records (their facts and RBAC records), placed in the default namespace.
fn inventory_of(options: &IndexOptions, records: impl Iterator<Item = Indexed>) -> Inventory {
    let mut inventory = Inventory::default();
    for record in records {
        inventory.facts.extend(record.fact.map(|f| *f));
        inventory.rbac_parts.extend(record.rbac);
    }
    inventory.prepare(options.namespace());
    inventory
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::each_object;
    use crate::rbac::Power;

    const OBJECTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: web}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {}}
"#;

    /// The records of a YAML stream, keyed by identity (as a cluster gives them).
    fn index(text: &str, options: IndexOptions) -> ClusterIndex {
        let mut index = ClusterIndex::new(options);
        let mut strings = Interner::default();
        each_object(text, |object, document| {
            index.apply(object, &ArcStr::new(), document, &mut strings);
        });
        index
    }

    #[test]
    fn one_index_feeds_every_view() {
        let index = index(OBJECTS, IndexOptions::default());
        assert_eq!(index.len(), 5);
        // The inventory's RBAC view and the RBAC model give one answer.
        let from_inventory = index
            .inventory()
            .rbac()
            .service_account_powers("shop", "web");
        let from_graph = index.rbac().service_account_powers("shop", "web");
        assert_eq!(from_inventory, from_graph);
        assert_eq!(from_graph[0].0, Power::ReadSecrets);
        let model = index.netpol();
        assert_eq!(model.pods.len(), 1);
        assert_eq!(model.policies.len(), 1);
        assert_eq!(model.namespaces["shop"]["team"], "a");
    }

    #[test]
    fn objects_are_replaced_and_removed_by_identity() {
        let mut index = index(OBJECTS, IndexOptions::default());
        assert!(
            !index
                .rbac()
                .service_account_powers("shop", "web")
                .is_empty()
        );
        // The ClusterRole loses its rules (a watch event): the views follow.
        let updated = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: reader}\nrules: []\n";
        let mut old = None;
        each_object(updated, |object, _| {
            old = index.apply(object, &ArcStr::new(), 0, &mut Interner::default());
        });
        assert!(old.is_some_and(|r| matches!(r.rbac, Some(RbacPart::Role(_)))));
        assert_eq!(index.len(), 5);
        assert!(
            index
                .rbac()
                .service_account_powers("shop", "web")
                .is_empty()
        );
        assert!(
            index
                .inventory()
                .rbac()
                .service_account_powers("shop", "web")
                .is_empty()
        );
        // The NetworkPolicy is deleted.
        let key = ObjectKey::Named {
            group: "networking.k8s.io".into(),
            kind: "NetworkPolicy".into(),
            namespace: Some("shop".into()),
            name: "deny".into(),
        };
        assert!(index.remove(&key).is_some());
        assert!(index.remove(&key).is_none());
        assert!(index.netpol().policies.is_empty());
        assert_eq!(index.len(), 4);
        assert!(index.get(&key).is_none());
    }

    #[test]
    fn objects_from_files_are_kept_apart_by_place() {
        let twice = format!("{OBJECTS}\n---\n{OBJECTS}");
        let mut records = Vec::new();
        let mut strings = Interner::default();
        let options = IndexOptions::default();
        let path = ArcStr::from("a.yaml");
        each_object(&twice, |object, document| {
            let key = ObjectKey::placed(object, &path, document);
            records.push(options.record(object, key, &path, document, &mut strings));
        });
        let index = ClusterIndex::of_records(options, records);
        assert_eq!(index.len(), 10);
        assert_eq!(index.inventory().facts.len(), 10);
        // The second NetworkPolicy of the same name replaces the first when applied.
        assert_eq!(index.netpol().policies.len(), 1);
        assert_eq!(index.netpol().ignored.len(), 1);
    }

    #[test]
    fn many_removals_keep_the_index_dense() {
        let mut index = ClusterIndex::new(IndexOptions::default());
        let mut strings = Interner::default();
        let mut keys = Vec::new();
        for i in 0..100 {
            let text = format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa{i}, namespace: shop}}\n"
            );
            each_object(&text, |object, _| {
                keys.push(ObjectKey::named(object));
                index.apply(object, &ArcStr::new(), 0, &mut strings);
            });
        }
        for key in &keys[..90] {
            assert!(index.remove(key).is_some());
        }
        assert_eq!(index.len(), 10);
        assert!(index.entries.len() <= 20, "{}", index.entries.len());
        assert_eq!(index.rbac().service_accounts.len(), 10);
        assert!(index.get(&keys[95]).is_some());
    }
}
