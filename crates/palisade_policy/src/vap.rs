//! Kubernetes `ValidatingAdmissionPolicy` and `ValidatingAdmissionPolicyBinding`
//! (admissionregistration.k8s.io/v1), evaluated as the API server evaluates them: the policy's
//! match constraints, the binding's match resources, one evaluation per params object, match
//! conditions, every validation, and the failure policy for expressions that fail.
//!
//! A binding is a policy of its own (`VAP:<binding>`). A policy that no loaded binding names
//! runs as if bound with `Deny` (`VAP:<policy>`), as offline tools run them, so that a
//! repository's policies are checked before their bindings exist.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::cel::{Held, Outcome, RunMode, Validator, compile_spec, held};

/// `params` when there are none.
static NULL: std::sync::LazyLock<Held> = std::sync::LazyLock::new(crate::cel::held_null);
use crate::error::PolicyError;
use crate::hints;
use crate::load::Loaded;
use crate::policy::{Action, Policy, Prepared, Verdict, Violation};
use crate::resources::{MatchResources, is_exempt_admission_configuration};

const GROUP: &str = "admissionregistration.k8s.io/";

/// Whether a document is a ValidatingAdmissionPolicy.
pub fn is_policy(doc: &Loaded) -> bool {
    doc.kind() == "ValidatingAdmissionPolicy" && doc.api_version().starts_with(GROUP)
}

/// Whether a document is a ValidatingAdmissionPolicyBinding.
pub fn is_binding(doc: &Loaded) -> bool {
    doc.kind() == "ValidatingAdmissionPolicyBinding" && doc.api_version().starts_with(GROUP)
}

/// A compiled ValidatingAdmissionPolicy.
#[derive(Debug)]
pub struct VapPolicy {
    /// `metadata.name`.
    pub name: String,
    matcher: MatchResources,
    validator: Validator,
    fail_closed: bool,
    param_kind: Option<(String, String)>,
    annotations: Map<String, Value>,
    path: Arc<str>,
    line: u32,
}

impl VapPolicy {
    /// Compile a policy document.
    pub fn compile(doc: &Loaded) -> Result<VapPolicy, PolicyError> {
        let name = doc.name().to_string();
        let spec = doc.value.get("spec").unwrap_or(&Value::Null);
        let err = |m: String| doc.error(format!("ValidatingAdmissionPolicy `{name}`: {m}"));
        let constraints = spec.get("matchConstraints");
        if constraints
            .and_then(|c| c.get("resourceRules"))
            .and_then(Value::as_array)
            .is_none_or(|r| r.is_empty())
        {
            return Err(err(
                "`spec.matchConstraints.resourceRules` is required".into()
            ));
        }
        let empty = |k: &str| {
            spec.get(k)
                .and_then(Value::as_array)
                .is_none_or(|a| a.is_empty())
        };
        if empty("validations") && empty("auditAnnotations") {
            return Err(err(
                "it has neither `validations` nor `auditAnnotations`".into()
            ));
        }
        let validator = compile_spec(spec, None).map_err(|e| err(e.to_string()))?;
        let param_kind = spec.get("paramKind").map(|p| {
            let t = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            (t("apiVersion"), t("kind"))
        });
        Ok(VapPolicy {
            matcher: MatchResources::parse(constraints),
            validator,
            fail_closed: spec.get("failurePolicy").and_then(Value::as_str) != Some("Ignore"),
            param_kind,
            annotations: annotations(&doc.value),
            path: doc.path.clone(),
            line: doc.line,
            name,
        })
    }
}

/// `paramRef` of a binding.
#[derive(Debug, Clone)]
struct ParamRef {
    name: Option<String>,
    namespace: Option<String>,
    selector: Option<palisade_model::labels::LabelSelector>,
    deny_when_missing: bool,
}

