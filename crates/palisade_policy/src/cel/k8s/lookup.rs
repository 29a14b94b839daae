//! Kyverno's resource library served from the objects Palisade read: `resource.Get(apiVersion,
//! resource, namespace, name)` and `resource.List(apiVersion, resource, namespace)`. There is no
//! cluster to ask offline; the scan's objects are the cluster a policy sees.

use std::sync::Arc;

use serde_json::Value;

use crate::data::ClusterData;
use crate::review::guess_plural;

use super::opaque_type;

/// The `resource` variable: a handle on the run's objects.
#[derive(Debug, Clone)]
pub struct Lookup(pub Arc<ClusterData>);

impl PartialEq for Lookup {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Lookup {}

opaque_type!(Lookup, "kyverno.Resource");

/// The plural resource name of an object.
fn resource_of(object: &Value) -> String {
    let api = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let group = palisade_model::resources::group_of(api);
    palisade_model::resources::builtin_resource_of_kind(group, kind)
        .map(String::from)
        .unwrap_or_else(|| guess_plural(kind))
}

impl Lookup {
    /// The objects of a resource (in a namespace, or all of them for `""`).
    pub fn list(
        &self,
        api_version: &str,
        resource: &str,
        namespace: &str,
    ) -> Result<Vec<Value>, String> {
        if !self.0.is_indexed() {
            return Err(
                "no objects are known here to look up (the webhook keeps no copy of the cluster)"
                    .into(),
            );
        }
        Ok((self.0.objects().iter())
            .filter(|o| o.get("apiVersion").and_then(Value::as_str) == Some(api_version))
            .filter(|o| {
                namespace.is_empty()
                    || o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(namespace)
            })
            .filter(|o| resource_of(o) == resource)
            .map(|o| (**o).clone())
            .collect())
    }

    /// One object.
    pub fn get(
        &self,
        api_version: &str,
        resource: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        self.list(api_version, resource, namespace)?
            .into_iter()
            .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| {
                format!(
                    "{resource} {name:?} (apiVersion {api_version}, namespace {namespace:?}) is not among the {} objects Palisade read",
                    self.0.objects().len()
                )
            })
    }
}
