//! Detections on Kubernetes audit events: the stock rules of Falco's k8saudit plugin with
//! their semantics and default allow-lists (`AUDIT-D00`…`AUDIT-D27`), and the threat-matrix
//! detections Falco does not ship (`AUDIT-D28`…). Each judges one event at a time; those that
//! correlate events keep bounded state ([`AuditState`]). Pod detections run the scan's own
//! rules on the pod the request carries, so "privileged" means here what it means in a scan.
//!
//! Falco's `kevt` is the stage `ResponseComplete`: every detection but exec/attach (which
//! Falco judges at `ResponseStarted`, the stage a streaming request reaches) judges a request
//! once, at that stage.

pub mod activity;
pub mod admission_changed;
pub mod all_events;
pub mod anonymous_allowed;
pub mod cluster_admin_binding;
pub mod configmap_credentials;
pub mod coredns_changed;
pub mod credentials_minted;
pub mod cronjob_changed;
pub mod dangerous_binding;
pub mod disallowed_namespace;
pub mod disallowed_pod;
pub mod disallowed_user;
pub mod ephemeral_containers;
pub mod events_deleted;
pub mod exec_pod;
pub mod exec_role;
pub mod full_admin_access;
pub mod host_ipc_pod;
pub mod host_network_pod;
pub mod host_pid_pod;
pub mod ingress_without_tls;
pub mod kube_namespace_pod;
pub mod kube_namespace_service_account;
pub mod lookalike_system_pod;
pub mod mass_deletion;
pub mod network_policy_widened;
pub mod node_port_service;
pub mod node_proxy;
pub mod options;
pub mod permission_probing;
pub mod pod_security_violation;
pub mod port_forward;
pub mod privileged_pod;
pub mod secret_read;
pub mod secret_read_failed;
pub mod sensitive_mount_pod;
pub mod sidecar_injected;
pub mod static_pod;
pub mod system_role_modified;
pub mod untrusted_node;
pub mod unusual_source;
pub mod wildcard_role;
pub mod write_role;

use std::sync::LazyLock;

use palisade_audit::Event;
use palisade_diagnostics::{AuditEventRef, Interner, ObjectRef, Subject};
use palisade_engine::prelude::*;
use palisade_engine::{RuleHandle, RuleSet, Settings};

/// The subject of a finding about `event`: the event, with the object it names.
pub(crate) fn subject(event: &Event) -> Subject {
    let object = event.object_ref.as_ref().map(|o| {
        let kind = match o.subresource.as_deref().filter(|s| !s.is_empty()) {
            Some(sub) => format!("{}/{sub}", o.resource),
            None => o.resource.clone(),
        };
        ObjectRef {
            api_version: if o.api_group.is_empty() {
                o.api_version.as_str().into()
            } else {
                format!("{}/{}", o.api_group, o.api_version).into()
            },
            kind: kind.into(),
            namespace: o
                .namespace
                .as_deref()
                .filter(|n| !n.is_empty())
                .map(Into::into),
            name: o.name.as_deref().filter(|n| !n.is_empty()).map(Into::into),
            uid: None,
            cluster: None,
        }
    });
    Subject::AuditEvent(AuditEventRef {
        audit_id: event.audit_id.as_str().into(),
        user: event.user.username.as_str().into(),
        verb: event.verb.as_str().into(),
        object,
    })
}

/// `user NAME`, as messages name the acting identity (and whom it impersonated).
pub(crate) fn who(event: &Event) -> String {
    let mut out = format!("user {:?}", event.user.username);
    if let Some(as_user) = &event.impersonated_user {
        out.push_str(&format!(" (as {:?})", as_user.username));
    }
    out
}

/// `resource namespace/name`, as messages name the object of a request.
pub(crate) fn target(event: &Event) -> String {
    let mut out = event.resource().to_string();
    if !event.subresource().is_empty() {
        out = format!("{out}/{}", event.subresource());
    }
    match (event.namespace(), event.name()) {
        ("", "") => out,
        ("", name) => format!("{out} {name}"),
        (ns, "") => format!("{out} in namespace {ns}"),
        (ns, name) => format!("{out} {ns}/{name}"),
    }
}

/// Report `message` about `event`.
pub(crate) fn report(ctx: &mut SubjectCtx<'_>, event: &Event, message: String) {
    ctx.report(subject(event), "", message);
}

/// A create of `resource`, whatever its outcome, judged once at the end of the request.
pub(crate) fn creates(event: &Event, resource: &str) -> bool {
    event.complete() && event.verb == "create" && event.is(resource)
}

