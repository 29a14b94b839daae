//! Kyverno's CEL `ValidatingPolicy` (policies.kyverno.io v1alpha1, v1beta1, v1), with its
//! pod-controller rules.
//!
//! Each validation is a rule of its own (`KYV:<policy>/<index>`), run with the policy's match
//! constraints, match conditions and variables. A policy that matches only Pods also applies
//! to the pod templates of DaemonSets, Deployments, ReplicaSets, StatefulSets, Jobs and
//! CronJobs, as Kyverno's autogen does: the spec is rewritten so that `object.spec` reads the
//! template (`object.spec.template.spec`, or `object.spec.jobTemplate.spec.template.spec`),
//! unless `spec.autogen.podControllers.controllers` is `[]` or names fewer controllers.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::cel::{Bindings, Outcome, RunMode, Validator, compile_spec};
use crate::error::PolicyError;
use crate::hints;
use crate::load::Loaded;
use crate::policy::{Action, Policy, Prepared, Verdict, Violation};
use crate::resources::{MatchResources, ResourceRule};

/// Whether a document is a Kyverno ValidatingPolicy.
pub fn is_policy(doc: &Loaded) -> bool {
    matches!(
        doc.kind(),
        "ValidatingPolicy" | "NamespacedValidatingPolicy"
    ) && doc.api_version().starts_with("policies.kyverno.io/")
}

/// The controllers autogen covers: (resource, group, replacement group).
const CONTROLLERS: [(&str, &str, Group); 6] = [
    ("daemonsets", "apps", Group::Defaults),
    ("deployments", "apps", Group::Defaults),
    ("replicasets", "apps", Group::Defaults),
    ("statefulsets", "apps", Group::Defaults),
    ("jobs", "batch", Group::Defaults),
    ("cronjobs", "batch", Group::CronJobs),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Defaults,
    CronJobs,
}

impl Group {
    /// Where the pod template sits.
    fn template(self) -> &'static str {
        match self {
            Group::Defaults => "spec.template",
            Group::CronJobs => "spec.jobTemplate.spec.template",
        }
    }
}

/// One variant of a policy: the Pod original, or a pod-controller rewrite.
#[derive(Debug)]
struct Variant {
    matcher: MatchResources,
    /// The whole spec: validations run in order up to the first that is not true.
    all: Validator,
    /// Where the pod spec lives in matched objects (for pointers).
    pod_prefix: &'static str,
}

/// A compiled ValidatingPolicy.
#[derive(Debug)]
pub struct KyvernoPolicy {
    /// `metadata.name` (namespaced policies: `namespace/name`).
    pub name: String,
    variants: Vec<Variant>,
    validations: usize,
    /// Whether an expression looks objects up (`resource.Get`, `resource.List`).
    looks_up: bool,
    fail_closed: bool,
    action: Action,
    annotations: Map<String, Value>,
    path: Arc<str>,
    line: u32,
}

/// What `kyverno test` reports for a policy and a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestResult {
    /// Every validation holds.
    Pass,
    /// A validation failed.
    Fail,
    /// Not matched, or a match condition is false.
    Skip,
    /// An expression failed.
    Error,
}

impl TestResult {
    /// As `kyverno test` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TestResult::Pass => "pass",
            TestResult::Fail => "fail",
            TestResult::Skip => "skip",
            TestResult::Error => "error",
        }
    }
}

impl KyvernoPolicy {
    /// Compile a policy document, with its autogen variants.
    pub fn compile(doc: &Loaded) -> Result<KyvernoPolicy, PolicyError> {
        let mut name = doc.name().to_string();
        if let Some(ns) = doc
            .value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
        {
            name = format!("{ns}/{name}");
        }
        let spec = doc.value.get("spec").cloned().unwrap_or(Value::Null);
        let err = |m: String| doc.error(format!("ValidatingPolicy `{name}`: {m}"));
        if spec
            .get("evaluation")
            .and_then(|e| e.get("mode"))
            .and_then(Value::as_str)
            == Some("JSON")
        {
            return Err(err("`evaluation.mode: JSON` policies judge JSON payloads, not Kubernetes objects; they are not supported".into()));
        }
        let validations = spec
            .get("validations")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        if validations == 0 {
            return Err(err("it has no `validations`".into()));
        }
        let mut matcher = MatchResources::parse(spec.get("matchConstraints"));
        matcher.names_match_generate_name = true;
        let mut variants =
            vec![variant(&spec, matcher.clone(), "/spec").map_err(|e| err(e.to_string()))?];
        for (group, m) in autogen_targets(&spec, &matcher) {
            let rewritten = rewrite(&spec, group);
            let prefix = match group {
                Group::Defaults => "/spec/template/spec",
                Group::CronJobs => "/spec/jobTemplate/spec/template/spec",
            };
            variants
                .push(variant(&rewritten, m, prefix).map_err(|e| err(format!("autogen: {e}")))?);
        }
        let actions: Vec<&str> = (spec.get("validationActions").and_then(Value::as_array))
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let action = if actions.is_empty() || actions.contains(&"Deny") {
            Action::Deny
        } else if actions.contains(&"Warn") {
            Action::Warn
        } else {
            Action::Audit
        };
        let text = serde_json::to_string(&spec).unwrap_or_default();
        let looks_up = text.contains("resource.Get(") || text.contains("resource.List(");
        Ok(KyvernoPolicy {
            variants,
            validations,
            looks_up,
            fail_closed: spec.get("failurePolicy").and_then(Value::as_str) != Some("Ignore"),
            action,
            annotations: (doc
                .value
                .pointer("/metadata/annotations")
                .and_then(Value::as_object))
            .cloned()
            .unwrap_or_default(),
            path: doc.path.clone(),
            line: doc.line,
            name,
        })
    }

