//! CEL as Kubernetes evaluates it for ValidatingAdmissionPolicy, and as Gatekeeper's
//! `K8sNativeValidation` and Kyverno's `ValidatingPolicy` reuse it: match conditions,
//! variables, validations with messages and message expressions, audit annotations.
//!
//! Every expression is compiled once, at load. Variables are lazy, as in Kubernetes: a
//! variable is evaluated only when an expression that is evaluated refers to it (so a variable
//! that would fail is harmless until used), and at most once per review.

mod env;
pub mod k8s;

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use std::sync::OnceLock;

use cel::common::traits::Indexer;
use cel::common::types::{CelNull, CelString, DYN_TYPE, Type};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, ExecutionError, Program, Value};

pub use env::environment;

/// An expression compiled once.
#[derive(Clone)]
pub struct Expr {
    /// As written.
    pub source: Arc<str>,
    program: Arc<Program>,
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Expr({:?})", self.source)
    }
}

/// A named, compiled expression (a variable, a match condition, an audit annotation).
#[derive(Debug, Clone)]
pub struct Named {
    /// The name.
    pub name: String,
    /// The expression.
    pub expr: Expr,
}

/// One validation.
#[derive(Debug, Clone)]
pub struct Validation {
    /// Must evaluate to `true` for the object to pass.
    pub expr: Expr,
    /// The static message.
    pub message: Option<String>,
    /// A string expression for the message; on error, the static message is used.
    pub message_expression: Option<Expr>,
    /// `reason` (`Invalid`, `Forbidden`, …).
    pub reason: Option<String>,
}

/// A compiled validator: what a ValidatingAdmissionPolicy's spec holds.
#[derive(Debug, Clone, Default)]
pub struct Validator {
    /// `matchConditions`: all must be true for the validations to run.
    pub match_conditions: Vec<Named>,
    /// `variables`, in declaration order.
    pub variables: Vec<Named>,
    /// `validations`.
    pub validations: Vec<Validation>,
    /// `auditAnnotations` (key, value expression).
    pub audit_annotations: Vec<Named>,
}

/// An expression that did not compile or could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {message}")]
pub struct CelError {
    /// Which expression (`validations[0].expression`, `variables.x`).
    pub what: String,
    /// What went wrong.
    pub message: String,
}

/// Builds a [`Validator`], compiling each expression against the variables declared so far.
#[derive(Debug, Default)]
pub struct Builder {
    validator: Validator,
}

impl Builder {
    /// Compile one expression (`what` names it in errors).
    pub fn compile(&self, what: &str, source: &str) -> Result<Expr, CelError> {
        let program = environment().compile(source).map_err(|e| CelError {
            what: what.to_string(),
            message: one_line(&e.to_string()),
        })?;
        // A variable may only read variables declared before it (as Kubernetes requires),
        // which also rules out cycles among the lazily computed variables.
        for name in referenced_variables(source) {
            if !self.validator.variables.iter().any(|v| v.name == name) {
                return Err(CelError {
                    what: what.to_string(),
                    message: format!(
                        "refers to `variables.{name}`, which is not declared before it"
                    ),
                });
            }
        }
        Ok(Expr {
            source: Arc::from(source),
            program: Arc::new(program),
        })
    }

    /// Declare a variable.
    pub fn variable(&mut self, name: &str, source: &str) -> Result<(), CelError> {
        let expr = self.compile(&format!("variables.{name}"), source)?;
        self.validator.variables.push(Named {
            name: name.to_string(),
            expr,
        });
        Ok(())
    }

    /// Add a match condition.
    pub fn match_condition(&mut self, name: &str, source: &str) -> Result<(), CelError> {
        let expr = self.compile(&format!("matchConditions.{name}"), source)?;
        self.validator.match_conditions.push(Named {
            name: name.to_string(),
            expr,
        });
        Ok(())
    }

    /// Add a validation.
    pub fn validation(
        &mut self,
        index: usize,
        source: &str,
        message: Option<String>,
        message_expression: Option<&str>,
        reason: Option<String>,
    ) -> Result<(), CelError> {
        let expr = self.compile(&format!("validations[{index}].expression"), source)?;
        let message_expression = match message_expression {
            Some(m) => Some(self.compile(&format!("validations[{index}].messageExpression"), m)?),
            None => None,
        };
        self.validator.validations.push(Validation {
            expr,
            message,
            message_expression,
            reason,
        });
        Ok(())
    }

