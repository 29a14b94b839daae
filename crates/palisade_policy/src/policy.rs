//! What every compiled policy is to the rest of Palisade: something that judges a review and
//! returns violations, whatever its dialect.

use std::cell::OnceCell;
use std::fmt;
use std::sync::Arc;

use palisade_model::secrets::{MASK, credential, mask_credentials, sensitive_name};

use crate::cel::{Held, held, held_null};
use crate::data::ClusterData;
use crate::review::Review;

/// One violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The policy's message.
    pub message: String,
    /// A JSON pointer into the object the violation is about, when the message or the
    /// expression names a field.
    pub pointer: Option<String>,
}

/// What a policy concluded about a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The review is outside the policy's match (or a match condition is false).
    Skipped,
    /// The policy ran; no violations is a pass.
    Evaluated(Vec<Violation>),
}

impl Verdict {
    /// The violations (none when skipped).
    pub fn violations(&self) -> &[Violation] {
        match self {
            Verdict::Skipped => &[],
            Verdict::Evaluated(v) => v,
        }
    }
}

/// How the policy's author wants a violation handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Refuse the request (Gatekeeper `deny`, VAP and Kyverno `Deny`).
    Deny,
    /// Allow with a warning (`warn`, `Warn`).
    Warn,
    /// Record only (`dryrun`, `Audit`).
    Audit,
}

/// A review with its conversions into each engine's values, made on first use and shared by
/// every policy that judges it.
pub struct Prepared {
    /// The review.
    pub review: Review,
    /// The run's other objects.
    pub data: Arc<ClusterData>,
    rego_review: OnceCell<regorus::Value>,
    cel: OnceCell<CelValues>,
    secrets: OnceCell<Vec<String>>,
}

/// The CEL values of a review, converted once and lent to every expression of every policy.
pub struct CelValues {
    /// `object`.
    pub object: Held,
    /// `oldObject`.
    pub old_object: Held,
    /// `request`.
    pub request: Held,
    /// `namespaceObject`.
    pub namespace_object: Held,
    /// Kyverno's `resource`: lookups among the run's objects.
    pub resource: Held,
}

impl CelValues {
    /// The bindings every dialect shares (`params` and its own come on top).
    pub fn bindings(&self) -> crate::cel::Bindings<'_> {
        let mut b = crate::cel::Bindings::default();
        b.bind("object", self.object.as_ref())
            .bind("oldObject", self.old_object.as_ref())
            .bind("request", self.request.as_ref())
            .bind("namespaceObject", self.namespace_object.as_ref());
        b
    }
}

impl Prepared {
    /// Prepare a review.
    pub fn new(review: Review, data: Arc<ClusterData>) -> Self {
        Prepared {
            review,
            data,
            rego_review: OnceCell::new(),
            cel: OnceCell::new(),
            secrets: OnceCell::new(),
        }
    }

    /// A policy's message with the object's secret values masked. Policies are written by
    /// others and may quote what they judge (a Secret's data, a token in an env var); Palisade
    /// prints messages in every format, and never a secret value.
    pub fn redact(&self, message: &str) -> String {
        let secrets = self
            .secrets
            .get_or_init(|| secret_values(&self.review.object));
        let mut out = message.to_string();
        for secret in secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), MASK);
            }
        }
        mask_credentials(&out).into_owned()
    }

    /// `input.review` for Gatekeeper's Rego (on a delete, `object` is the old object, as
    /// Gatekeeper's target sets it).
    pub fn rego_review(&self) -> &regorus::Value {
        self.rego_review.get_or_init(|| {
            let review = &self.review;
            let mut frame = crate::rego_value(&review.request_json_without_objects());
            let old = review.request.old_object.as_ref();
            let object = match (review.object.is_null(), old) {
                (true, Some(old)) => old,
                _ => &*review.object,
            };
            if let Ok(map) = frame.as_object_mut() {
                map.insert(regorus::Value::from("object"), crate::rego_value(object));
                let old = old.map(crate::rego_value).unwrap_or(regorus::Value::Null);
                map.insert(regorus::Value::from("oldObject"), old);
            }
            frame
        })
    }

    /// The CEL bindings of the review.
    pub fn cel(&self) -> &CelValues {
        self.cel.get_or_init(|| {
            let review = &self.review;
            let namespace_object =
                crate::gatekeeper::matching::namespace_object(review, &self.data)
                    .map(|ns| held(&ns))
                    .unwrap_or_else(held_null);
            CelValues {
                object: held(&review.object),
                old_object: (review.request.old_object.as_ref())
                    .map(held)
                    .unwrap_or_else(held_null),
                request: held(&review.request_json_without_objects()),
                namespace_object,
                resource: crate::cel::held_value(cel::Value::Opaque(Arc::new(
                    crate::cel::k8s::Lookup(self.data.clone()),
                ))),
            }
        })
    }
}

