//! What a finding is about: a Kubernetes object, a file on a node, a network endpoint, or an
//! audit event. Manifests, snapshots, live clusters and admission requests give objects; node
//! checks give files and endpoints; audit-log detection gives events.

use arcstr::ArcStr;
use serde::Serialize;

use crate::finding::ObjectRef;

/// The subject of a finding. Its identity ([`Subject::identity`]) is what fingerprints use,
/// so that a baseline or waiver follows the subject whatever file (if any) it was read from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Subject {
    /// A Kubernetes object.
    Object(ObjectRef),
    /// A file (or directory) on a node: a component configuration, a PKI file, a kubeconfig.
    NodeFile(NodeFileRef),
    /// A network endpoint a probe reached: the kubelet, the API server, etcd.
    Endpoint(EndpointRef),
    /// One event of a Kubernetes audit log.
    AuditEvent(AuditEventRef),
}

/// A file on a node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct NodeFileRef {
    /// The node's name, when known (the hostname under the scanned root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<ArcStr>,
    /// The absolute path on the node (not under the scanned root).
    pub path: ArcStr,
}

/// A network endpoint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EndpointRef {
    /// The component that serves it: `kubelet`, `kube-apiserver`, `etcd`, ...
    pub component: ArcStr,
    /// `host:port`, or a URL.
    pub address: ArcStr,
}

/// An audit event.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct AuditEventRef {
    /// The event's `auditID`.
    #[serde(rename = "auditID")]
    pub audit_id: ArcStr,
    /// The user who made the request (`user.username`).
    pub user: ArcStr,
    /// The request's verb.
    pub verb: ArcStr,
    /// The object the request was about, when it names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectRef>,
}

impl Subject {
    /// The object, when the subject is one.
    pub fn object(&self) -> Option<&ObjectRef> {
        match self {
            Subject::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The subject's kind: the object's `kind`, or `NodeFile`, `Endpoint`, `AuditEvent`.
    pub fn kind(&self) -> &str {
        match self {
            Subject::Object(o) => &o.kind,
            Subject::NodeFile(_) => "NodeFile",
            Subject::Endpoint(_) => "Endpoint",
            Subject::AuditEvent(_) => "AuditEvent",
        }
    }

    /// What identifies the subject beside its kind: (scope, name). An object's namespace as
    /// written and its name; a node and path; a component and address; an audit event's id.
    pub fn identity(&self) -> (&str, &str) {
        match self {
            Subject::Object(o) => (
                o.namespace.as_deref().unwrap_or(""),
                o.name.as_deref().unwrap_or(""),
            ),
            Subject::NodeFile(f) => (f.node.as_deref().unwrap_or(""), &f.path),
            Subject::Endpoint(e) => (&e.component, &e.address),
            Subject::AuditEvent(e) => ("", &e.audit_id),
        }
    }

    /// The short form used in text output: `Kind/namespace/name` for objects, `node:/path`
    /// for node files, `component at address` for endpoints, `id (user verb object)` for
    /// audit events.
    pub fn display_name(&self) -> String {
        match self {
            Subject::Object(o) => o.display_name(),
            Subject::NodeFile(f) => match &f.node {
                Some(node) => format!("{node}:{}", f.path),
                None => f.path.to_string(),
            },
            Subject::Endpoint(e) => format!("{} at {}", e.component, e.address),
            Subject::AuditEvent(e) => {
                let about = e
                    .object
                    .as_ref()
                    .map(|o| format!(" {}", o.display_name()))
                    .unwrap_or_default();
                format!("{} ({} {}{about})", e.audit_id, e.user, e.verb)
            }
        }
    }
}

impl From<ObjectRef> for Subject {
    fn from(object: ObjectRef) -> Subject {
        Subject::Object(object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_subject_has_an_identity_and_a_name() {
        let object = Subject::Object(ObjectRef {
            api_version: "v1".into(),
            kind: "Pod".into(),
            namespace: Some("ns".into()),
            name: Some("p".into()),
            uid: None,
            cluster: None,
        });
        assert_eq!(object.kind(), "Pod");
        assert_eq!(object.identity(), ("ns", "p"));
        assert_eq!(object.display_name(), "Pod/ns/p");

        let file = Subject::NodeFile(NodeFileRef {
            node: Some("n1".into()),
            path: "/etc/kubernetes/admin.conf".into(),
        });
        assert_eq!(file.kind(), "NodeFile");
        assert_eq!(file.identity(), ("n1", "/etc/kubernetes/admin.conf"));
        assert_eq!(file.display_name(), "n1:/etc/kubernetes/admin.conf");
        assert!(file.object().is_none());

        let endpoint = Subject::Endpoint(EndpointRef {
            component: "kubelet".into(),
            address: "10.0.0.5:10250".into(),
        });
        assert_eq!(endpoint.display_name(), "kubelet at 10.0.0.5:10250");

        let event = Subject::AuditEvent(AuditEventRef {
            audit_id: "a1".into(),
            user: "alice".into(),
            verb: "get".into(),
            object: None,
        });
        assert_eq!(event.identity(), ("", "a1"));
        assert_eq!(event.display_name(), "a1 (alice get)");
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "audit-event");
        assert_eq!(json["auditID"], "a1");
    }
}