    /// Add an audit annotation.
    pub fn audit_annotation(&mut self, key: &str, source: &str) -> Result<(), CelError> {
        let expr = self.compile(&format!("auditAnnotations.{key}.valueExpression"), source)?;
        self.validator.audit_annotations.push(Named {
            name: key.to_string(),
            expr,
        });
        Ok(())
    }

    /// The validator.
    pub fn finish(self) -> Validator {
        self.validator
    }
}

/// The values an evaluation binds: `object`, `oldObject`, `request`, `params`,
/// `namespaceObject`. They are converted to CEL values once per review (or per policy, for
/// params) and lent to every expression, never copied per expression.
#[derive(Default)]
pub struct Bindings<'a> {
    values: Vec<(&'static str, &'a dyn Val)>,
}

impl<'a> Bindings<'a> {
    /// Bind a name.
    pub fn bind(&mut self, name: &'static str, value: &'a dyn Val) -> &mut Self {
        self.values.push((name, value));
        self
    }
}

/// A CEL value held for lending to evaluations.
pub type Held = Box<dyn Val>;

/// JSON to a held CEL value.
pub fn held(json: &serde_json::Value) -> Held {
    let converted: Result<Held, _> = value_of(json).try_into();
    converted.unwrap_or_else(|_| held_null())
}

/// A CEL value, held.
pub fn held_value(value: Value) -> Held {
    let converted: Result<Held, _> = value.try_into();
    converted.unwrap_or_else(|_| held_null())
}

/// A held `null`.
pub fn held_null() -> Held {
    Box::new(CelNull)
}

/// A validation that failed, with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Index into the validations.
    pub index: usize,
    /// The message (the message expression's, the static message, or
    /// `failed expression: …`).
    pub message: String,
    /// The expression, for pointer hints.
    pub expression: Arc<str>,
}

/// What an evaluation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A match condition was false: the policy does not apply.
    NotMatched,
    /// The validations ran: those that failed, and those that could not be evaluated.
    Evaluated {
        /// Failed validations.
        failures: Vec<Failure>,
        /// Validations whose expression failed (index and error).
        errors: Vec<(usize, CelError)>,
    },
}

/// How many validations run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Every validation, each with its own result (ValidatingAdmissionPolicy, Gatekeeper).
    All,
    /// In order, up to the first that fails or errs (Kyverno).
    UntilFirst,
}

/// One evaluation: the bindings and the variables, each computed on first access (by any
/// expression, at any depth) and at most once, and held converted so that every later read
/// borrows it.
struct Run<'a> {
    validator: &'a Validator,
    bindings: &'a Bindings<'a>,
    cache: Vec<OnceLock<Result<Held, CelError>>>,
}

impl fmt::Debug for Run<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("variables")
    }
}

/// What names resolve to in an expression: the bindings, lent; `variables`, lazily.
struct Scope<'r, 'a>(&'r Run<'a>);

impl VariableResolver for Scope<'_, '_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        if variable == "variables" {
            return Some(CowVal::owned(Variables(self.0)));
        }
        (self.0.bindings.values.iter())
            .find(|(name, _)| *name == variable)
            .map(|(_, value)| CowVal::Borrowed(*value))
    }
}

impl<'a> Run<'a> {
    fn new(validator: &'a Validator, bindings: &'a Bindings<'a>) -> Self {
        Run {
            validator,
            bindings,
            cache: (0..validator.variables.len())
                .map(|_| OnceLock::new())
                .collect(),
        }
    }

    /// Evaluate an expression; the variables it reaches are computed as it reaches them.
    fn eval(&self, what: &str, expr: &Expr) -> Result<Value, CelError> {
        let scope = Scope(self);
        let mut context = Context::with_env(environment());
        context.set_variable_resolver(&scope);
        expr.program.execute(&context).map_err(|e| CelError {
            what: what.to_string(),
            message: describe(&e),
        })
    }