/// The values of an object that are secrets: a Secret's `data` and `stringData` (and the
/// decoded `data`), values of credential-like env vars, and values in a known credential
/// format. Longest first, so that a value is masked before a part of it; values shorter than
/// four characters are left, as masking them would mask ordinary words.
fn secret_values(object: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let mut out = Vec::new();
    let mut push = |s: &str| {
        if s.chars().count() >= 4 {
            out.push(s.to_string());
        }
    };
    if object.get("kind").and_then(Value::as_str) == Some("Secret") {
        for key in ["data", "stringData"] {
            for v in object
                .get(key)
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
            {
                let Some(s) = v.as_str() else { continue };
                push(s);
                if key == "data"
                    && let Ok(bytes) = data_encoding::BASE64.decode(s.as_bytes())
                    && let Ok(text) = String::from_utf8(bytes)
                {
                    push(&text);
                }
            }
        }
    }
    let mut stack = vec![("", object)];
    while let Some((key, v)) = stack.pop() {
        match v {
            Value::Object(map) => {
                let env_name = map.get("name").and_then(Value::as_str);
                if let (Some(name), Some(Value::String(value))) = (env_name, map.get("value"))
                    && sensitive_name(name)
                {
                    push(value);
                }
                stack.extend(map.iter().map(|(k, v)| (k.as_str(), v)));
            }
            Value::Array(items) => stack.extend(items.iter().map(|i| (key, i))),
            Value::String(s) if credential(key, s).is_some() => push(s),
            _ => {}
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// A compiled policy.
pub trait Policy: Send + Sync + fmt::Debug {
    /// The rule id (`GK:<kind>/<name>`, `VAP:<binding>`, `KYV:<policy>/<n>`).
    fn id(&self) -> &str;
    /// A one-line title.
    fn title(&self) -> String;
    /// What the author wants done with a violation.
    fn action(&self) -> Action;
    /// Where the policy was written (file and line).
    fn origin(&self) -> (&str, u32);
    /// The policy's own annotations (severity and layer overrides live there).
    fn annotations(&self) -> &serde_json::Map<String, serde_json::Value>;
    /// The resources (API group, plural) the policy can match, for registering a webhook;
    /// `None` when it matches every resource.
    fn resources(&self) -> Option<Vec<(String, String)>> {
        Some(Vec::new())
    }
    /// Whether the policy reads other objects than the one it judges.
    fn needs_data(&self) -> bool {
        false
    }
    /// The policy bound to a run's objects, when binding changes it (`None`: unchanged).
    fn with_data(&self, _data: &ClusterData) -> Result<Option<SharedPolicy>, String> {
        Ok(None)
    }
    /// Judge a review. An `Err` is an evaluation error (the caller reports it; it never
    /// counts as a pass).
    fn judge(&self, prepared: &Prepared) -> Result<Verdict, String>;
}

/// A shared compiled policy.
pub type SharedPolicy = Arc<dyn Policy>;