    /// One rule per validation.
    pub fn rules(self: &Arc<Self>) -> Vec<Arc<KyvernoRule>> {
        (0..self.validations)
            .map(|index| {
                Arc::new(KyvernoRule {
                    id: format!("KYV:{}/{index}", self.name),
                    policy: self.clone(),
                    index,
                })
            })
            .collect()
    }

    /// The result `kyverno test` gives: the first variant that matches decides; validations run
    /// in order up to the first that fails.
    pub fn test(&self, p: &Prepared) -> (TestResult, Option<String>) {
        for v in &self.variants {
            if !v.matcher.matches(&p.review, &p.data) {
                continue;
            }
            return match v.all.evaluate(&bindings(p), RunMode::UntilFirst) {
                Err(e) if self.fail_closed => (TestResult::Error, Some(e.to_string())),
                Err(_) | Ok(Outcome::NotMatched) => (TestResult::Skip, None),
                Ok(Outcome::Evaluated { failures, errors }) => {
                    if let Some((_, e)) = errors.first() {
                        (TestResult::Error, Some(e.to_string()))
                    } else if let Some(f) = failures.first() {
                        (TestResult::Fail, Some(f.message.clone()))
                    } else {
                        (TestResult::Pass, None)
                    }
                }
            };
        }
        (TestResult::Skip, None)
    }
}

fn variant(
    spec: &Value,
    matcher: MatchResources,
    pod_prefix: &'static str,
) -> Result<Variant, crate::cel::CelError> {
    Ok(Variant {
        matcher,
        all: compile_spec(spec, None)?,
        pod_prefix,
    })
}

