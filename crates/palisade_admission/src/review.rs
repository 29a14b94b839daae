//! One AdmissionReview in, the response out: the verdict of `palisade scan` on the request's
//! object, at the levels its namespace asks for. No IO: the server and `palisade admission
//! review` call the same code.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use kube::core::{DynamicObject, Status};
use palisade_config::{AdmissionSettings, Level, Modes, Resolved};
use palisade_diagnostics::{ArcStr, Finding, Input, ProjectPaths, Severity};
use palisade_engine::{RuleHandle, Selection, SelectionError, Settings, Waiver};
use palisade_model::request::{Request, UserInfo};
use palisade_policy::PolicySet;
use palisade_scan::{CheckError, Checker};

use crate::namespaces::NamespaceModes;

/// The API version of the reviews Palisade answers.
pub const REVIEW_API_VERSION: &str = "admission.k8s.io/v1";

/// At most this many violations are listed in a denial; the rest are counted.
const MAX_LISTED: usize = 50;
/// At most this many warnings are returned; the API server truncates long lists.
const MAX_WARNINGS: usize = 25;
/// Longer warnings are cut: the API server truncates warnings over 256 characters.
const MAX_WARNING_CHARS: usize = 240;

/// A review that cannot be answered: the request is not an AdmissionReview Palisade reads.
/// The server answers HTTP 400 with the message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReviewError {
    /// The body is not JSON, or not an AdmissionReview. The message leaves out the text of
    /// strings it quotes: a request can hold Secrets.
    #[error("not an AdmissionReview: {0}")]
    Json(String),
    /// Another version of the API.
    #[error("unsupported AdmissionReview version `{0}` (expected {REVIEW_API_VERSION})")]
    Version(String),
    /// An AdmissionReview with no `request`.
    #[error("the AdmissionReview has no request")]
    NoRequest,
}

/// What was decided, for metrics and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Checked and allowed with nothing to say.
    Allowed,
    /// Checked and allowed, with warnings or audit annotations.
    Flagged,
    /// Denied: findings at or above the failure threshold in the enforced level.
    Denied,
    /// Not checked: an exempt namespace, user, group or runtime class.
    Exempt,
    /// Not checked: nothing to judge (DELETE, CONNECT, a status subresource, an update that
    /// changes no specification, no level in force).
    Skipped,
    /// Denied because the object could not be checked.
    Invalid,
}

impl Decision {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "allowed",
            Decision::Flagged => "flagged",
            Decision::Denied => "denied",
            Decision::Exempt => "exempt",
            Decision::Skipped => "skipped",
            Decision::Invalid => "invalid",
        }
    }
}

/// A mode of Pod Security Admission style enforcement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    /// Deny.
    Enforce,
    /// Warn the client.
    Warn,
    /// Annotate the audit event.
    Audit,
}

impl Mode {
    /// The metric label and the namespace label suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
        }
    }
}

/// The answer to one review, with what metrics and logs need (never the object).
#[derive(Debug)]
pub struct Reviewed {
    /// The AdmissionReview to send back.
    pub response: AdmissionReview<DynamicObject>,
    /// The decision.
    pub decision: Decision,
    /// The request's kind (`Deployment`).
    pub kind: String,
    /// The request's namespace (empty for cluster-scoped objects).
    pub namespace: String,
    /// The object's name (may be empty when the API server generates it).
    pub name: String,
    /// `CREATE`, `UPDATE`, `DELETE` or `CONNECT`.
    pub operation: &'static str,
    /// The request is a dry run.
    pub dry_run: bool,
    /// The rules that found something unsuppressed, by mode.
    pub hits: BTreeSet<(Mode, ArcStr)>,
}

/// The admission front door's rule sets and governance, built once from the configuration.
#[derive(Debug)]
pub struct Reviewer {
    base: Settings,
    threshold: Option<Severity>,
    waivers: Vec<Waiver>,
    project: ProjectPaths,
    admission: AdmissionSettings,
    policies: PolicySet,
    checkers: RwLock<HashMap<Level, Arc<Checker>>>,
}

