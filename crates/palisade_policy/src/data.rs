//! What policies may look up besides the object under review: the other objects of the scan
//! (Gatekeeper's `data.inventory`, Kyverno's resource lookups) and the namespaces
//! (`namespaceSelector`, `namespaceObject`).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

/// The objects a run knows, indexed for policies.
#[derive(Debug, Default)]
pub struct ClusterData {
    /// Whether the objects were indexed (a scan's, a test's): lookups in data that was never
    /// indexed (the webhook's) are errors, not empty answers.
    indexed: bool,
    objects: Vec<Arc<Value>>,
    namespaces: HashMap<String, Arc<Value>>,
    inventory: Option<regorus::Value>,
}

impl ClusterData {
    /// Index objects (of any kind; `Namespace` objects also answer namespace lookups).
    pub fn new(objects: impl IntoIterator<Item = Value>) -> ClusterData {
        let mut data = ClusterData {
            indexed: true,
            ..ClusterData::default()
        };
        for object in objects {
            let object = Arc::new(object);
            if object.get("kind").and_then(Value::as_str) == Some("Namespace")
                && object.get("apiVersion").and_then(Value::as_str) == Some("v1")
                && let Some(name) = object.pointer("/metadata/name").and_then(Value::as_str)
            {
                data.namespaces.insert(name.to_string(), object.clone());
            }
            data.objects.push(object);
        }
        if !data.objects.is_empty() {
            data.inventory = Some(gatekeeper_inventory(&data.objects));
        }
        data
    }

    /// Whether the run's objects were indexed (see [`ClusterData::new`]).
    pub fn is_indexed(&self) -> bool {
        self.indexed
    }

    /// Whether no objects are known.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Every object.
    pub fn objects(&self) -> &[Arc<Value>] {
        &self.objects
    }

    /// A namespace by name.
    pub fn namespace(&self, name: &str) -> Option<&Arc<Value>> {
        self.namespaces.get(name)
    }

    /// Gatekeeper's `data.inventory`: `cluster[apiVersion][kind][name]` and
    /// `namespace[ns][apiVersion][kind][name]`.
    pub fn inventory(&self) -> Option<&regorus::Value> {
        self.inventory.as_ref()
    }
}

fn insert_at(tree: &mut serde_json::Map<String, Value>, path: &[&str], name: &str, object: &Value) {
    match path.split_first() {
        None => {
            tree.insert(name.to_string(), object.clone());
        }
        Some((key, rest)) => {
            let entry = tree
                .entry(key.to_string())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
            if let Value::Object(next) = entry {
                insert_at(next, rest, name, object);
            }
        }
    }
}

fn gatekeeper_inventory(objects: &[Arc<Value>]) -> regorus::Value {
    let mut tree = serde_json::Map::new();
    for object in objects {
        let text = |p: &str| object.pointer(p).and_then(Value::as_str);
        let (Some(api_version), Some(kind), Some(name)) =
            (text("/apiVersion"), text("/kind"), text("/metadata/name"))
        else {
            continue;
        };
        let path: Vec<&str> = match text("/metadata/namespace") {
            Some(ns) if !ns.is_empty() => vec!["namespace", ns, api_version, kind],
            _ => vec!["cluster", api_version, kind],
        };
        insert_at(&mut tree, &path, name, object);
    }
    regorus::Value::from(Value::Object(tree))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_inventory_is_keyed_as_gatekeeper_keys_it() {
        let data = ClusterData::new([
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": {"a": "b"}}}),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "shop"}}),
        ]);
        let inv = data.inventory().unwrap();
        assert_eq!(
            inv["namespace"]["shop"]["networking.k8s.io/v1"]["Ingress"]["i"]["metadata"]["name"],
            regorus::Value::from("i")
        );
        assert_eq!(
            inv["cluster"]["v1"]["Namespace"]["shop"]["metadata"]["labels"]["a"],
            regorus::Value::from("b")
        );
        assert!(data.namespace("shop").is_some());
    }
}