/// A binding of a policy: the rule Palisade runs.
#[derive(Debug)]
pub struct VapBinding {
    id: String,
    binding: String,
    policy: Arc<VapPolicy>,
    matcher: Option<MatchResources>,
    param_ref: Option<ParamRef>,
    /// The objects of the policy's `paramKind` among the loaded documents, with their CEL
    /// values.
    params: Vec<(Arc<Value>, Arc<Held>)>,
    action: Action,
    annotations: Map<String, Value>,
    path: Arc<str>,
    line: u32,
}

impl VapBinding {
    /// Bind a binding document to its compiled policy; `documents` are searched for params.
    pub fn new(
        doc: &Loaded,
        policy: Arc<VapPolicy>,
        documents: &[Loaded],
    ) -> Result<VapBinding, PolicyError> {
        let name = doc.name().to_string();
        let spec = doc.value.get("spec").unwrap_or(&Value::Null);
        let err = |m: String| doc.error(format!("ValidatingAdmissionPolicyBinding `{name}`: {m}"));
        let actions: Vec<&str> = (spec.get("validationActions").and_then(Value::as_array))
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let action = action_of(&actions).map_err(err)?;
        let param_ref = match spec.get("paramRef") {
            None => None,
            Some(p) => {
                let name = p.get("name").and_then(Value::as_str).map(String::from);
                let selector = p
                    .get("selector")
                    .map(palisade_model::labels::LabelSelector::from_json);
                if name.is_some() == selector.is_some() {
                    return Err(err(
                        "`paramRef` needs exactly one of `name` and `selector`".into()
                    ));
                }
                let deny_when_missing =
                    match p.get("parameterNotFoundAction").and_then(Value::as_str) {
                        Some("Deny") => true,
                        Some("Allow") => false,
                        _ => {
                            return Err(err(
                                "`paramRef.parameterNotFoundAction` must be Allow or Deny".into(),
                            ));
                        }
                    };
                Some(ParamRef {
                    name,
                    namespace: p.get("namespace").and_then(Value::as_str).map(String::from),
                    selector,
                    deny_when_missing,
                })
            }
        };
        let params = match &policy.param_kind {
            Some((api_version, kind)) => documents
                .iter()
                .filter(|d| d.api_version() == api_version && d.kind() == kind)
                .map(|d| (Arc::new(d.value.clone()), Arc::new(held(&d.value))))
                .collect(),
            None => Vec::new(),
        };
        Ok(VapBinding {
            id: format!("VAP:{name}"),
            binding: name,
            matcher: spec
                .get("matchResources")
                .map(|m| MatchResources::parse(Some(m))),
            param_ref,
            params,
            action,
            annotations: annotations(&doc.value),
            path: doc.path.clone(),
            line: doc.line,
            policy,
        })
    }

    /// An unbound policy, run as if bound with `Deny`.
    pub fn unbound(policy: Arc<VapPolicy>) -> VapBinding {
        VapBinding {
            id: format!("VAP:{}", policy.name),
            binding: String::new(),
            matcher: None,
            param_ref: None,
            params: Vec::new(),
            action: Action::Deny,
            annotations: policy.annotations.clone(),
            path: policy.path.clone(),
            line: policy.line,
            policy,
        }
    }

    /// The params objects the binding selects for a review.
    fn params_for(&self, p: &Prepared) -> Vec<&dyn cel::common::value::Val> {
        let Some(r) = &self.param_ref else {
            return vec![NULL.as_ref()];
        };
        if self.policy.param_kind.is_none() {
            return vec![NULL.as_ref()];
        }
        let namespace_ok = |param: &Value| {
            let ns = param
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .unwrap_or("");
            match &r.namespace {
                Some(want) => ns == want,
                None => ns.is_empty() || ns == p.review.namespace,
            }
        };
        self.params
            .iter()
            .filter(|(param, _)| namespace_ok(param))
            .filter(|(param, _)| match (&r.name, &r.selector) {
                (Some(name), _) => {
                    param.pointer("/metadata/name").and_then(Value::as_str) == Some(name)
                }
                (None, Some(sel)) => sel.matches(&crate::review::labels_of(param)),
                (None, None) => false,
            })
            .map(|(_, held)| held.as_ref().as_ref())
            .collect()
    }
}