impl Reviewer {
    /// The rules of `resolved` for admission requests: the same selection, options,
    /// failure threshold, waivers and suppressions as `palisade scan`, with the profile and
    /// version of each level in force. The levels of the configured defaults are built now.
    pub fn new(resolved: &Resolved) -> Result<Reviewer, SelectionError> {
        Reviewer::with_policies(resolved, palisade_scan::load_policies(resolved))
    }

    /// [`Reviewer::new`] with policies already loaded (their load errors are the caller's
    /// to report). Every level runs them, whatever its profile: a team's policies are not
    /// Pod Security levels.
    pub fn with_policies(
        resolved: &Resolved,
        policies: PolicySet,
    ) -> Result<Reviewer, SelectionError> {
        let reviewer = Reviewer {
            policies,
            base: Settings {
                input: Input::Admission,
                ..resolved.settings.clone()
            },
            threshold: resolved.fail_on.threshold(),
            waivers: resolved.waivers.clone(),
            project: resolved.project.clone(),
            admission: resolved.admission.clone(),
            checkers: RwLock::default(),
        };
        let d = reviewer.admission.defaults;
        for level in [d.enforce, d.warn, d.audit].into_iter().flatten() {
            reviewer.checker(level)?;
        }
        Ok(reviewer)
    }

    /// The configured defaults and exemptions.
    pub fn admission(&self) -> &AdmissionSettings {
        &self.admission
    }

    /// The Pod Security Standards version labels without a `-version` fall back to.
    pub fn default_version(&self) -> palisade_engine::PssVersion {
        self.base.selection.pss_version
    }

    /// The rule set of a level, built on first use.
    fn checker(&self, level: Level) -> Result<Arc<Checker>, SelectionError> {
        if let Some(c) = self
            .checkers
            .read()
            .ok()
            .and_then(|m| m.get(&level).cloned())
        {
            return Ok(c);
        }
        let settings = Settings {
            selection: Selection {
                profile: level.profile,
                pss_version: level.version,
                ..self.base.selection.clone()
            },
            ..self.base.clone()
        };
        let builtin = palisade_rules::registry()
            .iter()
            .map(|&r| RuleHandle::Builtin(r));
        let checker = Arc::new(Checker::with_rules(
            builtin.chain(self.policies.rules()),
            settings,
        )?);
        if let Ok(mut map) = self.checkers.write() {
            map.entry(level).or_insert_with(|| checker.clone());
        }
        Ok(checker)
    }

    /// Answer an AdmissionReview given as JSON bytes.
    pub fn review_bytes(
        &self,
        body: &[u8],
        namespaces: &dyn NamespaceModes,
    ) -> Result<Reviewed, ReviewError> {
        let review: AdmissionReview<DynamicObject> = serde_json::from_slice(body)
            .map_err(|e| ReviewError::Json(without_strings(&e.to_string())))?;
        self.review(review, namespaces)
    }

    /// Answer a decoded AdmissionReview.
    pub fn review(
        &self,
        review: AdmissionReview<DynamicObject>,
        namespaces: &dyn NamespaceModes,
    ) -> Result<Reviewed, ReviewError> {
        if review.types.api_version != REVIEW_API_VERSION {
            return Err(ReviewError::Version(review.types.api_version));
        }
        let request: AdmissionRequest<DynamicObject> =
            review.try_into().map_err(|_| ReviewError::NoRequest)?;
        let response = AdmissionResponse::from(&request);
        let mut out = Reviewed {
            response: response.clone().into_review(),
            decision: Decision::Skipped,
            kind: request.kind.kind.clone(),
            namespace: request.namespace.clone().unwrap_or_default(),
            name: request.name.clone(),
            operation: operation_name(&request.operation),
            dry_run: request.dry_run,
            hits: BTreeSet::new(),
        };
        let Some(object) = judged_object(&request) else {
            return Ok(out);
        };
        if let Some(why) = self.exemption(&request, object) {
            let mut response = response;
            response.audit_annotations.insert("exempt".into(), why);
            out.response = response.into_review();
            out.decision = Decision::Exempt;
            return Ok(out);
        }
        let modes = if out.namespace.is_empty() {
            self.admission.defaults
        } else {
            namespaces.modes(&out.namespace)
        };
        let context = request_context(&request, &out.namespace, namespaces);
        let (response, decision) = self.judge(response, object, modes, &context, &mut out.hits);
        out.response = response.into_review();
        out.decision = decision;
        Ok(out)
    }

