//! Kubernetes audit events (`audit.k8s.io/v1` `Event`, one JSON object per line, as the log
//! backend writes them), read as a stream so that logs of any size take bounded memory.
//!
//! Only the fields Palisade uses are decoded; unknown fields are ignored, so events of every
//! level (Metadata, Request, RequestResponse) read alike.
#![deny(missing_docs)]

use std::io::BufRead;

mod requests;

pub use requests::{Observed, observed, requests_of};

use serde::Deserialize;

/// Longest line accepted (an event with a large request body); longer lines are errors.
pub const MAX_LINE: usize = 4 << 20;

/// The user an event was made by.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    /// `username`.
    #[serde(default)]
    pub username: String,
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
}

/// One audit event.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `kind` (`Event`).
    #[serde(default)]
    pub kind: String,
    /// `stage`: RequestReceived, ResponseStarted, ResponseComplete, Panic.
    #[serde(default)]
    pub stage: String,
    /// The API verb (`get`, `list`, `create`, …) or HTTP verb for non-resource requests.
    #[serde(default)]
    pub verb: String,
    /// The request URI.
    #[serde(default, rename = "requestURI")]
    pub request_uri: String,
    /// Who made the request.
    #[serde(default)]
    pub user: UserInfo,
    /// The object, for resource requests.
    #[serde(default)]
    pub object_ref: Option<ObjectRef>,
    /// `auditID`: the events of one request's stages share it.
    #[serde(default, rename = "auditID")]
    pub audit_id: String,
    /// `responseStatus`, in the stages after the response (absent at RequestReceived).
    #[serde(default)]
    pub response_status: Option<ResponseStatus>,
    /// `annotations`, among them the authorizer's `authorization.k8s.io/decision`.
    #[serde(default)]
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// The outcome of a request (`metav1.Status`, of which only the code is read).
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct ResponseStatus {
    /// The HTTP status code.
    #[serde(default)]
    pub code: Option<u16>,
}

impl Event {
    /// Whether the request was not authorized, so that it shows nothing the identity is
    /// allowed to do. The authorizer's decision annotation says so when present (`forbid`;
    /// with `allow`, a 403 came from admission, after authorization). Without it, a refusal
    /// before authorization counts as not authorized: 401 (authentication), 403 and 429
    /// (API Priority and Fairness rejects before the authorizer runs).
    pub fn denied(&self) -> bool {
        match self
            .annotations
            .get("authorization.k8s.io/decision")
            .map(String::as_str)
        {
            Some("forbid") => true,
            Some("allow") => false,
            _ => matches!(
                self.response_status.as_ref().and_then(|s| s.code),
                Some(401 | 403 | 429)
            ),
        }
    }
}

/// A line that is not an audit event.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct ReadError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Read events from JSON lines. Blank lines are skipped; a bad line is an error for that line
/// only, and reading goes on.
pub fn read_events(reader: impl BufRead) -> impl Iterator<Item = Result<Event, ReadError>> {
    let mut reader = reader;
    let mut line_no = 0;
    let mut buf = Vec::new();
    std::iter::from_fn(move || {
        loop {
            buf.clear();
            line_no += 1;
            let read = std::io::Read::take(reader.by_ref(), MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut buf);
            match read {
                Ok(0) => return None,
                Ok(_) if buf.len() > MAX_LINE && !buf.ends_with(b"\n") => {
                    // Skip the rest of the oversized line.
                    let mut rest = Vec::new();
                    let _ = reader.read_until(b'\n', &mut rest);
                    return Some(Err(ReadError {
                        line: line_no,
                        message: format!("line longer than {MAX_LINE} bytes"),
                    }));
                }
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(ReadError {
                        line: line_no,
                        message: e.to_string(),
                    }));
                }
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(
                serde_json::from_slice::<Event>(&buf).map_err(|e| ReadError {
                    line: line_no,
                    message: format!("not an audit event: {e}"),
                }),
            );
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_line_by_line_and_bad_lines_do_not_stop_the_stream() {
        let log = concat!(
            r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","stage":"ResponseComplete","verb":"get","requestURI":"/api/v1/namespaces/prod/secrets/db","user":{"username":"system:serviceaccount:ci:deployer","groups":["system:serviceaccounts"]},"objectRef":{"resource":"secrets","namespace":"prod","name":"db","apiVersion":"v1"},"responseStatus":{"code":200}}"#,
            "\n\nnot json\n",
            r#"{"kind":"Event","stage":"ResponseComplete","verb":"get","requestURI":"/healthz","user":{"username":"alice"}}"#,
            "\n"
        );
        let events: Vec<_> = read_events(log.as_bytes()).collect();
        assert_eq!(events.len(), 3);
        let first = events[0].as_ref().unwrap();
        assert_eq!(first.user.username, "system:serviceaccount:ci:deployer");
        let object = first.object_ref.as_ref().unwrap();
        assert_eq!(
            (object.resource.as_str(), object.api_group.as_str()),
            ("secrets", "")
        );
        assert_eq!(object.name.as_deref(), Some("db"));
        assert_eq!(events[1].as_ref().unwrap_err().line, 3);
        let health = events[2].as_ref().unwrap();
        assert_eq!(
            (health.request_uri.as_str(), health.object_ref.is_none()),
            ("/healthz", true)
        );
    }
}
