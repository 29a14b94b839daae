//! Subjects and requests as users write them (`system:serviceaccount:ns:name`,
//! `ServiceAccount/ns/name`, `get deployments.apps/scale`), parsed into the model's types.

use super::{Identity, Request, Scope, SubjectKind, SubjectRef, Target};

/// A subject that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    /// Not in any of the forms.
    #[error("`{0}` is not a subject: use {SUBJECT_FORMS}")]
    NotASubject(String),
    /// `system:serviceaccount:` without `NAMESPACE:NAME`.
    #[error("a ServiceAccount user name is system:serviceaccount:NAMESPACE:NAME, not `{0}`")]
    ServiceAccountUser(String),
    /// Groups were given for a ServiceAccount or a group.
    #[error("groups apply to users only")]
    GroupsForNonUser,
}

/// A request that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// `RESOURCE/SUB` and a different subresource.
    #[error("two subresources given: {0} and {1}")]
    TwoSubresources(String, String),
    /// No verb or no resource.
    #[error("a verb and a resource are needed, e.g. `get secrets` or `create pods/exec`")]
    Incomplete,
}

/// The forms a subject may be written in.
pub const SUBJECT_FORMS: &str = "system:serviceaccount:NS:NAME, ServiceAccount/NS/NAME, NS/NAME, \
                             User/NAME, Group/NAME or a user name";

/// Parse a subject in any form Palisade prints or users write: the user name of a
/// ServiceAccount token (`system:serviceaccount:NS:NAME`), `ServiceAccount/NS/NAME`,
/// `ServiceAccount NS/NAME` (as output shows subjects), `NS/NAME` (a ServiceAccount),
/// `User/NAME`, `User NAME`, `Group/NAME`, `Group NAME`, or a bare user name.
pub fn parse_subject(
    text: &str,
    groups: &[String],
) -> Result<(SubjectRef, Identity), SubjectError> {
    let text = text.trim();
    let service_account = |ns: &str, name: &str| -> Result<SubjectRef, SubjectError> {
        if ns.is_empty() || name.is_empty() || name.contains(['/', ':']) {
            return Err(SubjectError::NotASubject(text.to_string()));
        }
        Ok(SubjectRef {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: Some(ns.to_string()),
        })
    };
    let named = |kind: SubjectKind, name: &str| -> Result<SubjectRef, SubjectError> {
        if name.is_empty() {
            return Err(SubjectError::NotASubject(text.to_string()));
        }
        Ok(SubjectRef {
            kind,
            name: name.to_string(),
            namespace: None,
        })
    };
    // `Kind/rest` or `Kind rest`, the kind in any case.
    let (kind, rest) = match text.split_once(['/', ' ']) {
        Some((k, rest))
            if ["serviceaccount", "sa", "user", "group"]
                .iter()
                .any(|x| k.eq_ignore_ascii_case(x)) =>
        {
            (Some(k.to_ascii_lowercase()), rest.trim())
        }
        _ => (None, text),
    };
    let subject = match (kind.as_deref(), rest) {
        (_, rest) if rest.starts_with("system:serviceaccount:") => {
            let sa = &rest["system:serviceaccount:".len()..];
            match sa.split_once(':') {
                Some((ns, name)) => service_account(ns, name)?,
                None => return Err(SubjectError::ServiceAccountUser(text.to_string())),
            }
        }
        (Some("serviceaccount" | "sa") | None, rest) if rest.contains('/') => {
            let (ns, name) = rest.split_once('/').unwrap_or_default();
            service_account(ns, name)?
        }
        (Some("user"), name) => named(SubjectKind::User, name)?,
        (Some("group"), name) => named(SubjectKind::Group, name)?,
        (None, name) if !name.contains(char::is_whitespace) => named(SubjectKind::User, name)?,
        _ => return Err(SubjectError::NotASubject(text.to_string())),
    };
    let identity = match subject.kind {
        SubjectKind::User => Identity::user(&subject.name, groups),
        _ if !groups.is_empty() => return Err(SubjectError::GroupsForNonUser),
        _ => Identity::of_subject(&subject),
    };
    Ok((subject, identity))
}