impl Policy for VapBinding {
    fn id(&self) -> &str {
        &self.id
    }

    fn title(&self) -> String {
        if self.binding.is_empty() {
            format!("ValidatingAdmissionPolicy {}", self.policy.name)
        } else {
            format!(
                "ValidatingAdmissionPolicy {} (binding {})",
                self.policy.name, self.binding
            )
        }
    }

    fn action(&self) -> Action {
        self.action
    }

    fn origin(&self) -> (&str, u32) {
        (&self.path, self.line)
    }

    fn annotations(&self) -> &Map<String, Value> {
        &self.annotations
    }

    fn resources(&self) -> Option<Vec<(String, String)>> {
        self.policy.matcher.resources()
    }

    fn needs_data(&self) -> bool {
        !self.policy.matcher.namespace_selector.is_empty()
            || self
                .matcher
                .as_ref()
                .is_some_and(|m| !m.namespace_selector.is_empty())
    }

    fn judge(&self, p: &Prepared) -> Result<Verdict, String> {
        let review = &p.review;
        if is_exempt_admission_configuration(review)
            || !self.policy.matcher.matches(review, &p.data)
            || self
                .matcher
                .as_ref()
                .is_some_and(|m| !m.matches(review, &p.data))
        {
            return Ok(Verdict::Skipped);
        }
        let fail_closed = self.policy.fail_closed;
        let params = self.params_for(p);
        if params.is_empty() {
            let denies = self.param_ref.as_ref().is_some_and(|r| r.deny_when_missing);
            return match (denies, fail_closed) {
                (false, _) => Ok(Verdict::Skipped),
                (true, true) => Ok(Verdict::Evaluated(vec![Violation {
                    message:
                        "no params found for policy binding with `Deny` parameterNotFoundAction"
                            .into(),
                    pointer: None,
                }])),
                (true, false) => Ok(Verdict::Evaluated(Vec::new())),
            };
        }
        let values = p.cel();
        let mut violations = Vec::new();
        let mut matched = false;
        for param in params {
            let mut b = values.bindings();
            b.bind("params", param);
            let outcome = match self.policy.validator.evaluate(&b, RunMode::All) {
                Ok(o) => o,
                Err(e) if fail_closed => return Err(e.to_string()),
                Err(_) => continue,
            };
            let Outcome::Evaluated { failures, errors } = outcome else {
                continue;
            };
            matched = true;
            if let Some((_, e)) = errors.first()
                && fail_closed
            {
                return Err(e.to_string());
            }
            for f in failures {
                let object = review.any_object();
                let pointer = hints::from_expression(object, &f.expression)
                    .or_else(|| hints::from_message(object, &f.message));
                violations.push(Violation {
                    message: f.message,
                    pointer,
                });
            }
        }
        Ok(if matched {
            Verdict::Evaluated(violations)
        } else {
            Verdict::Skipped
        })
    }
}

/// `validationActions` as one action: Deny, else Warn, else Audit.
fn action_of(actions: &[&str]) -> Result<Action, String> {
    if actions.is_empty() {
        return Err("`validationActions` is required".into());
    }
    if let Some(bad) = actions
        .iter()
        .find(|a| !matches!(**a, "Deny" | "Warn" | "Audit"))
    {
        return Err(format!(
            "unknown validation action `{bad}` (Deny, Warn or Audit)"
        ));
    }
    if actions.contains(&"Deny") && actions.contains(&"Warn") {
        return Err("`validationActions` must not contain both Deny and Warn".into());
    }
    Ok(if actions.contains(&"Deny") {
        Action::Deny
    } else if actions.contains(&"Warn") {
        Action::Warn
    } else {
        Action::Audit
    })
}

fn annotations(doc: &Value) -> Map<String, Value> {
    (doc.pointer("/metadata/annotations")
        .and_then(Value::as_object))
    .cloned()
    .unwrap_or_default()
}