    fn variable(&self, i: usize) -> &Result<Held, CelError> {
        self.cache[i].get_or_init(|| {
            let var = &self.validator.variables[i];
            let what = format!("variables.{}", var.name);
            let value = self.eval(&what, &var.expr)?;
            value.try_into().map_err(|_| CelError {
                what,
                message: "evaluates to a value CEL cannot hold".into(),
            })
        })
    }
}

/// `variables`, as CEL sees it: a map whose entries are computed when read.
#[derive(Debug)]
struct Variables<'r, 'a>(&'r Run<'a>);

impl<'r, 'a> Val for Variables<'r, 'a> {
    fn get_type(&self) -> &Type {
        &DYN_TYPE
    }

    fn cel_type() -> &'static Type {
        &DYN_TYPE
    }

    fn as_indexer<'b, 'v>(&'b self) -> Option<&'b (dyn Indexer + 'v)>
    where
        Self: 'v,
    {
        Some(self)
    }

    fn clone_as_boxed<'v>(&self) -> Box<dyn Val + 'v>
    where
        Self: 'v,
    {
        Box::new(Variables(self.0))
    }
}

impl Indexer for Variables<'_, '_> {
    fn get<'b, 'v>(&'b self, idx: &dyn Val) -> Result<CowVal<'b, 'v>, ExecutionError>
    where
        Self: 'v,
    {
        let name = idx
            .downcast_ref::<CelString>()
            .map(|s| s.inner().to_string());
        let position = name
            .as_deref()
            .and_then(|n| self.0.validator.variables.iter().position(|v| v.name == n));
        let Some(i) = position else {
            return Err(ExecutionError::NoSuchKey(Arc::new(
                name.unwrap_or_default(),
            )));
        };
        match self.0.variable(i) {
            Ok(value) => Ok(CowVal::Borrowed(value.as_ref())),
            Err(e) => Err(ExecutionError::function_error(&e.what, &e.message)),
        }
    }

    fn steal<'v>(self: Box<Self>, idx: &dyn Val) -> Result<Box<dyn Val + 'v>, ExecutionError>
    where
        Self: 'v,
    {
        self.get(idx).map(CowVal::into_owned)
    }
}

impl Validator {
    /// Evaluate: match conditions, then the validations. A match condition that is false
    /// skips the policy even when another errs; an erring one (with none false) is an error.
    /// An erring validation is reported with its index, and the others still run (in
    /// [`RunMode::All`]).
    pub fn evaluate(&self, bindings: &Bindings, mode: RunMode) -> Result<Outcome, CelError> {
        let run = Run::new(self, bindings);
        let mut condition_error = None;
        for condition in &self.match_conditions {
            let what = format!("matchConditions.{}", condition.name);
            match run.eval(&what, &condition.expr) {
                Ok(Value::Bool(true)) => {}
                Ok(Value::Bool(false)) => return Ok(Outcome::NotMatched),
                Ok(other) => {
                    condition_error.get_or_insert(not_bool(&what, &other));
                }
                Err(e) => {
                    condition_error.get_or_insert(e);
                }
            }
        }
        if let Some(e) = condition_error {
            return Err(e);
        }
        let mut failures = Vec::new();
        let mut errors = Vec::new();
        for (index, validation) in self.validations.iter().enumerate() {
            let what = format!("validations[{index}].expression");
            match run.eval(&what, &validation.expr) {
                Ok(Value::Bool(true)) => continue,
                Ok(Value::Bool(false)) => failures.push(Failure {
                    index,
                    message: run.message(index, validation),
                    expression: validation.expr.source.clone(),
                }),
                Ok(other) => errors.push((index, not_bool(&what, &other))),
                Err(e) => errors.push((index, e)),
            }
            if mode == RunMode::UntilFirst {
                break;
            }
        }
        Ok(Outcome::Evaluated { failures, errors })
    }
}

impl Run<'_> {
    /// The message of a failed validation, as Kubernetes picks it.
    fn message(&self, index: usize, v: &Validation) -> String {
        if let Some(m) = &v.message_expression {
            let what = format!("validations[{index}].messageExpression");
            if let Ok(Value::String(s)) = self.eval(&what, m) {
                let s = s.trim();
                if !s.is_empty() && !s.contains('\n') {
                    return s.to_string();
                }
            }
        }
        match &v.message {
            Some(m) if !m.is_empty() => m.clone(),
            _ => format!("failed expression: {}", v.expr.source.trim()),
        }
    }
}

fn not_bool(what: &str, value: &Value) -> CelError {
    CelError {
        what: what.to_string(),
        message: format!("must evaluate to a bool, not {:?}", value.type_of()),
    }
}

/// An evaluation error without the values it was about: objects can be Secrets, and errors are
/// printed and logged. Types, operators, functions and key names are kept.
fn describe(e: &ExecutionError) -> String {
    let kind = |v: &Value| format!("{:?}", v.type_of()).to_lowercase();
    let text = match e {
        ExecutionError::UnsupportedBinaryOperator(op, a, b) => {
            format!("unsupported operator '{op}' on {} and {}", kind(a), kind(b))
        }
        ExecutionError::ValuesNotComparable(a, b) => {
            format!("{} cannot be compared to {}", kind(a), kind(b))
        }
        ExecutionError::UnsupportedTargetType { target } => {
            format!("invalid argument type {}", kind(target))
        }
        ExecutionError::NotSupportedAsMethod { method, target } => {
            format!("method '{method}' is not supported on {}", kind(target))
        }
        ExecutionError::UnsupportedKeyType(v) => format!("{} cannot be a map key", kind(v)),
        ExecutionError::UnsupportedIndex(a, b) => {
            format!("{} cannot index {}", kind(a), kind(b))
        }
        other => other.to_string(),
    };
    without_quoted(&one_line(&text))
}

/// The text with quoted strings (values) replaced by `…`.
fn without_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '"' => {
                out.push(c);
                quote = Some(c);
            }
            None => out.push(c),
        }
    }
    if quote.is_some() {
        out.push('…');
    }
    out
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `variables.NAME` references in an expression's text (outside string literals).
fn referenced_variables(source: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let bytes = source.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
            i += 1;
            continue;
        }
        if c == b'"' || c == b'\'' {
            quote = Some(c);
            i += 1;
            continue;
        }
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'.');
        if boundary && source[i..].starts_with("variables.") {
            let start = i + "variables.".len();
            let end = source[start..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(source.len(), |n| start + n);
            if end > start {
                names.insert(source[start..end].to_string());
            }
            i = end;
            continue;
        }
        i += 1;
    }
    names
}

