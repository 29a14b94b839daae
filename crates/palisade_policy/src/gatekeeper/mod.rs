//! OPA Gatekeeper: `ConstraintTemplate`s (templates.gatekeeper.sh v1, v1beta1) with Rego and
//! `K8sNativeValidation` (CEL) code, and their constraints. A template compiles once; each
//! constraint of its kind becomes one policy (`GK:<kind>/<name>`) with its own match,
//! parameters and enforcement action.

mod compat;
pub mod matching;
pub mod rego;
mod sprintf;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::cel::{Builder, Outcome, RunMode, Validator};
use crate::error::PolicyError;
use crate::hints;
use crate::load::{Loaded, strings};
use crate::policy::{Action, Policy, Prepared, Verdict, Violation};
use matching::Match;
use rego::RegoProgram;

/// The Gatekeeper admission target.
pub const TARGET: &str = "admission.k8s.gatekeeper.sh";

/// Which of a template's engines run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// CEL where the template has it, else Rego (Gatekeeper's own preference).
    #[default]
    Auto,
    /// Rego only (templates without Rego are refused).
    Rego,
    /// CEL only (templates without CEL are refused).
    Cel,
    /// Both, independently: the violations of each are reported.
    Both,
}

impl EngineChoice {
    /// Parse `auto`, `rego`, `cel` or `both`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "auto" => Some(EngineChoice::Auto),
            "rego" => Some(EngineChoice::Rego),
            "cel" => Some(EngineChoice::Cel),
            "both" => Some(EngineChoice::Both),
            _ => None,
        }
    }
}

/// A compiled template.
#[derive(Debug)]
pub struct Template {
    /// `metadata.name`.
    pub name: String,
    /// The constraint kind it defines.
    pub kind: String,
    /// The Rego program.
    pub rego: Option<RegoProgram>,
    /// The CEL validator.
    pub cel: Option<Validator>,
    /// `metadata.gatekeeper.sh/title`, or the kind.
    pub title: String,
    /// Whether the Rego reads `data.inventory`.
    pub reads_inventory: bool,
    /// Where it was written.
    pub path: Arc<str>,
    /// Its line.
    pub line: u32,
}

impl Template {
    /// Compile a `ConstraintTemplate` document.
    pub fn compile(doc: &Loaded, time_limit: Duration) -> Result<Template, PolicyError> {
        let v = &doc.value;
        let name = doc.name().to_string();
        let kind = (v
            .pointer("/spec/crd/spec/names/kind")
            .and_then(Value::as_str))
        .ok_or_else(|| {
            doc.error(format!(
                "ConstraintTemplate `{name}` has no `spec.crd.spec.names.kind`"
            ))
        })?
        .to_string();
        let targets = (v.pointer("/spec/targets").and_then(Value::as_array)).ok_or_else(|| {
            doc.error(format!("ConstraintTemplate `{name}` has no `spec.targets`"))
        })?;
        let target = targets
            .iter()
            .find(|t| t.get("target").and_then(Value::as_str) == Some(TARGET))
            .ok_or_else(|| {
                doc.error(format!(
                    "ConstraintTemplate `{name}` has no `{TARGET}` target"
                ))
            })?;
        let mut rego = None;
        let mut cel = None;
        let compile_rego = |text: &str, libs: Vec<String>, v1: bool| {
            RegoProgram::compile(&name, text, &libs, v1, time_limit).map_err(|e| {
                doc.error(format!(
                    "ConstraintTemplate `{name}`: the Rego does not compile: {e}"
                ))
            })
        };
        // The legacy `rego` field takes precedence over Rego in `code` (as in Gatekeeper).
        let legacy = target.get("rego").and_then(Value::as_str);
        if let Some(text) = legacy {
            rego = Some(compile_rego(text, strings(target.get("libs")), false)?);
        }
        for code in target
            .get("code")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let source = code.get("source").unwrap_or(&Value::Null);
            match code.get("engine").and_then(Value::as_str) {
                Some("Rego") if legacy.is_some() => {}
                Some("Rego") => {
                    let text = source.get("rego").and_then(Value::as_str).ok_or_else(|| {
                        doc.error(format!(
                            "ConstraintTemplate `{name}`: Rego code without `source.rego`"
                        ))
                    })?;
                    let v1 = source.get("version").and_then(Value::as_str) == Some("v1");
                    rego = Some(compile_rego(text, strings(source.get("libs")), v1)?);
                }
                Some("K8sNativeValidation") => {
                    cel = Some(
                        compile_cel(source)
                            .map_err(|e| doc.error(format!("ConstraintTemplate `{name}`: {e}")))?,
                    );
                }
                Some(other) => {
                    return Err(doc.error(format!(
                        "ConstraintTemplate `{name}`: unknown engine `{other}` (Rego and K8sNativeValidation are supported)"
                    )));
                }
                None => {}
            }
        }
        if rego.is_none() && cel.is_none() {
            return Err(doc.error(format!("ConstraintTemplate `{name}` has no code")));
        }
        let title = (v.pointer("/metadata/annotations/metadata.gatekeeper.sh~1title"))
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| kind.clone());
        let reads_inventory =
            serde_json::to_string(target).is_ok_and(|t| t.contains("data.inventory"));
        Ok(Template {
            name,
            kind,
            rego,
            cel,
            title,
            reads_inventory,
            path: doc.path.clone(),
            line: doc.line,
        })
    }
}

