//! The `audit.k8s.io/v1` `Event`, typed: every field the API server writes that a detection
//! or a report reads. Unknown fields are ignored, so events of every level (`Metadata`,
//! `Request`, `RequestResponse`) and of older servers read alike. Request and response
//! bodies stay raw JSON text until a rule asks for them: most events never need them parsed.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::value::RawValue;

/// The user an event was made by (or impersonated).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    /// `username`.
    #[serde(default)]
    pub username: String,
    /// `uid`.
    #[serde(default)]
    pub uid: String,
    /// `groups`.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// The object a request was about.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// Resource (plural).
    #[serde(default)]
    pub resource: String,
    /// Subresource.
    #[serde(default)]
    pub subresource: Option<String>,
    /// Namespace.
    #[serde(default)]
    pub namespace: Option<String>,
    /// Object name.
    #[serde(default)]
    pub name: Option<String>,
    /// API group (empty for core).
    #[serde(default)]
    pub api_group: String,
    /// API version.
    #[serde(default)]
    pub api_version: String,
}

/// The outcome of a request (`metav1.Status`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ResponseStatus {
    /// The HTTP status code.
    #[serde(default)]
    pub code: Option<u16>,
    /// `reason` (`Forbidden`, `NotFound`, …).
    #[serde(default)]
    pub reason: String,
}

/// One audit event.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `kind` (`Event`).
    #[serde(default)]
    pub kind: String,
    /// `level`: None, Metadata, Request, RequestResponse.
    #[serde(default)]
    pub level: String,
    /// `auditID`: the events of one request's stages share it.
    #[serde(default, rename = "auditID")]
    pub audit_id: String,
    /// `stage`: RequestReceived, ResponseStarted, ResponseComplete, Panic.
    #[serde(default)]
    pub stage: String,
    /// The request URI.
    #[serde(default, rename = "requestURI")]
    pub request_uri: String,
    /// The API verb (`get`, `list`, `create`, …) or HTTP verb for non-resource requests.
    #[serde(default)]
    pub verb: String,
    /// Who made the request.
    #[serde(default)]
    pub user: UserInfo,
    /// Who the request was made as, when impersonating.
    #[serde(default)]
    pub impersonated_user: Option<UserInfo>,
    /// The client addresses, the first the closest to the client.
    #[serde(default, rename = "sourceIPs")]
    pub source_ips: Vec<String>,
    /// The client's user agent.
    #[serde(default)]
    pub user_agent: String,
    /// The object, for resource requests.
    #[serde(default)]
    pub object_ref: Option<ObjectRef>,
    /// `responseStatus`, in the stages after the response (absent at RequestReceived).
    #[serde(default)]
    pub response_status: Option<ResponseStatus>,
    /// The request body, at levels Request and RequestResponse (raw JSON).
    #[serde(default)]
    pub request_object: Option<Box<RawValue>>,
    /// The response body, at level RequestResponse (raw JSON).
    #[serde(default)]
    pub response_object: Option<Box<RawValue>>,
    /// When the request reached the API server (RFC 3339, microseconds).
    #[serde(default)]
    pub request_received_timestamp: String,
    /// When this stage was reached.
    #[serde(default)]
    pub stage_timestamp: String,
    /// `annotations`, among them the authorizer's `authorization.k8s.io/decision` and Pod
    /// Security admission's `pod-security.kubernetes.io/audit-violations`.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// Microseconds since the Unix epoch of an RFC 3339 timestamp; `None` when it is not one.
pub fn micros(timestamp: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000).ok()
}

impl Event {
    /// The HTTP status code of the response, when recorded.
    pub fn code(&self) -> Option<u16> {
        self.response_status.as_ref().and_then(|s| s.code)
    }

    /// Whether the response was a success: 2xx, or 101 (a streaming request such as exec
    /// switching protocols).
    pub fn succeeded(&self) -> bool {
        self.code()
            .is_some_and(|c| (200..300).contains(&c) || c == 101)
    }