/// JSON to a CEL value.
pub fn value_of(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::Int(i),
            (None, Some(u), _) => Value::UInt(u),
            (_, _, Some(f)) => Value::Float(f),
            _ => Value::Null,
        },
        serde_json::Value::String(s) => Value::String(Arc::new(s.clone())),
        serde_json::Value::Array(items) => {
            Value::List(Arc::new(items.iter().map(value_of).collect()))
        }
        serde_json::Value::Object(map) => {
            let entries: std::collections::HashMap<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), value_of(v))).collect();
            Value::from(entries)
        }
    }
}

#[cfg(test)]
mod tests;

/// Compile a ValidatingAdmissionPolicy-shaped spec (`matchConditions`, `variables`,
/// `validations`, `auditAnnotations`). With `only`, the validator keeps that one validation
/// (and everything it may read).
pub fn compile_spec(spec: &serde_json::Value, only: Option<usize>) -> Result<Validator, CelError> {
    use serde_json::Value as J;
    let text = |v: &J, k: &str| v.get(k).and_then(J::as_str).unwrap_or("").to_string();
    let list = |k: &str| spec.get(k).and_then(J::as_array).into_iter().flatten();
    let mut b = Builder::default();
    for c in list("matchConditions") {
        b.match_condition(&text(c, "name"), &text(c, "expression"))?;
    }
    for v in list("variables") {
        b.variable(&text(v, "name"), &text(v, "expression"))?;
    }
    for (i, v) in list("validations").enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        b.validation(
            i,
            &text(v, "expression"),
            v.get("message").and_then(J::as_str).map(String::from),
            v.get("messageExpression").and_then(J::as_str),
            v.get("reason").and_then(J::as_str).map(String::from),
        )?;
    }
    if only.is_none() {
        for a in list("auditAnnotations") {
            b.audit_annotation(&text(a, "key"), &text(a, "valueExpression"))?;
        }
    }
    Ok(b.finish())
}