    /// The exemption that applies to the request, if any.
    fn exemption(
        &self,
        request: &AdmissionRequest<DynamicObject>,
        object: &DynamicObject,
    ) -> Option<String> {
        let ex = &self.admission.exemptions;
        if let Some(ns) = &request.namespace
            && ex.namespaces.iter().any(|n| n == ns)
        {
            return Some(format!("namespace {ns}"));
        }
        if let Some(user) = &request.user_info.username
            && ex.usernames.iter().any(|u| u == user)
        {
            return Some(format!("user {user}"));
        }
        if let Some(group) = request
            .user_info
            .groups
            .iter()
            .flatten()
            .find(|g| ex.groups.contains(g))
        {
            return Some(format!("group {group}"));
        }
        let class = runtime_class(&object.data)?;
        ex.runtime_classes
            .iter()
            .any(|c| c == class)
            .then(|| format!("runtimeClassName {class}"))
    }

    /// Check the object at each level in force and put the verdict into `response`.
    fn judge(
        &self,
        mut response: AdmissionResponse,
        object: &DynamicObject,
        modes: Modes,
        context: &Request,
        hits: &mut BTreeSet<(Mode, ArcStr)>,
    ) -> (AdmissionResponse, Decision) {
        let levels = [
            (Mode::Enforce, modes.enforce),
            (Mode::Warn, modes.warn),
            (Mode::Audit, modes.audit),
        ];
        if levels.iter().all(|(_, l)| l.is_none()) {
            return (response, Decision::Skipped);
        }
        let json = match serde_json::to_value(object) {
            Ok(json) => json,
            Err(e) => return (invalid(response, &e.to_string()), Decision::Invalid),
        };
        // One check per distinct level: enforce and warn often share one.
        let mut by_level: Vec<(Level, Vec<Finding>)> = Vec::new();
        let mut found = Vec::new();
        for (mode, level) in levels {
            let Some(level) = level else { continue };
            let i = match by_level.iter().position(|(l, _)| *l == level) {
                Some(i) => i,
                None => match self.check(level, &json, context) {
                    Ok(findings) => {
                        by_level.push((level, findings));
                        by_level.len() - 1
                    }
                    Err(message) => return (invalid(response, &message), Decision::Invalid),
                },
            };
            found.push((mode, level, i));
        }
        let mut violations: Vec<&Finding> = Vec::new();
        let mut warnings: Vec<&Finding> = Vec::new();
        let mut audited: Vec<&Finding> = Vec::new();
        let mut enforced = None;
        for (mode, level, i) in found {
            for f in &by_level[i].1 {
                hits.insert((mode, f.rule.id.clone()));
                match mode {
                    Mode::Enforce if self.threshold.is_some_and(|t| f.severity >= t) => {
                        violations.push(f)
                    }
                    // What a scan reports without failing on it is worth a warning.
                    Mode::Enforce | Mode::Warn => warnings.push(f),
                    Mode::Audit => audited.push(f),
                }
            }
            if mode == Mode::Enforce {
                enforced = Some(level);
            }
        }
        let key = |f: &&Finding| {
            (
                f.rule.id.clone(),
                f.location.pointer.clone(),
                f.message.clone(),
            )
        };
        warnings.sort_by_key(key);
        warnings.dedup_by_key(|f| key(f));
        if let Some(level) = enforced {
            response
                .audit_annotations
                .insert("enforce-policy".into(), level.to_string());
        }
        if !audited.is_empty() {
            let listed: Vec<String> = audited.iter().map(|f| one_line(f)).collect();
            response
                .audit_annotations
                .insert("audit-violations".into(), listed.join("; "));
        }
        if !warnings.is_empty() {
            let mut lines: Vec<String> = warnings
                .iter()
                .take(MAX_WARNINGS)
                .map(|f| truncate(one_line(f), MAX_WARNING_CHARS))
                .collect();
            if warnings.len() > MAX_WARNINGS {
                lines.push(format!(
                    "palisade: {} more warnings",
                    warnings.len() - MAX_WARNINGS
                ));
            }
            response.warnings = Some(lines);
        }
        let flagged = !warnings.is_empty() || !audited.is_empty();
        if violations.is_empty() {
            let decision = if flagged {
                Decision::Flagged
            } else {
                Decision::Allowed
            };
            return (response, decision);
        }
        // Most severe first; within a severity, in the order of the fields.
        violations.sort_by_key(|f| std::cmp::Reverse(f.severity));
        let level = enforced.map(|l| l.to_string()).unwrap_or_default();
        (
            deny(response, object, &level, &violations),
            Decision::Denied,
        )
    }