/// A request as a user writes it.
#[derive(Debug, Clone, Default)]
pub struct RequestSpec {
    /// The verb.
    pub verb: String,
    /// `pods`, `pods/exec`, `deployments.apps`, `*`, or a non-resource URL (`/metrics`).
    pub resource: String,
    /// The subresource, when not written after the resource.
    pub subresource: Option<String>,
    /// The object name.
    pub name: Option<String>,
    /// The namespace of the request.
    pub namespace: Option<String>,
    /// Cluster scope (without a namespace: every namespace at once).
    pub cluster: bool,
}

/// Build the request, and say whether the resource named its API group.
pub fn parse_request(a: &RequestSpec) -> Result<(Request, bool), RequestError> {
    if a.resource.starts_with('/') {
        let request = Request {
            verb: a.verb.clone(),
            scope: Scope::Cluster,
            target: Target::NonResource(a.resource.clone()),
        };
        return Ok((request, true));
    }
    let (resource, subresource) = match a.resource.split_once('/') {
        Some((r, s)) => (r, Some(s.to_string())),
        None => (a.resource.as_str(), None),
    };
    let subresource = match (subresource, &a.subresource) {
        (Some(s), Some(t)) if s != *t => return Err(RequestError::TwoSubresources(s, t.clone())),
        (s, t) => s.or_else(|| t.clone()),
    };
    let group_given = resource.contains('.');
    let (resource, group) = resource.split_once('.').unwrap_or((resource, ""));
    if resource.is_empty() || a.verb.is_empty() {
        return Err(RequestError::Incomplete);
    }
    let scope = match (&a.namespace, a.cluster) {
        (Some(ns), _) => Scope::Namespace(ns.clone()),
        (None, true) => Scope::Cluster,
        (None, false) => Scope::AnyNamespace,
    };
    let request = Request {
        verb: a.verb.clone(),
        scope,
        target: Target::Resource {
            group: group.to_string(),
            resource: resource.to_string(),
            subresource,
            name: a.name.clone(),
        },
    };
    Ok((request, group_given))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_in_every_form() {
        let sa = |t: &str| parse_subject(t, &[]).unwrap().0.display();
        for form in [
            "system:serviceaccount:ci:deployer",
            "ServiceAccount/ci/deployer",
            "serviceaccount ci/deployer",
            "sa/ci/deployer",
            "ci/deployer",
        ] {
            assert_eq!(sa(form), "ServiceAccount ci/deployer", "{form}");
        }
        assert_eq!(sa("alice"), "User alice");
        assert_eq!(sa("Group/devs"), "Group devs");
        let (_, id) = parse_subject("alice", &["devs".into()]).unwrap();
        assert!(id.groups.contains(&"devs".to_string()));
        assert_eq!(
            parse_subject("ci/deployer", &["devs".into()]).unwrap_err(),
            SubjectError::GroupsForNonUser
        );
        assert!(matches!(
            parse_subject("two words", &[]),
            Err(SubjectError::NotASubject(_))
        ));
        assert!(matches!(
            parse_subject("system:serviceaccount:ci", &[]),
            Err(SubjectError::ServiceAccountUser(_))
        ));
        assert!(matches!(
            parse_subject("sa/ci/", &[]),
            Err(SubjectError::NotASubject(_))
        ));
    }

    #[test]
    fn requests_with_groups_subresources_and_scopes() {
        let spec = |verb: &str, resource: &str| RequestSpec {
            verb: verb.into(),
            resource: resource.into(),
            ..RequestSpec::default()
        };
        let (r, grouped) = parse_request(&spec("get", "deployments.apps/scale")).unwrap();
        assert!(grouped);
        assert_eq!(r.scope, Scope::AnyNamespace);
        assert_eq!(
            r.target,
            Target::Resource {
                group: "apps".into(),
                resource: "deployments".into(),
                subresource: Some("scale".into()),
                name: None
            }
        );
        let (r, _) = parse_request(&spec("get", "/metrics")).unwrap();
        assert_eq!(r.target, Target::NonResource("/metrics".into()));
        let namespaced = RequestSpec {
            namespace: Some("prod".into()),
            ..spec("create", "pods")
        };
        assert_eq!(
            parse_request(&namespaced).unwrap().0.scope,
            Scope::Namespace("prod".into())
        );
        let two = RequestSpec {
            subresource: Some("log".into()),
            ..spec("get", "pods/exec")
        };
        assert_eq!(
            parse_request(&two).unwrap_err(),
            RequestError::TwoSubresources("exec".into(), "log".into())
        );
        assert_eq!(
            parse_request(&spec("", "pods")).unwrap_err(),
            RequestError::Incomplete
        );
    }
}
