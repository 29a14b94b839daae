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
    let mut expected = Vec::new();
    let mut got = Vec::new();
    let mut pass = true;
    for assertion in case
        .get("assertions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let expect = Expectation::parse(assertion).map_err(|e| object.error(e))?;
        expected.push(expect.describe());
        match &verdict {
            Err(e) => {
                pass = false;
                got.push(format!("error: {e}"));
            }
            Ok(v) => {
                let n = expect.count(v.violations().iter().map(|v| v.message.as_str()));
                pass &= expect.holds(n);
                got.push(match &expect.message_text {
                    Some(_) => format!("{n} matching"),
                    None => format!("{n} violations"),
                });
            }
        }
    }
    Ok(vec![CaseResult {
        suite: suite.to_string(),
        test: test.to_string(),
        case: case_name,
        expected: expected.join("; "),
        got: got.join("; "),
        pass,
    }])
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

/// Whether a file is a Kyverno test.
pub fn is_kyverno_test(doc: &Value) -> bool {
    doc.get("kind").and_then(Value::as_str) == Some("Test")
        && (doc.get("apiVersion").and_then(Value::as_str))
            .is_some_and(|v| v.starts_with("cli.kyverno.io/"))
}

/// What a Kyverno test can name: a ValidatingPolicy or a ValidatingAdmissionPolicy.
enum Tested {
    Kyverno(Box<crate::kyverno::KyvernoPolicy>),
    Vap(Box<crate::vap::VapBinding>),
}

impl Tested {
    fn result(&self, p: &Prepared) -> (&'static str, Option<String>) {
        match self {
            Tested::Kyverno(k) => {
                let (r, m) = k.test(p);
                (r.as_str(), m)
            }
            Tested::Vap(v) => match v.judge(p) {
                Err(e) => ("error", Some(e)),
                Ok(crate::policy::Verdict::Skipped) => ("skip", None),
                Ok(crate::policy::Verdict::Evaluated(v)) if v.is_empty() => ("pass", None),
                Ok(crate::policy::Verdict::Evaluated(v)) => ("fail", Some(v[0].message.clone())),
            },
        }
    }
}

