//! The admission request an object arrives in, as policies see it: the operation, who asks,
//! the old object of an update. A scan has no request; policies then see the object as if it
//! were being created, which is what applying the manifest would do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The operation of an admission request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operation {
    /// A new object (and a scanned manifest).
    #[default]
    Create,
    /// A changed object.
    Update,
    /// A removed object.
    Delete,
    /// A connection (`exec`, `attach`, `portforward`, `proxy`).
    Connect,
}

impl Operation {
    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
        }
    }
}

/// `authentication.k8s.io/v1` UserInfo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserInfo {
    /// The user name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// The user's uid.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Extra attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, Vec<String>>,
}

/// Everything about an admission request but the object under review.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Request {
    /// The request's uid.
    pub uid: String,
    /// The operation.
    pub operation: Operation,
    /// Who asks.
    pub user_info: UserInfo,
    /// The object before an update (and the object a delete removes).
    pub old_object: Option<Value>,
    /// The subresource (`ephemeralcontainers`, `status`), or empty.
    pub sub_resource: String,
    /// `resource.resource` (`pods`), when the request names it.
    pub resource: Option<String>,
    /// A dry run: nothing will be stored.
    pub dry_run: bool,
    /// The operation's options (`CreateOptions`, …).
    pub options: Option<Value>,
    /// The namespace of the object as the server holds it (labels and all), when known.
    pub namespace_object: Option<Value>,
}
