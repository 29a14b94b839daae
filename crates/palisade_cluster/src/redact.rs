//! What is never kept of an object read from a cluster.

use serde_json::Value;

/// The annotation `kubectl apply` writes: for a Secret, the whole Secret as applied.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Make a listed item an object as a manifest would have it, minus what must not be kept:
/// `apiVersion` and `kind` (list items lack them) are filled in, `metadata.managedFields`
/// (bookkeeping, often half of an object) is dropped, and a Secret's values become empty
/// strings (its keys and type stay: rules read those, never the values), as does its
/// last-applied annotation.
pub fn redact(item: &mut Value, api_version: &str, kind: &str) {
    let Some(object) = item.as_object_mut() else {
        return;
    };
    object.insert("apiVersion".into(), Value::String(api_version.into()));
    object.insert("kind".into(), Value::String(kind.into()));
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
        if kind == "Secret"
            && let Some(annotations) = metadata
                .get_mut("annotations")
                .and_then(Value::as_object_mut)
        {
            annotations.remove(LAST_APPLIED);
        }
    }
    if kind == "Secret" {
        for field in ["data", "stringData"] {
            if let Some(values) = object.get_mut(field).and_then(Value::as_object_mut) {
                for value in values.values_mut() {
                    *value = Value::String(String::new());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_and_bookkeeping_are_dropped() {
        let mut secret = serde_json::json!({
            "metadata": {
                "name": "db",
                "managedFields": [{"manager": "kubectl"}],
                "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"aHVudGVyMg==\"}}", "team": "a"}
            },
            "type": "Opaque",
            "data": {"password": "aHVudGVyMg=="}
        });
        redact(&mut secret, "v1", "Secret");
        let text = secret.to_string();
        assert!(!text.contains("aHVudGVyMg"), "{text}");
        assert!(!text.contains("managedFields"));
        assert_eq!(secret["data"]["password"], "");
        assert_eq!(secret["type"], "Opaque");
        assert_eq!(secret["kind"], "Secret");
        assert_eq!(secret["metadata"]["annotations"]["team"], "a");
        // Other kinds keep their data and annotations.
        let mut cm = serde_json::json!({"metadata": {"annotations": {LAST_APPLIED: "{}"}}, "data": {"k": "v"}});
        redact(&mut cm, "v1", "ConfigMap");
        assert_eq!(cm["data"]["k"], "v");
        assert_eq!(cm["metadata"]["annotations"][LAST_APPLIED], "{}");
    }
}
