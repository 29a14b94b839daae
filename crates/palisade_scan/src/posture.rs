//! Posture context for audit alerts (`palisade audit … --context`): what the cluster's RBAC
//! objects say about the identity acting, and what the scan found on the object it acts on,
//! from a snapshot or the manifests the cluster runs. The same `RbacGraph` and findings the
//! scan and `rbac risks` produce, indexed for lookups by audit events.

use std::collections::HashMap;

use palisade_audit::Event;
use palisade_diagnostics::{Finding, FindingList, Severity, Subject};
use palisade_model::authz::{Identity, RbacGraph, Risk};
use palisade_report::audit::{PostureFinding, PostureNote};

/// Findings kept per object, most severe first.
const FINDINGS_PER_OBJECT: usize = 8;

/// Powers and paths listed per identity.
const POWERS_PER_IDENTITY: usize = 8;

/// Resources whose pods carry the workload's name as a prefix.
const POD_OWNERS: [&str; 6] = [
    "deployments",
    "statefulsets",
    "daemonsets",
    "replicasets",
    "jobs",
    "cronjobs",
];

/// The posture of one cluster, indexed for audit events.
#[derive(Debug, Default)]
pub struct Posture {
    rbac: RbacGraph,
    risks: Vec<Risk>,
    /// Findings by (namespace, resource, name).
    objects: HashMap<(String, String, String), Object>,
}

#[derive(Debug, Default)]
struct Object {
    display: String,
    findings: Vec<PostureFinding>,
}

impl Posture {
    /// The posture of `rbac` (resolved) and the scan `findings` of the same objects.
    pub fn new(rbac: RbacGraph, findings: &FindingList) -> Posture {
        let risks = rbac.risks();
        let mut objects: HashMap<(String, String, String), Object> = HashMap::new();
        for f in findings.refs().filter(|f| !f.suppressed && !f.superseded) {
            let Subject::Object(object) = f.subject else {
                continue;
            };
            let Some(name) = &object.name else {
                continue;
            };
            let group = palisade_model::resources::group_of(&object.api_version);
            let resource = palisade_model::resources::builtin_resource_of_kind(group, &object.kind)
                .map_or_else(
                    || format!("{}s", object.kind.to_lowercase()),
                    str::to_string,
                );
            let namespace = object.namespace.as_deref().unwrap_or("").to_string();
            let entry = objects
                .entry((namespace, resource, name.to_string()))
                .or_insert_with(|| Object {
                    display: object.display_name(),
                    findings: Vec::new(),
                });
            entry.findings.push(PostureFinding {
                rule: f.rule.id.to_string(),
                severity: f.severity,
                message: f.message.to_string(),
            });
        }
        for object in objects.values_mut() {
            object
                .findings
                .sort_by(|a, b| b.severity.cmp(&a.severity).then(a.rule.cmp(&b.rule)));
            object.findings.dedup();
            object.findings.truncate(FINDINGS_PER_OBJECT);
        }
        Posture {
            rbac,
            risks,
            objects,
        }
    }

    /// The cluster's RBAC objects (for detections that look roles up).
    pub fn rbac(&self) -> &RbacGraph {
        &self.rbac
    }

    /// What the posture says about `event`: the acting identity (the impersonated one when
    /// the request impersonated) and the object.
    pub fn note(&self, event: &Event) -> PostureNote {
        let mut note = PostureNote::default();
        let user = event.impersonated_user.as_ref().unwrap_or(&event.user);
        if !user.username.is_empty() {
            let identity = match user
                .username
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
            {
                Some((ns, name)) => Identity::service_account(ns, name),
                None => Identity::user(&user.username, &user.groups),
            };
            if identity.groups.iter().any(|g| g == "system:masters") {
                note.powers
                    .push("is in system:masters: every permission, past RBAC".to_string());
            }
            for risk in self.risks.iter().filter(|r| identity.matches(&r.subject)) {
                if note.powers.len() < POWERS_PER_IDENTITY {
                    let place = risk
                        .namespace
                        .as_deref()
                        .map_or("cluster-wide".to_string(), |ns| format!("in {ns}"));
                    note.powers.push(format!(
                        "can {} {place} (via {} -> {})",
                        risk.power.describe(),
                        risk.via.binding,
                        risk.via.role
                    ));
                }
                if risk.path.matches(" -> ").count() > 1
                    && note.escalation.len() < POWERS_PER_IDENTITY
                    && !note.escalation.contains(&risk.path)
                {
                    note.escalation.push(risk.path.clone());
                }
            }
        }
        if let Some(object) = self.object(event) {
            note.object = Some(object.display.clone());
            note.findings = object.findings.clone();
        }
        note
    }

    /// The object an event is about: the one named, or for a pod that is not in the input,
    /// the workload whose name its name extends (`web-5d9c8-x7k2p` → Deployment `web`).
    fn object(&self, event: &Event) -> Option<&Object> {
        let (namespace, resource, name) = (event.namespace(), event.resource(), event.name());
        if name.is_empty() {
            return None;
        }
        let key = |r: &str, n: &str| (namespace.to_string(), r.to_string(), n.to_string());
        if let Some(object) = self.objects.get(&key(resource, name)) {
            return Some(object);
        }
        if resource != "pods" {
            return None;
        }
        // The longest workload name the pod's name extends.
        let mut cut = name.len();
        while let Some(i) = name[..cut].rfind('-') {
            cut = i;
            let owner = &name[..cut];
            if let Some(object) = POD_OWNERS
                .iter()
                .find_map(|r| self.objects.get(&key(r, owner)))
            {
                return Some(object);
            }
        }
        None
    }
}

/// Raise `finding` one level (up to critical) when the note makes it worse: the object holds
/// high or critical findings (a shell in a privileged pod), or the identity holds a dangerous
/// power cluster-wide (what a stolen credential of it can do). Records the original severity
/// and why in the note.
pub fn raise(finding: &mut Finding, note: &mut PostureNote) {
    let mut because = Vec::new();
    if let Some(worst) = note.findings.first()
        && worst.severity >= Severity::High
    {
        because.push(format!(
            "{} has {} findings ({} {})",
            note.object.as_deref().unwrap_or("the object"),
            worst.severity.as_str(),
            worst.rule,
            worst.message
        ));
    }
    if let Some(power) = note
        .powers
        .iter()
        .find(|p| p.contains("cluster-wide") || p.starts_with("is in system:masters"))
    {
        because.push(format!("the identity {power}"));
    }
    if because.is_empty() || finding.severity == Severity::Critical {
        return;
    }
    note.raised_from = Some(finding.severity);
    note.raised_because = because;
    finding.severity = match finding.severity {
        Severity::Info => Severity::Low,
        Severity::Low => Severity::Medium,
        Severity::Medium => Severity::High,
        Severity::High | Severity::Critical => Severity::Critical,
    };
}
