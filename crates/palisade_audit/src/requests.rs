//! What an identity did, from its audit events: the requests it made, as the authorizer saw
//! them, for least-privilege roles.

use std::collections::HashSet;
use std::io::BufRead;

use palisade_model::authz::{Request, Scope, Target};

use crate::{Event, ReadError, read_events};

/// The request an audit event records.
pub fn observed(event: &Event) -> Request {
    match &event.object_ref {
        Some(o) => Request {
            verb: event.verb.clone(),
            scope: match o.namespace.as_deref().filter(|n| !n.is_empty()) {
                Some(ns) => Scope::Namespace(ns.to_string()),
                None => Scope::Cluster,
            },
            target: Target::Resource {
                group: o.api_group.clone(),
                resource: o.resource.clone(),
                subresource: o.subresource.clone().filter(|s| !s.is_empty()),
                name: o.name.clone().filter(|n| !n.is_empty()),
            },
        },
        None => Request {
            verb: event.verb.clone(),
            scope: Scope::Cluster,
            target: Target::NonResource(
                event
                    .request_uri
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            ),
        },
    }
}

/// The requests of one user in a log.
#[derive(Debug, Default)]
pub struct Observed {
    /// The requests it made and was not refused, in log order (a request's stages each count).
    pub requests: Vec<Request>,
    /// Requests refused with 401 or 403.
    pub refused: usize,
}

/// The requests `username` made in the events of `reader`. The stages of one request share
/// its auditID, and a request refused in any stage was not allowed, so it grants nothing.
/// Lines that are not events go to `on_error`; reading goes on.
pub fn requests_of(
    reader: impl BufRead,
    username: &str,
    mut on_error: impl FnMut(ReadError),
) -> Observed {
    let mut requests: Vec<(String, Request)> = Vec::new();
    let mut denied: HashSet<String> = HashSet::new();
    for event in read_events(reader) {
        match event {
            Ok(e) if e.user.username == username && !e.verb.is_empty() => {
                if e.denied() {
                    denied.insert(e.audit_id.clone());
                } else {
                    requests.push((e.audit_id.clone(), observed(&e)));
                }
            }
            Ok(_) => {}
            Err(e) => on_error(e),
        }
    }
    Observed {
        requests: requests
            .into_iter()
            .filter(|(id, _)| id.is_empty() || !denied.contains(id))
            .map(|(_, r)| r)
            .collect(),
        refused: denied.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, user: &str, verb: &str, object: &str, code: u16) -> String {
        format!(
            r#"{{"kind":"Event","auditID":"{id}","stage":"ResponseComplete","verb":"{verb}","requestURI":"/api/v1/x?watch=1","user":{{"username":"{user}"}},{object}"responseStatus":{{"code":{code}}}}}"#
        )
    }

    #[test]
    fn a_users_allowed_requests_and_nothing_else() {
        let log = [
            line(
                "1",
                "bob",
                "get",
                r#""objectRef":{"resource":"secrets","namespace":"prod","name":"db"},"#,
                200,
            ),
            line(
                "2",
                "bob",
                "create",
                r#""objectRef":{"resource":"pods","namespace":"prod"},"#,
                403,
            ),
            line(
                "3",
                "alice",
                "delete",
                r#""objectRef":{"resource":"nodes"},"#,
                200,
            ),
            line("4", "bob", "get", "", 200),
            "not json".to_string(),
        ]
        .join("\n");
        let mut errors = 0;
        let seen = requests_of(log.as_bytes(), "bob", |_| errors += 1);
        assert_eq!((seen.requests.len(), seen.refused, errors), (2, 1, 1));
        assert_eq!(seen.requests[0].scope, Scope::Namespace("prod".into()));
        assert_eq!(
            seen.requests[0].target,
            Target::Resource {
                group: String::new(),
                resource: "secrets".into(),
                subresource: None,
                name: Some("db".into()),
            }
        );
        assert_eq!(
            seen.requests[1].target,
            Target::NonResource("/api/v1/x".into())
        );
    }
}
