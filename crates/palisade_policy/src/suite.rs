//! Policy tests as the policies' own ecosystems write them: Gatekeeper `Suite` files
//! (`gator verify`) and Kyverno `Test` files (`kyverno test`). Each case is judged by the same
//! compiled policies `scan` and `admission serve` run.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::data::ClusterData;
use crate::error::PolicyError;
use crate::gatekeeper::{Constraint, EngineChoice, Template};
use crate::load::{Loaded, read_file};
use crate::policy::{Policy, Prepared};
use crate::review::Review;

/// The result of one case.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CaseResult {
    /// The suite or test file.
    pub suite: String,
    /// The test (Gatekeeper) or policy (Kyverno) name.
    pub test: String,
    /// The case (Gatekeeper) or resource (Kyverno) name.
    pub case: String,
    /// What the file expects.
    pub expected: String,
    /// What the policy gave.
    pub got: String,
    /// Whether they agree.
    pub pass: bool,
}

/// Whether a file is a Gatekeeper suite.
pub fn is_gatekeeper_suite(doc: &Value) -> bool {
    doc.get("kind").and_then(Value::as_str) == Some("Suite")
        && (doc.get("apiVersion").and_then(Value::as_str))
            .is_some_and(|v| v.starts_with("test.gatekeeper.sh/"))
}

/// Run a Gatekeeper suite file with the given engines.
pub fn run_gatekeeper_suite(
    path: &Path,
    engines: EngineChoice,
    time_limit: Duration,
) -> Result<Vec<CaseResult>, PolicyError> {
    let suite = single(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let display = path.display().to_string();
    let mut results = Vec::new();
    for test in suite
        .value
        .get("tests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let test_name = text(test, "name");
        let template_path = dir.join(text(test, "template"));
        let template_doc = single(&template_path)?;
        let template = Arc::new(Template::compile(&template_doc, time_limit)?);
        if engines == EngineChoice::Cel && template.cel.is_none() {
            continue;
        }
        let constraint_doc = single(&dir.join(text(test, "constraint")))?;
        if constraint_doc.kind() != template.kind {
            return Err(constraint_doc.error(format!(
                "the constraint's kind is `{}`, but the template defines `{}`",
                constraint_doc.kind(),
                template.kind
            )));
        }
        let constraint = Constraint::new(&constraint_doc, template.clone(), engines)?;
        for case in test
            .get("cases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if case.get("skip").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            results.extend(run_case(&display, &test_name, case, dir, &constraint)?);
        }
    }
    Ok(results)
}

fn run_case(
    suite: &str,
    test: &str,
    case: &Value,
    dir: &Path,
    constraint: &Constraint,
) -> Result<Vec<CaseResult>, PolicyError> {
    let case_name = text(case, "name");
    let object = single(&dir.join(text(case, "object")))?;
    let review = if object.kind() == "AdmissionReview" {
        Review::from_admission_review(&object.value).map_err(|e| object.error(e))?
    } else {
        Review::of_object(Arc::new(object.value.clone()))
    };
    let mut inventory = Vec::new();
    for file in case
        .get("inventory")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let path = dir.join(file.as_str().unwrap_or(""));
        let (docs, errors) = read_file(&path);
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        inventory.extend(docs.into_iter().map(|d| d.value));
    }
    let data = Arc::new(ClusterData::new(inventory));
    let mut bound;
    let constraint = match data.inventory() {
        Some(inv) => {
            bound = constraint.clone_for_inventory();
            bound.with_inventory(inv).map_err(|e| object.error(e))?;
            &bound
        }
        None => constraint,
    };
    let verdict = constraint.judge(&Prepared::new(review, data.clone()));
    let mut results = Vec::new();
    for (i, assertion) in case
        .get("assertions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let expect = Expectation::parse(assertion).map_err(|e| object.error(e))?;
        let (got, pass) = match &verdict {
            Err(e) => (format!("error: {e}"), false),
            Ok(v) => {
                let n = expect.count(v.violations().iter().map(|v| v.message.as_str()));
                (n.to_string(), expect.holds(n))
            }
        };
        results.push(CaseResult {
            suite: suite.to_string(),
            test: test.to_string(),
            case: if i == 0 {
                case_name.clone()
            } else {
                format!("{case_name} (assertion {})", i + 1)
            },
            expected: expect.describe(),
            got,
            pass,
        });
    }
    Ok(results)
}

/// One `assertions` entry.
struct Expectation {
    count: Count,
    message: Option<regex::Regex>,
    message_text: Option<String>,
}

enum Count {
    Some,
    None,
    Exactly(usize),
}

impl Expectation {
    fn parse(a: &Value) -> Result<Expectation, String> {
        let count = match a.get("violations") {
            None => Count::Some,
            Some(Value::String(s)) if s == "yes" => Count::Some,
            Some(Value::String(s)) if s == "no" => Count::None,
            Some(Value::Bool(true)) => Count::Some,
            Some(Value::Bool(false)) => Count::None,
            Some(Value::Number(n)) => Count::Exactly(
                n.as_u64()
                    .ok_or("`violations` must be yes, no or a count")? as usize,
            ),
            Some(Value::String(s)) => Count::Exactly(
                s.parse()
                    .map_err(|_| format!("`violations: {s}` must be yes, no or a count"))?,
            ),
            Some(_) => return Err("`violations` must be yes, no or a count".into()),
        };
        let message_text = a.get("message").and_then(Value::as_str).map(String::from);
        let message = match &message_text {
            Some(m) => Some(
                regex::Regex::new(m)
                    .map_err(|e| format!("`message` is not a regular expression: {e}"))?,
            ),
            None => None,
        };
        Ok(Expectation {
            count,
            message,
            message_text,
        })
    }

    fn count<'a>(&self, messages: impl Iterator<Item = &'a str>) -> usize {
        messages
            .filter(|m| self.message.as_ref().is_none_or(|r| r.is_match(m)))
            .count()
    }

    fn holds(&self, n: usize) -> bool {
        match self.count {
            Count::Some => n > 0,
            Count::None => n == 0,
            Count::Exactly(k) => n == k,
        }
    }

    fn describe(&self) -> String {
        let count = match self.count {
            Count::Some => "violations: yes".to_string(),
            Count::None => "violations: no".to_string(),
            Count::Exactly(k) => format!("violations: {k}"),
        };
        match &self.message_text {
            Some(m) => format!("{count}, message ~ {m:?}"),
            None => count,
        }
    }
}

/// Every suite and test file under the paths (files named `suite.yaml` and `*.yaml` files that
/// hold a Gatekeeper Suite or a Kyverno Test).
pub fn find_test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let mut out = Vec::new();
    for path in paths {
        for file in crate::load::policy_files(path)? {
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let named_as_test = name == "suite.yaml"
                || name == "kyverno-test.yaml"
                || name.ends_with("-suite.yaml");
            // A file named on the command line is read whatever its name.
            if named_as_test || path.is_file() {
                out.push(file);
            }
        }
    }
    Ok(out)
}

fn single(path: &Path) -> Result<Loaded, PolicyError> {
    let (mut docs, errors) = read_file(path);
    if let Some(e) = errors.into_iter().next() {
        return Err(e);
    }
    if docs.is_empty() {
        return Err(PolicyError::at(
            &path.display().to_string(),
            None,
            "the file holds no document",
        ));
    }
    Ok(docs.swap_remove(0))
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}