    /// The unsuppressed findings of one level, waivers applied.
    fn check(
        &self,
        level: Level,
        json: &serde_json::Value,
        context: &Request,
    ) -> Result<Vec<Finding>, String> {
        let checker = self.checker(level).map_err(|e| e.to_string())?;
        let mut findings = match checker.check_request(json, context) {
            Ok(checked) => checked.findings,
            Err(e @ (CheckError::Refused(_) | CheckError::Syntax { .. })) => {
                return Err(format!("palisade cannot check this object: {e}"));
            }
            Err(e) => return Err(e.to_string()),
        };
        if !self.waivers.is_empty()
            && let Ok(today) = palisade_config::today()
        {
            palisade_engine::waive_findings(&mut findings, &self.waivers, today, &self.project);
        }
        findings.retain(|f| !f.suppressed);
        Ok(findings)
    }
}

/// The request around the object, as loaded policies see it.
fn request_context(
    request: &AdmissionRequest<DynamicObject>,
    namespace: &str,
    namespaces: &dyn NamespaceModes,
) -> Request {
    let user = &request.user_info;
    Request {
        uid: request.uid.clone(),
        operation: match request.operation {
            Operation::Create => palisade_model::request::Operation::Create,
            Operation::Update => palisade_model::request::Operation::Update,
            Operation::Delete => palisade_model::request::Operation::Delete,
            Operation::Connect => palisade_model::request::Operation::Connect,
        },
        user_info: UserInfo {
            username: user.username.clone().unwrap_or_default(),
            uid: user.uid.clone().unwrap_or_default(),
            groups: user.groups.clone().unwrap_or_default(),
            extra: (user.extra.iter().flatten())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        },
        old_object: (request.old_object.as_ref()).and_then(|o| serde_json::to_value(o).ok()),
        sub_resource: request.sub_resource.clone().unwrap_or_default(),
        resource: Some(request.resource.resource.clone()),
        dry_run: request.dry_run,
        options: request
            .options
            .as_ref()
            .and_then(|o| serde_json::to_value(o).ok()),
        namespace_object: (!namespace.is_empty())
            .then(|| namespaces.labels(namespace))
            .flatten()
            .map(|labels| {
                serde_json::json!({
                    "apiVersion": "v1",
                    "kind": "Namespace",
                    "metadata": {"name": namespace, "labels": labels},
                })
            }),
    }
}

/// The object a request asks to admit, when there is one to judge: the new object of a
/// CREATE or UPDATE of the resource itself or of `pods/ephemeralcontainers` (which adds
/// containers to a running pod). An UPDATE that changes neither the specification nor the
/// annotations is not judged, as in Pod Security Admission: relabelling an object admitted
/// under older rules must not fail.
fn judged_object(request: &AdmissionRequest<DynamicObject>) -> Option<&DynamicObject> {
    if !matches!(request.operation, Operation::Create | Operation::Update) {
        return None;
    }
    match request.sub_resource.as_deref() {
        None | Some("") | Some("ephemeralcontainers") => {}
        Some(_) => return None,
    }
    let object = request.object.as_ref()?;
    if request.operation == Operation::Update
        && let Some(old) = &request.old_object
        && !significant(object, old)
    {
        return None;
    }
    Some(object)
}