/// Run a Kyverno `Test` file (`kyverno-test.yaml`): every `results` entry, for each resource it
/// names.
pub fn run_kyverno_test(path: &Path) -> Result<Vec<CaseResult>, PolicyError> {
    let test = single(path)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let display = path.display().to_string();
    let files = |key: &str| -> Vec<PathBuf> {
        (test
            .value
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten())
        .filter_map(Value::as_str)
        .map(|f| dir.join(f))
        .collect()
    };
    let mut tested: Vec<(String, Tested)> = Vec::new();
    let mut all_docs = Vec::new();
    for file in files("policies") {
        let (docs, errors) = read_file(&file);
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        all_docs.extend(docs);
    }
    for doc in &all_docs {
        if crate::kyverno::is_policy(doc) {
            let p = crate::kyverno::KyvernoPolicy::compile(doc)?;
            tested.push((p.name.clone(), Tested::Kyverno(Box::new(p))));
        } else if crate::vap::is_policy(doc) {
            let p = Arc::new(crate::vap::VapPolicy::compile(doc)?);
            let binding = all_docs.iter().find(|d| {
                crate::vap::is_binding(d)
                    && d.value.pointer("/spec/policyName").and_then(Value::as_str) == Some(&p.name)
            });
            let bound = match binding {
                Some(b) => crate::vap::VapBinding::new(b, p.clone(), &all_docs)?,
                None => crate::vap::VapBinding::unbound(p.clone()),
            };
            tested.push((p.name.clone(), Tested::Vap(Box::new(bound))));
        }
    }
    let mut resources = Vec::new();
    for file in files("resources") {
        let (docs, errors) = read_file(&file);
        if let Some(e) = errors.into_iter().next() {
            return Err(e);
        }
        resources.extend(docs);
    }
    let mut namespaces = Vec::new();
    if let Some(values) = test.value.get("variables").and_then(Value::as_str) {
        let values = single(&dir.join(values))?;
        for ns in values
            .value
            .get("namespaces")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            namespaces.push(ns.clone());
        }
        for ns in values
            .value
            .get("namespaceSelector")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            namespaces.push(serde_json::json!({
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns.get("name").cloned().unwrap_or(Value::Null),
                             "labels": ns.get("labels").cloned().unwrap_or(Value::Null)},
            }));
        }
    }
    // Kyverno's `context` file lists the objects `resource.Get` and `resource.List` find.
    let mut known = namespaces;
    if let Some(context) = test.value.get("context").and_then(Value::as_str) {
        let context = single(&dir.join(context))?;
        for object in context
            .value
            .pointer("/spec/resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            known.push(object.clone());
        }
    }
    let data = Arc::new(ClusterData::new(known));
    let operation = (test.value.pointer("/operation").and_then(Value::as_str)).unwrap_or("CREATE");
    let mut results = Vec::new();
    for (i, expect) in test
        .value
        .get("results")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let policy = text(expect, "policy");
        let expected = text(expect, "result");
        let Some((_, subject)) = tested.iter().find(|(n, _)| *n == policy) else {
            return Err(test.error(format!(
                "results[{i}] names policy `{policy}`, which the test does not load"
            )));
        };
        let names: Vec<String> = (expect
            .get("resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten())
        .filter_map(Value::as_str)
        .map(String::from)
        .collect();
        for name in names {
            let (ns, n) = name
                .split_once('/')
                .map_or(("", name.as_str()), |(a, b)| (a, b));
            let found: Vec<&Loaded> = resources
                .iter()
                .filter(|r| {
                    r.name() == n
                        && (ns.is_empty()
                            || r.value
                                .pointer("/metadata/namespace")
                                .and_then(Value::as_str)
                                == Some(ns))
                })
                .collect();
            if found.is_empty() {
                results.push(CaseResult {
                    suite: display.clone(),
                    test: policy.clone(),
                    case: name.clone(),
                    expected: expected.clone(),
                    got: "not found".into(),
                    pass: false,
                });
            }
            for r in found {
                let review = kyverno_review(&r.value, operation);
                let prepared = Prepared::new(review, data.clone());
                let (got, message) = subject.result(&prepared);
                let message = message.map(|m| prepared.redact(&m));
                results.push(CaseResult {
                    suite: display.clone(),
                    test: policy.clone(),
                    case: format!("{}/{}", r.kind(), name),
                    expected: expected.clone(),
                    got: match message {
                        Some(m) if got != expected => format!("{got} ({m})"),
                        _ => got.to_string(),
                    },
                    pass: got == expected,
                });
            }
        }
    }
    Ok(results)
}

/// The request `kyverno test` makes of a resource: a create, an update of the object by
/// itself, or a delete.
fn kyverno_review(object: &Value, operation: &str) -> Review {
    use palisade_model::request::{Operation, Request};
    let object = Arc::new(object.clone());
    match operation {
        "UPDATE" => Review::new(
            object.clone(),
            Request {
                operation: Operation::Update,
                old_object: Some((*object).clone()),
                ..Request::default()
            },
        ),
        "DELETE" => Review::new(
            Arc::new(Value::Null),
            Request {
                operation: Operation::Delete,
                old_object: Some((*object).clone()),
                ..Request::default()
            },
        ),
        _ => Review::of_object(object),
    }
}

/// Run any test file: a Gatekeeper suite or a Kyverno test.
pub fn run_test_file(
    path: &Path,
    engines: EngineChoice,
    time_limit: Duration,
) -> Result<Vec<CaseResult>, PolicyError> {
    let doc = single(path)?;
    if is_gatekeeper_suite(&doc.value) {
        run_gatekeeper_suite(path, engines, time_limit)
    } else if is_kyverno_test(&doc.value) {
        run_kyverno_test(path)
    } else {
        Err(doc.error(
            "neither a Gatekeeper Suite (test.gatekeeper.sh) nor a Kyverno Test (cli.kyverno.io)",
        ))
    }
}