/// A `K8sNativeValidation` source, with Gatekeeper's variables `anyObject` and `params`
/// declared before the template's own.
fn compile_cel(source: &Value) -> Result<Validator, String> {
    let mut b = Builder::default();
    let err = |e: crate::cel::CelError| e.to_string();
    b.variable(
        "anyObject",
        "has(request.operation) && request.operation == 'DELETE' && object == null ? oldObject : object",
    )
    .map_err(err)?;
    b.variable(
        "params",
        "params != null && has(params.spec) && has(params.spec.parameters) && params.spec.parameters != null ? params.spec.parameters : {}",
    )
    .map_err(err)?;
    for c in source
        .get("matchConditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("");
        let expr = c.get("expression").and_then(Value::as_str).unwrap_or("");
        b.match_condition(name, expr).map_err(err)?;
    }
    for v in source
        .get("variables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = v.get("name").and_then(Value::as_str).unwrap_or("");
        let expr = v.get("expression").and_then(Value::as_str).unwrap_or("");
        b.variable(name, expr).map_err(err)?;
    }
    for (i, v) in source
        .get("validations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let expr = v.get("expression").and_then(Value::as_str).unwrap_or("");
        let message = v.get("message").and_then(Value::as_str).map(String::from);
        let message_expression = v.get("messageExpression").and_then(Value::as_str);
        b.validation(i, expr, message, message_expression, None)
            .map_err(err)?;
    }
    Ok(b.finish())
}

/// A constraint, bound to its compiled template.
#[derive(Debug)]
pub struct Constraint {
    id: String,
    template: Arc<Template>,
    rego: Option<RegoProgram>,
    matcher: Match,
    /// `spec.parameters` as Rego input.
    params_rego: regorus::Value,
    /// The whole constraint, as CEL's `params`.
    params_cel: Arc<crate::cel::Held>,
    action: Action,
    engines: EngineChoice,
    annotations: Map<String, Value>,
    path: Arc<str>,
    line: u32,
}

impl Constraint {
    /// Bind a constraint document to its template.
    pub fn new(
        doc: &Loaded,
        template: Arc<Template>,
        engines: EngineChoice,
    ) -> Result<Constraint, PolicyError> {
        let v = &doc.value;
        let name = doc.name();
        let kind = doc.kind();
        if name.is_empty() {
            return Err(doc.error(format!("a {kind} constraint has no `metadata.name`")));
        }
        let matcher = Match::parse(v.pointer("/spec/match"))
            .map_err(|e| doc.error(format!("constraint {kind}/{name}: {e}")))?;
        match engines {
            EngineChoice::Rego if template.rego.is_none() => {
                return Err(doc.error(format!(
                    "constraint {kind}/{name}: template `{}` has no Rego",
                    template.name
                )));
            }
            EngineChoice::Cel if template.cel.is_none() => {
                return Err(doc.error(format!(
                    "constraint {kind}/{name}: template `{}` has no CEL",
                    template.name
                )));
            }
            _ => {}
        }
        let parameters = v
            .pointer("/spec/parameters")
            .cloned()
            .unwrap_or(Value::Null);
        let action =
            action_of(v).map_err(|e| doc.error(format!("constraint {kind}/{name}: {e}")))?;
        Ok(Constraint {
            id: format!("GK:{kind}/{name}"),
            rego: template.rego.clone(),
            params_rego: if parameters.is_null() {
                regorus::Value::new_object()
            } else {
                regorus::Value::from(parameters)
            },
            params_cel: Arc::new(crate::cel::held(v)),
            matcher,
            action,
            engines,
            annotations: (v
                .pointer("/metadata/annotations")
                .and_then(Value::as_object))
            .cloned()
            .unwrap_or_default(),
            template,
            path: doc.path.clone(),
            line: doc.line,
        })
    }

    /// A copy to bind to another run's inventory (the compiled programs are shared).
    pub fn clone_for_inventory(&self) -> Constraint {
        Constraint {
            id: self.id.clone(),
            template: self.template.clone(),
            rego: self.rego.clone(),
            matcher: self.matcher.clone(),
            params_rego: self.params_rego.clone(),
            params_cel: self.params_cel.clone(),
            action: self.action,
            engines: self.engines,
            annotations: self.annotations.clone(),
            path: self.path.clone(),
            line: self.line,
        }
    }

    /// The same constraint with `data.inventory` from a run's objects.
    pub fn with_inventory(&mut self, inventory: &regorus::Value) -> Result<(), String> {
        if let Some(rego) = &self.template.rego {
            self.rego = Some(rego.with_inventory(inventory)?);
        }
        Ok(())
    }

    fn runs_rego(&self) -> bool {
        match self.engines {
            EngineChoice::Rego | EngineChoice::Both => true,
            EngineChoice::Cel => false,
            EngineChoice::Auto => self.template.cel.is_none(),
        }
    }

