//! Loading policies from files into one set, and handing them to the engine as rules.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use palisade_diagnostics::{
    ArcStr, Fixable, Input, Layer, RuleMeta, RuleRef, RuleStatus, Severity,
};
use palisade_engine::{Ctx, Hook, ObjectPolicy, Rule, RuleHandle};
use palisade_model::Object;
use serde_json::Value;

use crate::data::ClusterData;
use crate::error::PolicyError;
use crate::gatekeeper::{self, Constraint, EngineChoice, Template};
use crate::kyverno::{self, KyvernoPolicy};
use crate::load::{Loaded, policy_files, read_file};
use crate::policy::{Action, Prepared, SharedPolicy, Verdict, Violation};
use crate::review::Review;
use crate::vap::{self, VapBinding, VapPolicy};

/// The annotation that sets a policy's severity (`critical`, `high`, `medium`, `low`, `info`).
pub const SEVERITY_ANNOTATION: &str = "palisade.dev/severity";
/// The annotation that sets a policy's 4C layer (`cloud`, `cluster`, `container`, `code`).
pub const LAYER_ANNOTATION: &str = "palisade.dev/layer";

/// How policies are loaded.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Which engines of Gatekeeper templates run.
    pub engines: EngineChoice,
    /// The longest one evaluation of one policy may run.
    pub time_limit: Duration,
    /// Severities set by the user for the policies a selector names (`GK:K8sPSP*`): they win
    /// over the policies' own annotations and actions; the longest matching selector wins.
    pub severities: Vec<(String, Severity)>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            engines: EngineChoice::Auto,
            time_limit: gatekeeper::rego::DEFAULT_TIME_LIMIT,
            severities: Vec::new(),
        }
    }
}

/// Compiled policies and the errors met loading them.
#[derive(Debug, Default, Clone)]
pub struct PolicySet {
    policies: Vec<SharedPolicy>,
    errors: Vec<PolicyError>,
    data: Arc<ClusterData>,
    severities: Arc<Vec<(String, Severity)>>,
}

