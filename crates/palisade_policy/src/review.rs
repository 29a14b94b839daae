//! The review a policy judges: the object and the admission request around it, in the shapes
//! each dialect reads (`input.review` for Gatekeeper's Rego, `request` and friends for CEL).

use std::sync::Arc;

use palisade_model::request::{Operation, Request, UserInfo};
use palisade_model::resources::ResourceScope;
use palisade_model::resources::{builtin_kind_scope, builtin_resource_of_kind, group_of};
use serde_json::{Value, json};

/// An object under review, with its request.
#[derive(Debug, Clone)]
pub struct Review {
    /// The object (`null` for a delete).
    pub object: Arc<Value>,
    /// The request (operation, user, old object).
    pub request: Request,
    /// `apiVersion` of the object (or the old object).
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace` (or the request's namespace).
    pub namespace: String,
}

impl Review {
    /// A scanned object: a create by nobody in particular.
    pub fn of_object(object: Arc<Value>) -> Review {
        Review::new(object, Request::default())
    }

    /// An object in a request, as the API server would hold it: fields set to `null` are
    /// dropped (a manifest's `livenessProbe:` with nothing under it is no probe to a policy at
    /// the gate, so it is none in a scan either), and pod templates have `metadata`, which the
    /// API server always writes out.
    pub fn new(object: Arc<Value>, mut request: Request) -> Review {
        let object = if has_null_fields(&object) || lacks_template_metadata(&object) {
            let mut stored = (*object).clone();
            as_stored(&mut stored);
            Arc::new(stored)
        } else {
            object
        };
        if let Some(old) = &mut request.old_object {
            as_stored(old);
        }
        let subject = if object.is_null() {
            request.old_object.as_ref().unwrap_or(&Value::Null)
        } else {
            &object
        };
        let text = |p: &str| {
            subject
                .pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        Review {
            api_version: text("/apiVersion"),
            kind: text("/kind"),
            name: text("/metadata/name"),
            namespace: text("/metadata/namespace"),
            object,
            request,
        }
    }

    /// An `AdmissionReview` (any version) as test suites write it.
    pub fn from_admission_review(review: &Value) -> Result<Review, String> {
        let request = review
            .get("request")
            .ok_or("the AdmissionReview has no `request`")?;
        let object = request.get("object").cloned().unwrap_or(Value::Null);
        let old_object = request.get("oldObject").cloned().filter(|v| !v.is_null());
        let operation = match request.get("operation").and_then(Value::as_str) {
            None | Some("CREATE") => Operation::Create,
            Some("UPDATE") => Operation::Update,
            Some("DELETE") => Operation::Delete,
            Some("CONNECT") => Operation::Connect,
            Some(other) => return Err(format!("unknown operation `{other}`")),
        };
        let user_info: UserInfo = match request.get("userInfo") {
            Some(u) => {
                serde_json::from_value(u.clone()).map_err(|e| format!("`request.userInfo`: {e}"))?
            }
            None => UserInfo::default(),
        };
        let text = |k: &str| {
            request
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let mut review = Review::new(
            Arc::new(object),
            Request {
                uid: text("uid"),
                operation,
                user_info,
                old_object,
                sub_resource: text("subResource"),
                resource: request
                    .pointer("/resource/resource")
                    .and_then(Value::as_str)
                    .map(String::from),
                dry_run: request
                    .get("dryRun")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                options: request.get("options").cloned(),
                namespace_object: None,
            },
        );
        if review.namespace.is_empty() {
            review.namespace = text("namespace");
        }
        if review.name.is_empty() {
            review.name = text("name");
        }
        if let Some(kind) = request.pointer("/kind/kind").and_then(Value::as_str)
            && review.kind.is_empty()
        {
            review.kind = kind.to_string();
        }
        Ok(review)
    }

    /// The API group.
    pub fn group(&self) -> &str {
        group_of(&self.api_version)
    }

    /// The API version without the group.
    pub fn version(&self) -> &str {
        self.api_version.rsplit('/').next().unwrap_or("")
    }

    /// The resource (plural) name: the request's, else the built-in table's, else the
    /// lowercase plural Kubernetes' RESTMapper would guess.
    pub fn resource(&self) -> String {
        if let Some(r) = &self.request.resource {
            return r.clone();
        }
        builtin_resource_of_kind(self.group(), &self.kind)
            .map(String::from)
            .unwrap_or_else(|| guess_plural(&self.kind))
    }

    /// Whether the object is namespaced: it names a namespace, or its kind is namespaced.
    pub fn is_namespaced(&self) -> bool {
        if !self.namespace.is_empty() {
            return true;
        }
        matches!(
            builtin_kind_scope(self.group(), &self.kind),
            Some(ResourceScope::Namespaced)
        )
    }

    /// The object or, for a delete, the old object.
    pub fn any_object(&self) -> &Value {
        if self.object.is_null() {
            self.request.old_object.as_ref().unwrap_or(&Value::Null)
        } else {
            &self.object
        }
    }

    /// `metadata.labels` of [`Review::any_object`].
    pub fn labels(&self) -> std::collections::BTreeMap<String, String> {
        labels_of(self.any_object())
    }

    /// The `AdmissionRequest` (`admission.k8s.io/v1`) as JSON.
    pub fn request_json(&self) -> Value {
        let mut out = self.request_json_without_objects();
        if let Some(map) = out.as_object_mut() {
            map.insert("object".into(), (*self.object).clone());
            let old = self.request.old_object.clone().unwrap_or(Value::Null);
            map.insert("oldObject".into(), old);
        }
        out
    }

    /// The `AdmissionRequest` without `object` and `oldObject` (CEL's `request`, which binds
    /// them apart; and the frame Rego's `input.review` is built in without copying them).
    pub fn request_json_without_objects(&self) -> Value {
        let r = &self.request;
        let gvk = json!({"group": self.group(), "version": self.version(), "kind": self.kind});
        let gvr =
            json!({"group": self.group(), "version": self.version(), "resource": self.resource()});
        let mut out = json!({
            "uid": r.uid,
            "kind": gvk,
            "resource": gvr,
            "requestKind": gvk,
            "requestResource": gvr,
            "name": self.name,
            "namespace": self.namespace,
            "operation": r.operation.as_str(),
            "userInfo": r.user_info,
            "dryRun": r.dry_run,
            "options": r.options.clone().unwrap_or(Value::Null),
        });
        if !r.sub_resource.is_empty()
            && let Some(map) = out.as_object_mut()
        {
            map.insert("subResource".into(), Value::from(r.sub_resource.clone()));
            map.insert(
                "requestSubResource".into(),
                Value::from(r.sub_resource.clone()),
            );
        }
        out
    }
}

/// The pod templates' `metadata`, where a workload kind has them.
const TEMPLATE_METADATA: [&str; 3] = [
    "/spec/template",
    "/spec/jobTemplate",
    "/spec/jobTemplate/spec/template",
];

fn lacks_template_metadata(v: &Value) -> bool {
    TEMPLATE_METADATA.iter().any(|p| {
        v.pointer(p)
            .is_some_and(|t| t.is_object() && t.get("metadata").is_none())
    })
}

/// The object as the API server would store it (see [`Review::new`]).
fn as_stored(v: &mut Value) {
    prune_nulls(v);
    let workload = matches!(
        v.get("kind").and_then(Value::as_str),
        Some(
            "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "ReplicationController"
                | "Job"
                | "CronJob"
                | "PodTemplate"
        )
    );
    if !workload {
        return;
    }
    for p in TEMPLATE_METADATA {
        if let Some(Value::Object(t)) = v.pointer_mut(p) {
            t.entry("metadata")
                .or_insert_with(|| Value::Object(Default::default()));
        }
    }
}

fn has_null_fields(v: &Value) -> bool {
    match v {
        Value::Object(map) => map.values().any(|v| v.is_null() || has_null_fields(v)),
        Value::Array(items) => items.iter().any(has_null_fields),
        _ => false,
    }
}

/// Drop `null` members of every mapping (list items stay: a list's length is data).
fn prune_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// `metadata.labels` of an object, as strings.
pub fn labels_of(object: &Value) -> std::collections::BTreeMap<String, String> {
    (object
        .pointer("/metadata/labels")
        .and_then(Value::as_object))
    .map(|m| {
        m.iter()
            .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

/// The plural a RESTMapper guesses for a kind it does not know.
pub(crate) fn guess_plural(kind: &str) -> String {
    let lower = kind.to_lowercase();
    if lower.ends_with('s')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
        || lower.ends_with('x')
    {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_come_from_the_table_or_the_rest_mappers_guess() {
        let r = |v: Value| Review::of_object(Arc::new(v)).resource();
        assert_eq!(r(json!({"apiVersion": "v1", "kind": "Pod"})), "pods");
        assert_eq!(
            r(json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress"})),
            "ingresses"
        );
        assert_eq!(
            r(json!({"apiVersion": "x.io/v1", "kind": "Policy"})),
            "policies"
        );
        assert_eq!(
            r(json!({"apiVersion": "x.io/v1", "kind": "Gateway"})),
            "gateways"
        );
    }

    #[test]
    fn null_fields_are_dropped_as_the_api_server_drops_them() {
        let r = Review::of_object(Arc::new(
            json!({"kind": "Pod", "spec": {"containers": [{"name": "a", "livenessProbe": null}], "x": null}}),
        ));
        assert_eq!(
            *r.object,
            json!({"kind": "Pod", "spec": {"containers": [{"name": "a"}]}})
        );
    }

    #[test]
    fn an_admission_review_gives_the_request() {
        let review = Review::from_admission_review(&json!({
            "kind": "AdmissionReview",
            "request": {"operation": "UPDATE", "userInfo": {"username": "alice", "groups": ["dev"]},
                        "object": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"}},
                        "oldObject": {"apiVersion": "v1", "kind": "Pod"}}
        }))
        .unwrap();
        assert_eq!(review.request.operation, Operation::Update);
        assert_eq!(review.request.user_info.username, "alice");
        let json = review.request_json();
        assert_eq!(json["operation"], "UPDATE");
        assert_eq!(json["namespace"], "n");
        assert_eq!(json["resource"]["resource"], "pods");
        assert_eq!(json["userInfo"]["groups"][0], "dev");
    }
}