    fn runs_cel(&self) -> bool {
        match self.engines {
            EngineChoice::Cel | EngineChoice::Both | EngineChoice::Auto => {
                self.template.cel.is_some()
            }
            EngineChoice::Rego => false,
        }
    }

    fn judge_rego(&self, p: &Prepared, out: &mut Vec<Violation>) -> Result<(), String> {
        let Some(rego) = &self.rego else {
            return Ok(());
        };
        let mut input = regorus::Value::new_object();
        if let Ok(map) = input.as_object_mut() {
            map.insert(regorus::Value::from("review"), p.rego_review().clone());
            map.insert(regorus::Value::from("parameters"), self.params_rego.clone());
        }
        for v in rego.evaluate(input).map_err(|e| format!("Rego: {e}"))? {
            let pointer = hints::from_message(p.review.any_object(), &v.message);
            out.push(Violation {
                message: v.message,
                pointer,
            });
        }
        Ok(())
    }

    fn judge_cel(&self, p: &Prepared, out: &mut Vec<Violation>) -> Result<(), String> {
        let Some(cel) = &self.template.cel else {
            return Ok(());
        };
        let mut b = p.cel().bindings();
        b.bind("params", self.params_cel.as_ref().as_ref());
        match cel
            .evaluate(&b, RunMode::All)
            .map_err(|e| format!("CEL: {e}"))?
        {
            Outcome::NotMatched => {}
            Outcome::Evaluated { errors, .. } if !errors.is_empty() => {
                return Err(format!("CEL: {}", errors[0].1));
            }
            Outcome::Evaluated { failures, .. } => {
                for f in failures {
                    let pointer = hints::from_message(p.review.any_object(), &f.message)
                        .or_else(|| hints::from_expression(p.review.any_object(), &f.expression));
                    out.push(Violation {
                        message: f.message,
                        pointer,
                    });
                }
            }
        }
        Ok(())
    }
}

impl Policy for Constraint {
    fn id(&self) -> &str {
        &self.id
    }

    fn title(&self) -> String {
        format!(
            "Gatekeeper {} ({})",
            self.template.title, self.template.kind
        )
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

    fn needs_data(&self) -> bool {
        self.matcher.namespace_selector.is_some() || self.template.reads_inventory
    }

    fn resources(&self) -> Option<Vec<(String, String)>> {
        self.matcher.resources()
    }

    fn with_data(
        &self,
        data: &crate::data::ClusterData,
    ) -> Result<Option<crate::policy::SharedPolicy>, String> {
        match data.inventory() {
            Some(inv) if self.template.reads_inventory => {
                let mut bound = self.clone_for_inventory();
                bound.with_inventory(inv)?;
                Ok(Some(Arc::new(bound)))
            }
            _ => Ok(None),
        }
    }

    fn judge(&self, p: &Prepared) -> Result<Verdict, String> {
        if !self.matcher.matches(&p.review, &p.data) {
            return Ok(Verdict::Skipped);
        }
        let mut violations = Vec::new();
        if self.runs_cel() {
            self.judge_cel(p, &mut violations)?;
        }
        if self.runs_rego() {
            self.judge_rego(p, &mut violations)?;
        }
        if self.engines == EngineChoice::Both {
            let mut seen = std::collections::HashSet::new();
            violations.retain(|v| seen.insert(v.message.clone()));
        }
        Ok(Verdict::Evaluated(violations))
    }
}

/// `spec.enforcementAction` (and the `validation.gatekeeper.sh` entry of
/// `scopedEnforcementActions`).
fn action_of(constraint: &Value) -> Result<Action, String> {
    let parse = |a: &str| match a.to_ascii_lowercase().as_str() {
        "deny" => Ok(Action::Deny),
        "warn" => Ok(Action::Warn),
        "dryrun" => Ok(Action::Audit),
        other => Err(format!("unknown enforcementAction `{other}`")),
    };
    match constraint
        .pointer("/spec/enforcementAction")
        .and_then(Value::as_str)
    {
        None | Some("") => Ok(Action::Deny),
        Some("scoped") => {
            let scoped = (constraint
                .pointer("/spec/scopedEnforcementActions")
                .and_then(Value::as_array))
            .ok_or("enforcementAction `scoped` without `scopedEnforcementActions`")?;
            let mut best: Option<Action> = None;
            for entry in scoped {
                let points = entry.get("enforcementPoints").and_then(Value::as_array);
                let applies = points.is_none_or(|p| {
                    p.iter().any(|x| {
                        matches!(
                            x.get("name").and_then(Value::as_str),
                            Some("validation.gatekeeper.sh" | "*")
                        )
                    })
                });
                if applies {
                    let a = parse(entry.get("action").and_then(Value::as_str).unwrap_or(""))?;
                    best = Some(match (best, a) {
                        (Some(Action::Deny), _) | (_, Action::Deny) => Action::Deny,
                        (Some(Action::Warn), _) | (_, Action::Warn) => Action::Warn,
                        _ => Action::Audit,
                    });
                }
            }
            Ok(best.unwrap_or(Action::Audit))
        }
        Some(other) => parse(other),
    }
}