/// The pod-controller groups a policy's autogen produces, with their match constraints.
fn autogen_targets(spec: &Value, matcher: &MatchResources) -> Vec<(Group, MatchResources)> {
    if !matcher.only_pods() {
        return Vec::new();
    }
    let chosen: Vec<&str> = match spec.pointer("/autogen/podControllers/controllers") {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => CONTROLLERS.iter().map(|c| c.0).collect(),
    };
    let operations = matcher
        .rules
        .first()
        .map(|r| r.operations.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    for group in [Group::Defaults, Group::CronJobs] {
        let mut by_api: Vec<(&str, Vec<String>)> = Vec::new();
        for (resource, api, g) in CONTROLLERS {
            if g != group || !chosen.contains(&resource) {
                continue;
            }
            match by_api.iter_mut().find(|(a, _)| *a == api) {
                Some((_, list)) => list.push(resource.to_string()),
                None => by_api.push((api, vec![resource.to_string()])),
            }
        }
        if by_api.is_empty() {
            continue;
        }
        let rules = by_api
            .into_iter()
            .map(|(api, mut resources)| {
                resources.sort();
                ResourceRule {
                    groups: vec![api.to_string()],
                    versions: vec!["v1".to_string()],
                    resources,
                    operations: operations.clone(),
                    scope: "*".to_string(),
                    names: Vec::new(),
                }
            })
            .collect();
        out.push((
            group,
            MatchResources {
                rules,
                excluded: Vec::new(),
                namespace_selector: matcher.namespace_selector.clone(),
                object_selector: Default::default(),
                names_match_generate_name: true,
            },
        ));
    }
    out
}

/// Kyverno's textual rewrite of a Pod policy for a pod controller: `object.spec` and
/// `object.metadata` (and the same of `oldObject`) move into the pod template, except
/// `object.metadata.namespace`, which stays the controller's.
fn rewrite(spec: &Value, group: Group) -> Value {
    let Ok(text) = serde_json::to_string(spec) else {
        return spec.clone();
    };
    let template = group.template();
    let mut out = text;
    for root in ["oldObject", "object"] {
        out = replace_ref(
            &out,
            &format!("{root}.spec"),
            &format!("{root}.{template}.spec"),
        );
        out = replace_ref(
            &out,
            &format!("{root}.metadata"),
            &format!("{root}.{template}.metadata"),
        );
    }
    serde_json::from_str(&out).unwrap_or_else(|_| spec.clone())
}

/// Replace `from` with `to` where `from` is a whole path prefix (not `x.object.spec`, not
/// `object.specs`), leaving `….metadata.namespace`.
fn replace_ref(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = text;
    while let Some(i) = rest.find(from) {
        let before = rest[..i].chars().next_back();
        let after = &rest[i + from.len()..];
        let boundary_before = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        let continues_name = after
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        let keeps_namespace = from.ends_with(".metadata") && after.starts_with(".namespace");
        out.push_str(&rest[..i]);
        if boundary_before && !continues_name && !keeps_namespace {
            out.push_str(to);
        } else {
            out.push_str(from);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn bindings(p: &Prepared) -> Bindings<'_> {
    let values = p.cel();
    let mut b = values.bindings();
    b.bind("resource", values.resource.as_ref());
    b
}

/// One validation of a policy, as a rule.
#[derive(Debug)]
pub struct KyvernoRule {
    id: String,
    policy: Arc<KyvernoPolicy>,
    index: usize,
}

impl Policy for KyvernoRule {
    fn id(&self) -> &str {
        &self.id
    }

    fn title(&self) -> String {
        format!(
            "Kyverno ValidatingPolicy {} (validation {})",
            self.policy.name, self.index
        )
    }

    fn action(&self) -> Action {
        self.policy.action
    }

    fn origin(&self) -> (&str, u32) {
        (&self.policy.path, self.policy.line)
    }

    fn annotations(&self) -> &Map<String, Value> {
        &self.policy.annotations
    }

    fn needs_data(&self) -> bool {
        self.policy.looks_up
            || (self.policy.variants.iter()).any(|v| !v.matcher.namespace_selector.is_empty())
    }

    fn judge(&self, p: &Prepared) -> Result<Verdict, String> {
        for v in &self.policy.variants {
            if !v.matcher.matches(&p.review, &p.data) {
                continue;
            }
            // Kyverno evaluates the validations in order and stops at the first that is not
            // true: this rule reports only when its validation is that one.
            let outcome = match v.all.evaluate(&bindings(p), RunMode::UntilFirst) {
                Ok(o) => o,
                Err(e) if self.policy.fail_closed => return Err(e.to_string()),
                Err(_) => return Ok(Verdict::Skipped),
            };
            let Outcome::Evaluated { failures, errors } = outcome else {
                return Ok(Verdict::Skipped);
            };
            if let Some((i, e)) = errors.first() {
                return if *i == self.index {
                    Err(e.to_string())
                } else {
                    Ok(Verdict::Skipped)
                };
            }
            if failures.first().is_some_and(|f| f.index < self.index) {
                return Ok(Verdict::Skipped);
            }
            let failures: Vec<_> = failures
                .into_iter()
                .filter(|f| f.index == self.index)
                .collect();
            let object = p.review.any_object();
            let violations = failures
                .into_iter()
                .map(|f| {
                    let pointer = hints::from_expression(object, &f.expression)
                        .or_else(|| hints::from_message(object, &f.message))
                        .or_else(|| {
                            object
                                .pointer(v.pod_prefix)
                                .map(|_| v.pod_prefix.to_string())
                        });
                    Violation {
                        message: f.message,
                        pointer,
                    }
                })
                .collect();
            return Ok(Verdict::Evaluated(violations));
        }
        Ok(Verdict::Skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn autogen_moves_object_paths_into_the_pod_template() {
        let spec = json!({"validations": [{"expression": "object.spec.containers.all(c, c.name != object.metadata.name) && object.metadata.namespace != '' && oldObject.spec == null && namespaceObject.metadata.name != ''"}]});
        let d = rewrite(&spec, Group::Defaults);
        assert_eq!(
            d["validations"][0]["expression"],
            "object.spec.template.spec.containers.all(c, c.name != object.spec.template.metadata.name) && object.metadata.namespace != '' && oldObject.spec.template.spec == null && namespaceObject.metadata.name != ''"
        );
        let c = rewrite(&spec, Group::CronJobs);
        assert!(
            c["validations"][0]["expression"]
                .as_str()
                .unwrap()
                .starts_with("object.spec.jobTemplate.spec.template.spec.containers")
        );
    }
}