/// A successful create of `resource`, judged once at the end of the request.
pub(crate) fn created(event: &Event, resource: &str) -> bool {
    creates(event, resource) && event.succeeded()
}

/// ` (refused: 403)` for a request that failed, else nothing: detections that judge attempts
/// say when the attempt did not succeed.
pub(crate) fn outcome(event: &Event) -> String {
    match event.code() {
        Some(code) if event.failed() => format!(" (refused: {code})"),
        _ => String::new(),
    }
}

/// The rules of a Role or ClusterRole a create request carries, as (verbs, resources).
pub(crate) fn role_rules(event: &Event) -> Option<Vec<(Vec<String>, Vec<String>)>> {
    let body = event.request_json()?;
    let strings = |v: Option<&serde_json::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(
        body.get("rules")
            .and_then(|r| r.as_array())
            .map(|rules| {
                rules
                    .iter()
                    .map(|r| (strings(r.get("verbs")), strings(r.get("resources"))))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// A create of a Role or ClusterRole, with its rules when the body was recorded.
pub(crate) fn role_created(event: &Event) -> Option<Vec<(Vec<String>, Vec<String>)>> {
    if !(creates(event, "roles") || creates(event, "clusterroles")) {
        return None;
    }
    role_rules(event)
}

/// Whether `image` is one of `images`: entries match the image's repository (the image
/// without tag or digest, registry included: `docker.io/falcosecurity/falco`), or its start
/// when they end with `/` or `*` (`registry.k8s.io/`).
pub(crate) fn image_allowed(image: &str, images: &[String]) -> bool {
    let repository = repository(image);
    images.iter().any(|entry| {
        if let Some(prefix) = entry.strip_suffix('*') {
            image.starts_with(prefix)
        } else if entry.ends_with('/') {
            image.starts_with(entry.as_str())
        } else {
            repository == entry || repository.strip_prefix("docker.io/") == Some(entry)
        }
    })
}

/// An image without its tag or digest.
pub(crate) fn repository(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(colon) if !image[colon..].contains('/') => &image[..colon],
        _ => image,
    }
}

/// What the scan's rules found on the object of a request: each finding's message and the
/// image of the container it is about (empty for pod-level findings).
pub(crate) struct PodFinding {
    /// The container's image, or `""` for a pod-level finding.
    pub image: String,
    /// The scan rule's message.
    pub message: String,
    /// The field it is about (a JSON pointer into the pod).
    pub pointer: String,
}

/// The scan's rules that a detection runs on the object a request carries (a pod, a CronJob,
/// a NetworkPolicy), as a rule set built once.
pub(crate) struct ScanCheck {
    rules: LazyLock<RuleSet>,
}

impl ScanCheck {
    /// A check by the scan rules `rules` (evaluated when first used).
    pub(crate) const fn new(rules: fn() -> RuleSet) -> Self {
        ScanCheck {
            rules: LazyLock::new(rules),
        }
    }

    /// The rule set of `rules`, as the scan runs them.
    pub(crate) fn of(rules: &[&'static Rule]) -> RuleSet {
        RuleSet::with_rules(
            rules.iter().map(|&r| RuleHandle::Builtin(r)),
            Settings::default(),
        )
        .expect("built-in rules form a rule set")
    }

    /// The findings on the pod a successful `pods` create carries (none for other events,
    /// and none when the audit level did not record the request body).
    pub(crate) fn findings(&self, event: &Event) -> Vec<PodFinding> {
        if !creates(event, "pods") {
            return Vec::new();
        }
        let Some(body) = &event.request_object else {
            return Vec::new();
        };
        self.findings_in(body.get())
    }

    /// The findings on an object (JSON), as the scan reports them.
    pub(crate) fn findings_in(&self, body: &str) -> Vec<PodFinding> {
        let Ok(doc) = palisade_source::Document::from_json_str(body, 64) else {
            return Vec::new();
        };
        let report = self
            .rules
            .scan_document(&doc, "request", &mut Interner::default());
        let objects = palisade_model::objects_in(&doc);
        let pod = objects.objects.first().and_then(PodSpecView::of);
        report
            .findings
            .into_iter()
            .map(|f| {
                let image = f
                    .container
                    .as_deref()
                    .and_then(|name| {
                        pod.as_ref()?
                            .containers()
                            .iter()
                            .find(|c| c.name == name)?
                            .node
                            .get("image")?
                            .as_str()
                    })
                    .unwrap_or("")
                    .to_string();
                PodFinding {
                    image,
                    message: f.message.to_string(),
                    pointer: f.location.pointer.to_string(),
                }
            })
            .collect()
    }
}

/// The scan's host-namespace rule (PSS002), which the hostNetwork, hostPID and hostIPC
/// detections share: one rule set for the three.
pub(crate) static HOST_NAMESPACES: ScanCheck =
    ScanCheck::new(|| ScanCheck::of(&[&crate::pss::host_namespaces::RULE]));

impl ScanCheck {
    /// A pod detection: on a pod create, the findings of the scan's rules whose field ends
    /// with `field` (`""` for all), except those the image allow-list `allowed` exempts, as one
    /// finding that says what the pod is (`what`). A container's finding is exempt when its
    /// image is listed; a pod-level one (a volume, a host namespace) when every image of the
    /// pod is.
    pub(crate) fn detect(
        &self,
        event: &Event,
        ctx: &mut SubjectCtx<'_>,
        allowed: &[String],
        field: &str,
        what: &str,
    ) {
        if !creates(event, "pods") {
            return;
        }
        ctx.applicable();
        let images = pod_images(event);
        let every = !images.is_empty() && images.iter().all(|i| image_allowed(i, allowed));
        let found: Vec<String> = self
            .findings(event)
            .into_iter()
            .filter(|f| f.pointer.ends_with(field))
            .filter(|f| {
                if f.image.is_empty() {
                    !every
                } else {
                    !image_allowed(&f.image, allowed)
                }
            })
            .map(|f| f.message)
            .collect();
        if found.is_empty() {
            return;
        }
        report(
            ctx,
            event,
            format!(
                "{} created {what} {}{}: {}",
                who(event),
                target_pod(event),
                outcome(event),
                found.join("; ")
            ),
        );
    }
}

/// Report a pod create whose images (any container's) are not on `allowed`, as `what`
/// (`not on the allowed list`).
pub(crate) fn report_unlisted_images(
    ctx: &mut SubjectCtx<'_>,
    event: &Event,
    allowed: &[String],
    what: &str,
) {
    let images: Vec<String> = pod_images(event)
        .into_iter()
        .filter(|image| !image_allowed(image, allowed))
        .collect();
    if images.is_empty() {
        return;
    }
    report(
        ctx,
        event,
        format!(
            "{} created pod {}{} with images {what}: {}",
            who(event),
            target_pod(event),
            outcome(event),
            images.join(", ")
        ),
    );
}

/// What a request did, as messages name it: `get secrets shop/db`, or the URI of a
/// non-resource request (masked).
pub(crate) fn request(event: &Event) -> String {
    let what = if event.object_ref.is_some() {
        target(event)
    } else {
        event.masked_uri()
    };
    format!("{} {what}", event.verb)
}

/// Report a Role or ClusterRole create as `granting` (`with a wildcard in its rules`).
pub(crate) fn report_role(ctx: &mut SubjectCtx<'_>, event: &Event, granting: &str) {
    report(
        ctx,
        event,
        format!(
            "{} created {} {granting}{}",
            who(event),
            target(event),
            outcome(event)
        ),
    );
}

/// The images of every container (init and ephemeral ones included) of the pod a create
/// request carries.
pub(crate) fn pod_images(event: &Event) -> Vec<String> {
    let Some(body) = event.request_json() else {
        return Vec::new();
    };
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .filter_map(|list| body.get("spec")?.get(list)?.as_array())
        .flatten()
        .filter_map(|c| c.get("image")?.as_str().map(str::to_string))
        .collect()
}

/// `namespace/name` of the pod a create request makes (its name may be generated, so only in
/// the body).
pub(crate) fn target_pod(event: &Event) -> String {
    let name = event.name();
    let name = if name.is_empty() {
        event
            .request_json()
            .and_then(|v| {
                let m = v.get("metadata")?;
                m.get("name")
                    .or_else(|| m.get("generateName"))?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_default()
    } else {
        name.to_string()
    };
    format!("{}/{name}", event.namespace())
}

/// The subjects of a binding's body, as `ServiceAccount ci/deployer, Group devs`.
pub(crate) fn binding_subjects(body: &serde_json::Value) -> String {
    let subjects: Vec<String> = body
        .get("subjects")
        .and_then(|s| s.as_array())
        .map(|subjects| {
            subjects
                .iter()
                .map(|s| {
                    let field = |k: &str| s.get(k).and_then(|v| v.as_str()).unwrap_or("");
                    match field("namespace") {
                        "" => format!("{} {}", field("kind"), field("name")),
                        ns => format!("{} {ns}/{}", field("kind"), field("name")),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    if subjects.is_empty() {
        "no subject".to_string()
    } else {
        subjects.join(", ")
    }
}

/// The object a write request leaves, as the scan would read it: the whole object when the
/// level recorded it, else the request body with `kind` and `apiVersion` filled in (a merge
/// patch carries neither, and the scan's rules judge what it sets). A JSON patch (a list of
/// operations) is no object: `None`.
pub(crate) fn object_for_scan(event: &Event, kind: &str) -> Option<String> {
    let mut object = event.object_json()?;
    let map = object.as_object_mut()?;
    if !map.contains_key("kind") {
        map.insert("kind".into(), kind.into());
    }
    if !map.contains_key("apiVersion") {
        let version = event.object_ref.as_ref().map_or(String::new(), |o| {
            if o.api_group.is_empty() {
                o.api_version.clone()
            } else {
                format!("{}/{}", o.api_group, o.api_version)
            }
        });
        map.insert("apiVersion".into(), version.into());
    }
    Some(object.to_string())
}

/// When the event happened (microseconds), for the detections that count within a window;
/// 0 when it carries no timestamp.
pub(crate) fn at(event: &Event) -> i64 {
    event.at_micros().unwrap_or(0)
}

/// The window of the counting detections, in microseconds.
pub(crate) fn window(options: &options::AuditOptions) -> i64 {
    i64::try_from(options.audit_window_seconds.max(1))
        .unwrap_or(i64::MAX / 1_000_000)
        .saturating_mul(1_000_000)
}

/// Report what `event` did to its object: `user "alice" patched configmaps kube-system/coredns`,
/// with the outcome when it was refused.
pub(crate) fn report_change(ctx: &mut SubjectCtx<'_>, event: &Event) {
    report(
        ctx,
        event,
        format!(
            "{} {} {}{}",
            who(event),
            past(&event.verb),
            target(event),
            outcome(event)
        ),
    );
}

/// A verb in the past tense, as messages say what a request did.
pub(crate) fn past(verb: &str) -> &str {
    match verb {
        "create" => "created",
        "update" => "updated",
        "patch" => "patched",
        "delete" => "deleted",
        "deletecollection" => "deleted every one of",
        "get" => "read",
        "list" => "listed",
        "watch" => "watched",
        other => other,
    }
}

/// Whether `event` is the first response of its request: `ResponseStarted` (which only
/// streaming requests reach), or `ResponseComplete` (or `Panic`) when no started stage was
/// seen for it. Detections of streaming requests (exec, port-forward) judge each one there,
/// once, as early as the log allows; `state` remembers the requests that started.
pub(crate) fn first_response(event: &Event, state: &mut AuditState) -> bool {
    match event.stage.as_str() {
        "ResponseStarted" => {
            state.bump(&event.audit_id);
            true
        }
        "ResponseComplete" | "Panic" if state.count(&event.audit_id) > 0 => {
            state.forget(&event.audit_id);
            false
        }
        "ResponseComplete" | "Panic" => true,
        _ => false,
    }
}

/// Whether `username` is one of the API server's own identities: every `system:` user
/// (nodes, control-plane components) but the ServiceAccounts outside kube-system. Detections
/// of what people and workloads do leave these out.
pub(crate) fn system_component(username: &str) -> bool {
    match username.strip_prefix("system:serviceaccount:") {
        Some(account) => account.starts_with("kube-system:"),
        None => username.starts_with("system:"),
    }
}

/// Whether a list names `value` (lists from the configuration; `*` entries as prefixes).
pub(crate) fn listed(list: &[String], value: &str) -> bool {
    list.iter().any(|entry| match entry.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => entry == value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_match_by_repository_or_prefix() {
        let list = vec![
            "falcosecurity/falco".to_string(),
            "registry.k8s.io/kube-proxy".to_string(),
            "quay.io/cilium/".to_string(),
        ];
        assert!(image_allowed("falcosecurity/falco:0.39", &list));
        assert!(image_allowed("docker.io/falcosecurity/falco:0.39", &list));
        assert!(image_allowed(
            "registry.k8s.io/kube-proxy@sha256:abc",
            &list
        ));
        assert!(image_allowed("quay.io/cilium/cilium:v1.16", &list));
        assert!(!image_allowed("evil.io/falcosecurity/falco:0.39", &list));
        assert!(!image_allowed("registry.k8s.io/kube-proxy-fake:1", &list));
        assert_eq!(repository("localhost:5000/app:1.0"), "localhost:5000/app");
        assert_eq!(repository("localhost:5000/app"), "localhost:5000/app");
    }
}