    /// Whether the response was recorded and was an error (4xx, 5xx).
    pub fn failed(&self) -> bool {
        self.code().is_some_and(|c| c >= 400)
    }

    /// The authorizer's decision (`allow`, `forbid`), when annotated.
    pub fn decision(&self) -> Option<&str> {
        self.annotations
            .get("authorization.k8s.io/decision")
            .map(String::as_str)
    }

    /// Whether the request was not authorized, so that it shows nothing the identity is
    /// allowed to do. The authorizer's decision annotation says so when present (`forbid`;
    /// with `allow`, a 403 came from admission, after authorization). Without it, a refusal
    /// before authorization counts as not authorized: 401 (authentication), 403 and 429
    /// (API Priority and Fairness rejects before the authorizer runs).
    pub fn denied(&self) -> bool {
        match self.decision() {
            Some("forbid") => true,
            Some("allow") => false,
            _ => matches!(self.code(), Some(401 | 403 | 429)),
        }
    }

    /// When this stage was reached, in microseconds since the Unix epoch (the time the
    /// request was received when the stage has none).
    pub fn at_micros(&self) -> Option<i64> {
        micros(&self.stage_timestamp).or_else(|| micros(&self.request_received_timestamp))
    }

    /// Whether the acting user is one of the API server's own identities (`system:*`).
    pub fn by_system_user(&self) -> bool {
        self.user.username.starts_with("system:")
    }

    /// The resource, or `""` for a non-resource request.
    pub fn resource(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| o.resource.as_str())
    }

    /// The subresource, or `""`.
    pub fn subresource(&self) -> &str {
        self.object_ref
            .as_ref()
            .and_then(|o| o.subresource.as_deref())
            .unwrap_or("")
    }

    /// The namespace of the object, or `""`.
    pub fn namespace(&self) -> &str {
        self.object_ref
            .as_ref()
            .and_then(|o| o.namespace.as_deref())
            .unwrap_or("")
    }

    /// The name of the object, or `""`.
    pub fn name(&self) -> &str {
        self.object_ref
            .as_ref()
            .and_then(|o| o.name.as_deref())
            .unwrap_or("")
    }

    /// Whether the request is about `resource` itself, with no subresource.
    pub fn is(&self, resource: &str) -> bool {
        self.resource() == resource && self.subresource().is_empty()
    }

    /// Whether the verb is one that writes an object: create, update or patch.
    pub fn modifies(&self) -> bool {
        matches!(self.verb.as_str(), "create" | "update" | "patch")
    }

    /// The stage of a finished request (`ResponseComplete`): detections judge each request
    /// once, at the stage that has its outcome.
    pub fn complete(&self) -> bool {
        self.stage == "ResponseComplete"
    }

    /// The request URI as output may show it: a query string can carry credentials (an exec
    /// command line, a token parameter), so it is decoded and its credentials masked.
    pub fn masked_uri(&self) -> String {
        match self.request_uri.split_once('?') {
            None => self.request_uri.clone(),
            Some((path, query)) => {
                let decoded = percent_encoding::percent_decode_str(query).decode_utf8_lossy();
                format!(
                    "{path}?{}",
                    palisade_model::secrets::mask_credentials(&decoded)
                )
            }
        }
    }

    /// The request body parsed, when the level recorded it.
    pub fn request_json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(self.request_object.as_ref()?.get()).ok()
    }

    /// The object as the request left it: the response body when the level recorded it (the
    /// whole object after a patch), else the request body (a patch itself, for a patch).
    pub fn object_json(&self) -> Option<serde_json::Value> {
        self.response_object
            .as_ref()
            .and_then(|body| serde_json::from_str::<serde_json::Value>(body.get()).ok())
            .filter(|v| v.get("kind").and_then(|k| k.as_str()) != Some("Status"))
            .or_else(|| self.request_json())
    }
}