/// Whether an update changes what rules read: anything but `status` and the bookkeeping of
/// `metadata` (labels, owners, finalizers, managed fields); annotations count, since
/// suppressions and AppArmor profiles live there.
fn significant(new: &DynamicObject, old: &DynamicObject) -> bool {
    if new.metadata.annotations != old.metadata.annotations {
        return true;
    }
    let (Some(a), Some(b)) = (new.data.as_object(), old.data.as_object()) else {
        return new.data != old.data;
    };
    let judged = |m: &'_ serde_json::Map<String, serde_json::Value>| {
        m.keys().filter(|k| k.as_str() != "status").count()
    };
    judged(a) != judged(b)
        || a.iter()
            .filter(|(k, _)| k.as_str() != "status")
            .any(|(k, v)| b.get(k) != Some(v))
}

/// The runtime class of a pod or of the pod template of a workload.
fn runtime_class(data: &serde_json::Value) -> Option<&str> {
    let spec = data.get("spec")?;
    let pod = spec
        .pointer("/template/spec")
        .or_else(|| spec.pointer("/jobTemplate/spec/template/spec"))
        .unwrap_or(spec);
    pod.get("runtimeClassName")?.as_str()
}

/// `text` with what is quoted in it replaced by `…`: serde's messages quote the string they
/// could not use (`invalid type: string "…", expected u16`), which may be a Secret's value.
fn without_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = false;
    for c in text.chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"…\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

fn operation_name(op: &Operation) -> &'static str {
    match op {
        Operation::Create => "CREATE",
        Operation::Update => "UPDATE",
        Operation::Delete => "DELETE",
        Operation::Connect => "CONNECT",
    }
}

/// `PSS003 /spec/…/privileged: message` — the rule id and name, the field and the message.
fn one_line(f: &Finding) -> String {
    let pointer = if f.location.pointer.is_empty() {
        String::new()
    } else {
        format!(" {}", f.location.pointer)
    };
    format!("{} {}{}: {}", f.rule.id, f.rule.name, pointer, f.message)
}

fn truncate(mut s: String, max: usize) -> String {
    if let Some((cut, _)) = s.char_indices().nth(max) {
        s.truncate(cut);
        s.push('…');
    }
    s
}

/// A denial listing each violation (rule, field, message), with the fields as causes.
fn deny(
    mut response: AdmissionResponse,
    object: &DynamicObject,
    level: &str,
    violations: &[&Finding],
) -> AdmissionResponse {
    let kind = object.types.as_ref().map(|t| t.kind.as_str()).unwrap_or("");
    let name = object.metadata.name.as_deref().unwrap_or("");
    let mut message = format!(
        "{kind} {name:?} violates Palisade policy {level} ({} finding{}):",
        violations.len(),
        if violations.len() == 1 { "" } else { "s" }
    );
    for f in violations.iter().take(MAX_LISTED) {
        message.push_str(&format!("\n- [{}] {}", f.severity, one_line(f)));
    }
    if violations.len() > MAX_LISTED {
        message.push_str(&format!("\n- and {} more", violations.len() - MAX_LISTED));
    }
    let status = Status::failure(&message, "Forbidden").with_code(403);
    let status = status.with_details(kube::core::response::StatusDetails {
        name: name.to_string(),
        group: String::new(),
        uid: String::new(),
        retry_after_seconds: 0,
        kind: kind.to_string(),
        causes: violations
            .iter()
            .take(MAX_LISTED)
            .map(|f| kube::core::response::StatusCause {
                reason: f.rule.id.to_string(),
                message: f.message.to_string(),
                field: f.location.pointer.to_string(),
            })
            .collect(),
    });
    response.allowed = false;
    response.result = status;
    response
}

/// A denial of an object that cannot be checked (fail closed: what cannot be read is not
/// admitted).
fn invalid(mut response: AdmissionResponse, message: &str) -> AdmissionResponse {
    response.allowed = false;
    response.result = Status::failure(message, "BadRequest").with_code(400);
    response
}