impl PolicySet {
    /// Load every policy under the paths (files or directories). Errors are collected, and
    /// every policy that compiles is kept.
    pub fn load(paths: &[PathBuf], options: LoadOptions) -> PolicySet {
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            match policy_files(path) {
                Ok(files) => {
                    for file in files {
                        let (d, e) = read_file(&file);
                        docs.extend(d);
                        errors.extend(e);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let mut set = PolicySet::from_documents(docs, options);
        errors.append(&mut set.errors);
        set.errors = errors;
        set
    }

    /// Compile policies from loaded documents. Documents that are not policies (test cases,
    /// sample objects) are ignored unless a policy refers to them (params).
    pub fn from_documents(docs: Vec<Loaded>, options: LoadOptions) -> PolicySet {
        let mut errors = Vec::new();
        let mut templates: HashMap<String, Arc<Template>> = HashMap::new();
        for doc in docs.iter().filter(|d| is_template(d)) {
            match Template::compile(doc, options.time_limit) {
                Ok(t) => match templates.get(&t.kind) {
                    Some(first) => errors.push(doc.error(format!(
                        "ConstraintTemplate `{}` defines {} again (first at {}:{})",
                        t.name, t.kind, first.path, first.line
                    ))),
                    None => {
                        templates.insert(t.kind.clone(), Arc::new(t));
                    }
                },
                Err(e) => errors.push(e),
            }
        }
        let mut policies: Vec<SharedPolicy> = Vec::new();
        for doc in docs.iter().filter(|d| is_constraint(d)) {
            match templates.get(doc.kind()) {
                Some(t) => match Constraint::new(doc, t.clone(), options.engines) {
                    Ok(c) => policies.push(Arc::new(c)),
                    Err(e) => errors.push(e),
                },
                None => errors.push(doc.error(format!(
                    "constraint {}/{} is of kind {}, which no loaded ConstraintTemplate defines",
                    doc.kind(),
                    doc.name(),
                    doc.kind()
                ))),
            }
        }
        let mut vaps: HashMap<String, Arc<VapPolicy>> = HashMap::new();
        for doc in docs.iter().filter(|d| vap::is_policy(d)) {
            match VapPolicy::compile(doc) {
                Ok(p) => {
                    vaps.insert(p.name.clone(), Arc::new(p));
                }
                Err(e) => errors.push(e),
            }
        }
        let mut bound = std::collections::HashSet::new();
        for doc in docs.iter().filter(|d| vap::is_binding(d)) {
            let name = doc
                .value
                .pointer("/spec/policyName")
                .and_then(Value::as_str)
                .unwrap_or("");
            match vaps.get(name) {
                Some(p) => {
                    bound.insert(name.to_string());
                    match VapBinding::new(doc, p.clone(), &docs) {
                        Ok(b) => policies.push(Arc::new(b)),
                        Err(e) => errors.push(e),
                    }
                }
                None => errors.push(doc.error(format!(
                    "ValidatingAdmissionPolicyBinding `{}` names policy `{name}`, which is not loaded",
                    doc.name()
                ))),
            }
        }
        let mut unbound: Vec<&Arc<VapPolicy>> =
            vaps.values().filter(|p| !bound.contains(&p.name)).collect();
        unbound.sort_by(|a, b| a.name.cmp(&b.name));
        for p in unbound {
            policies.push(Arc::new(VapBinding::unbound(p.clone())));
        }
        for doc in docs.iter().filter(|d| kyverno::is_policy(d)) {
            match KyvernoPolicy::compile(doc) {
                Ok(p) => {
                    for rule in Arc::new(p).rules() {
                        policies.push(rule);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
        let mut set = PolicySet {
            policies,
            errors,
            data: Arc::new(ClusterData::default()),
            severities: Arc::new(options.severities),
        };
        set.dedupe();
        set
    }

    fn dedupe(&mut self) {
        let mut seen: BTreeMap<String, (String, u32)> = BTreeMap::new();
        let mut kept = Vec::new();
        for p in std::mem::take(&mut self.policies) {
            let (path, line) = p.origin();
            match seen.get(p.id()) {
                Some((first, first_line)) => self.errors.push(PolicyError::at(
                    path,
                    Some(line),
                    format!(
                        "{} is defined again (first at {first}:{first_line})",
                        p.id()
                    ),
                )),
                None => {
                    seen.insert(p.id().to_string(), (path.to_string(), line));
                    kept.push(p);
                }
            }
        }
        self.policies = kept;
    }

    /// The compiled policies.
    pub fn policies(&self) -> &[SharedPolicy] {
        &self.policies
    }

    /// The errors met loading (each names its file and line).
    pub fn errors(&self) -> &[PolicyError] {
        &self.errors
    }

    /// Whether no policy was loaded.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Whether some policy reads other objects than the one it judges (Gatekeeper's
    /// `data.inventory`, namespace selectors and objects): a scan then indexes its objects
    /// before judging them.
    pub fn needs_data(&self) -> bool {
        self.policies.iter().any(|p| p.needs_data())
    }

    /// The same policies, judging with a run's objects.
    pub fn with_data(&self, data: Arc<ClusterData>) -> PolicySet {
        let mut errors = self.errors.clone();
        let policies = self
            .policies
            .iter()
            .map(|p| match p.with_data(&data) {
                Ok(Some(bound)) => bound,
                Ok(None) => p.clone(),
                Err(e) => {
                    let (path, line) = p.origin();
                    errors.push(PolicyError::at(path, Some(line), e));
                    p.clone()
                }
            })
            .collect();
        PolicySet {
            policies,
            errors,
            data,
            severities: self.severities.clone(),
        }
    }

    /// Judge one review with every policy (for tests and tools; scans go through
    /// [`PolicySet::rules`]).
    pub fn judge(&self, review: Review) -> Vec<(SharedPolicy, Result<Verdict, String>)> {
        let prepared = Prepared::new(review, self.data.clone());
        self.policies
            .iter()
            .map(|p| {
                let verdict = judge_guarded(p.as_ref(), &prepared).map(|v| match v {
                    Verdict::Evaluated(found) => Verdict::Evaluated(
                        found
                            .into_iter()
                            .map(|v| Violation {
                                message: prepared.redact(&v.message),
                                ..v
                            })
                            .collect(),
                    ),
                    skipped => skipped,
                });
                (p.clone(), verdict)
            })
            .collect()
    }

    /// The policies as rules of the one engine.
    pub fn rules(&self) -> Vec<RuleHandle> {
        self.policies
            .iter()
            .map(|p| {
                RuleHandle::from(Rule {
                    meta: RuleRef::loaded(self.meta_of(p.as_ref())),
                    hook: Hook::Policy(Arc::new(PolicyRule {
                        policy: p.clone(),
                        data: self.data.clone(),
                    })),
                    pss: None,
                })
            })
            .collect()
    }
}

fn is_template(doc: &Loaded) -> bool {
    doc.kind() == "ConstraintTemplate" && doc.api_version().starts_with("templates.gatekeeper.sh/")
}

fn is_constraint(doc: &Loaded) -> bool {
    doc.api_version().starts_with("constraints.gatekeeper.sh/")
}

/// A policy's severity: its annotation, else what its action implies.
pub fn severity_of(policy: &dyn crate::policy::Policy) -> Severity {
    let annotated = (policy.annotations().get(SEVERITY_ANNOTATION))
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok());
    annotated.unwrap_or(match policy.action() {
        Action::Deny => Severity::High,
        Action::Warn => Severity::Medium,
        Action::Audit => Severity::Low,
    })
}

/// A policy's layer: its annotation, else Cluster (policies are admission control).
pub fn layer_of(policy: &dyn crate::policy::Policy) -> Layer {
    match policy
        .annotations()
        .get(LAYER_ANNOTATION)
        .and_then(Value::as_str)
    {
        Some("cloud") => Layer::Cloud,
        Some("container") => Layer::Container,
        Some("code") => Layer::Code,
        _ => Layer::Cluster,
    }
}

impl PolicySet {
    /// A policy's metadata, with the user's severity when a selector names it.
    fn meta_of(&self, policy: &dyn crate::policy::Policy) -> RuleMeta {
        let mut meta = meta_of(policy);
        let chosen = (self.severities.iter())
            .filter(|(sel, _)| palisade_engine::Selector::new(sel).matches_meta(&meta))
            .max_by_key(|(sel, _)| sel.len());
        if let Some((_, severity)) = chosen {
            meta.severity = *severity;
        }
        meta
    }
}

fn meta_of(policy: &dyn crate::policy::Policy) -> RuleMeta {
    let (path, line) = policy.origin();
    let id = policy.id();
    let name: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    RuleMeta {
        id: ArcStr::from(id),
        name: ArcStr::from(name.as_str()),
        title: ArcStr::from(policy.title().as_str()),
        severity: severity_of(policy),
        layer: layer_of(policy),
        status: RuleStatus::Stable,
        since: env!("CARGO_PKG_VERSION"),
        inputs: &Input::ALL,
        frameworks: Vec::new().into(),
        remediation: ArcStr::from(
            format!("Change the object so that the policy it violates ({path}:{line}) admits it.")
                .as_str(),
        ),
        fixable: Fixable::No,
        superseded_by: &[],
        docs: ArcStr::from(
            format!(
                "A policy loaded from {path}:{line}.\n\n{}\n",
                policy.title()
            )
            .as_str(),
        ),
    }
}

/// Judge, turning a panic inside an evaluator into an error: a policy that crashes its
/// evaluator must not take the scan or the server with it.
fn judge_guarded(
    policy: &dyn crate::policy::Policy,
    prepared: &Prepared,
) -> Result<Verdict, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| policy.judge(prepared)))
        .unwrap_or_else(|_| Err("the evaluator failed on this object".to_string()))
}

/// A policy as the engine runs it.
#[derive(Debug)]
struct PolicyRule {
    policy: SharedPolicy,
    data: Arc<ClusterData>,
}

/// The review of an object, made once and shared by every policy that judges it.
struct ObjectReview(Prepared);

impl ObjectPolicy for PolicyRule {
    fn check(&self, object: &Object<'_, '_>, ctx: &mut Ctx<'_>) {
        let request = ctx.request().cloned();
        let data = self.data.clone();
        let prepared = object.memo(move |o| {
            let json = Arc::new(serde_json::to_value(o.root).unwrap_or(Value::Null));
            let review = match request {
                Some(r) => Review::new(json, r),
                None => Review::of_object(json),
            };
            ObjectReview(Prepared::new(review, data))
        });
        match judge_guarded(self.policy.as_ref(), &prepared.0) {
            Ok(Verdict::Skipped) => {}
            Ok(Verdict::Evaluated(violations)) => {
                ctx.applicable();
                for v in violations {
                    let message = prepared.0.redact(&v.message);
                    ctx.report(v.pointer.unwrap_or_default(), message);
                }
            }
            Err(e) => ctx.error(e),
        }
    }
}
