//! A template's Rego, compiled once with regorus and evaluated per review.
//!
//! Gatekeeper templates are mostly Rego v0 and rely on OPA's non-strict built-in errors
//! (`object.get(null, …)` is undefined, not an error); the engine is prepared with both, the
//! template's libraries and `data.inventory`, and cloned per evaluation (a few microseconds),
//! so evaluations never share state and run on any thread.

use std::num::NonZeroU32;
use std::time::Duration;

use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value};

use super::compat;

/// How long one evaluation of one constraint may run before it is stopped as an error.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_millis(250);

/// Work units between two looks at the clock: looking at every unit costs a sixth of the
/// evaluation; every 64th still stops a runaway evaluation within microseconds of its limit.
const CHECK_INTERVAL: NonZeroU32 = match NonZeroU32::new(64) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// A template's Rego program, ready to evaluate.
#[derive(Clone)]
pub struct RegoProgram {
    engine: Engine,
    rule: String,
}

impl std::fmt::Debug for RegoProgram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegoProgram")
            .field("rule", &self.rule)
            .finish()
    }
}

/// One violation as the template's `violation` rule produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegoViolation {
    /// `msg`.
    pub message: String,
    /// `details`, as JSON.
    pub details: serde_json::Value,
}

impl RegoProgram {
    /// Compile the template's module and libraries. `v1` is the template's `source.version`
    /// (`v1` syntax); otherwise the module is Rego v0, as Gatekeeper reads it.
    pub fn compile(
        name: &str,
        rego: &str,
        libs: &[String],
        v1: bool,
        time_limit: Duration,
    ) -> Result<Self, String> {
        let mut engine = Engine::new();
        engine.set_rego_v0(!v1);
        engine.set_strict_builtin_errors(false);
        engine.set_execution_timer_config(ExecutionTimerConfig {
            limit: time_limit,
            check_interval: CHECK_INTERVAL,
        });
        engine
            .add_extension("sprintf".into(), 2, Box::new(super::sprintf::extension))
            .map_err(|e| e.to_string())?;
        let package = engine
            .add_policy(format!("{name}.rego"), compat::normalise(rego))
            .map_err(|e| e.to_string())?;
        for (i, lib) in libs.iter().enumerate() {
            engine
                .add_policy(format!("{name}.lib{i}.rego"), compat::normalise(lib))
                .map_err(|e| e.to_string())?;
        }
        let rule = format!("{package}.violation");
        engine
            .add_data(inventory_root(Value::new_object()))
            .map_err(|e| e.to_string())?;
        prepare(&mut engine, &rule)?;
        Ok(RegoProgram { engine, rule })
    }

    /// The same program with `data.inventory` replaced.
    pub fn with_inventory(&self, inventory: &Value) -> Result<Self, String> {
        let mut engine = self.engine.clone();
        engine.clear_data();
        engine
            .add_data(inventory_root(inventory.clone()))
            .map_err(|e| e.to_string())?;
        prepare(&mut engine, &self.rule)?;
        Ok(RegoProgram {
            engine,
            rule: self.rule.clone(),
        })
    }

    /// Evaluate with `input` (`{"review": …, "parameters": …}`).
    pub fn evaluate(&self, input: Value) -> Result<Vec<RegoViolation>, String> {
        let mut engine = self.engine.clone();
        engine.set_input(input);
        let result = engine
            .eval_rule(self.rule.clone())
            .map_err(|e| first_line(&e.to_string()))?;
        let items: Vec<&Value> = match &result {
            Value::Set(set) => set.iter().collect(),
            Value::Array(items) => items.iter().collect(),
            Value::Undefined | Value::Null => Vec::new(),
            other => vec![other],
        };
        Ok(items.into_iter().map(violation).collect())
    }
}

/// Analyse the modules now, once: an error in a rule body is then a load error rather than an
/// evaluation one, and the clones made per evaluation start prepared instead of each
/// analysing the modules again.
fn prepare(engine: &mut Engine, rule: &str) -> Result<(), String> {
    engine.set_input(Value::new_object());
    engine
        .eval_rule(rule.to_string())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn violation(value: &Value) -> RegoViolation {
    let message = match &value["msg"] {
        Value::String(s) => s.to_string(),
        Value::Undefined => String::new(),
        other => other.to_json_str().unwrap_or_default(),
    };
    let details = match &value["details"] {
        Value::Undefined => serde_json::Value::Null,
        other => (other.to_json_str().ok())
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or(serde_json::Value::Null),
    };
    RegoViolation { message, details }
}

fn inventory_root(inventory: Value) -> Value {
    let mut root = Value::new_object();
    if let Ok(map) = root.as_object_mut() {
        map.insert(Value::from("inventory"), inventory);
    }
    root
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).to_string()
}
