//! Field errors as the Kubernetes API server reports them when it rejects an object
//! (`k8s.io/apimachinery/pkg/util/validation/field`), so that Palisade can say, before
//! `kubectl apply` does, which manifests will not be accepted and why, in the same words.

use palisade_source::NodeRef;

/// One reason the API server rejects an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON pointer of the field, relative to the object (`/spec/ingress/0/from/0`).
    pub pointer: String,
    /// The API's field path (`spec.ingress[0].from[0]`).
    pub field: String,
    /// `Invalid value: "10.0.0.0/33": must be a valid CIDR value, …`.
    pub detail: String,
}

impl std::fmt::Display for FieldError {
    /// The line `kubectl apply` prints for it: `FIELD: DETAIL`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.detail)
    }
}

/// A field of the object, as both a JSON pointer and an API field path.
#[derive(Debug, Clone, Default)]
pub struct Field {
    pointer: String,
    path: String,
}

impl Field {
    /// The object's root.
    pub fn root() -> Field {
        Field::default()
    }

    /// A child field.
    pub fn child(&self, key: &str) -> Field {
        Field {
            pointer: format!("{}/{key}", self.pointer),
            path: if self.path.is_empty() {
                key.to_string()
            } else {
                format!("{}.{key}", self.path)
            },
        }
    }

    /// An item of a list.
    pub fn index(&self, i: usize) -> Field {
        Field {
            pointer: format!("{}/{i}", self.pointer),
            path: format!("{}[{i}]", self.path),
        }
    }

    fn error(&self, detail: String) -> FieldError {
        FieldError {
            pointer: self.pointer.clone(),
            field: self.path.clone(),
            detail,
        }
    }

    /// `Invalid value: VALUE: DETAIL`.
    pub fn invalid(&self, value: &Value<'_>, detail: &str) -> FieldError {
        self.error(format!("Invalid value: {value}: {detail}"))
    }

    /// `Required value[: DETAIL]`.
    pub fn required(&self, detail: &str) -> FieldError {
        if detail.is_empty() {
            self.error("Required value".into())
        } else {
            self.error(format!("Required value: {detail}"))
        }
    }

    /// `Forbidden: DETAIL`.
    pub fn forbidden(&self, detail: &str) -> FieldError {
        self.error(format!("Forbidden: {detail}"))
    }

    /// `Unsupported value: VALUE: supported values: "A", "B"`.
    pub fn not_supported(&self, value: &str, supported: &[&str]) -> FieldError {
        let supported: Vec<String> = supported.iter().map(|s| quote(s)).collect();
        self.error(format!(
            "Unsupported value: {}: supported values: {}",
            quote(value),
            supported.join(", ")
        ))
    }
}

/// A value in a field error, printed as the API server prints it: strings quoted as Go's `%q`
/// quotes them, numbers bare, lists as JSON.
#[derive(Debug, Clone)]
pub enum Value<'v> {
    /// A string.
    Str(&'v str),
    /// An integer.
    Int(i64),
    /// A list of strings.
    List(Vec<&'v str>),
}

impl std::fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Str(s) => f.write_str(&quote(s)),
            Value::Int(n) => write!(f, "{n}"),
            Value::List(items) => {
                let items: Vec<String> = items.iter().map(|s| quote(s)).collect();
                write!(f, "[{}]", items.join(","))
            }
        }
    }
}

/// A string in double quotes with Go's escapes for quotes, backslashes and control
/// characters.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The text of a scalar field as the API would decode it into a string (`None`: unset or
/// null).
pub fn text<'d>(node: Option<NodeRef<'d, '_>>) -> Option<std::borrow::Cow<'d, str>> {
    node.filter(|n| !n.is_null()).and_then(|n| n.scalar_text())
}

/// `IsValidPortNum`: the messages for a port number outside 1–65535.
pub fn port_number(port: i64) -> Option<&'static str> {
    (!(1..=65535).contains(&port)).then_some("must be between 1 and 65535, inclusive")
}

/// `IsValidPortName` (an IANA service name): every rule the name breaks, in the API's order.
pub fn port_name(name: &str) -> Vec<&'static str> {
    let mut errors = Vec::new();
    if name.len() > 15 {
        errors.push("must be no more than 15 characters");
    }
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        errors.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        errors.push("must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        errors.push("must not contain consecutive hyphens");
    }
    if !name.is_empty() && (name.starts_with('-') || name.ends_with('-')) {
        errors.push("must not begin or end with a hyphen");
    }
    errors
}

/// The operator and value checks of `ValidateLabelSelector` (label key and value syntax aside),
/// for a selector at `field`.
pub fn label_selector(node: Option<NodeRef<'_, '_>>, field: &Field, out: &mut Vec<FieldError>) {
    let Some(expressions) = node.and_then(|n| n.get("matchExpressions")) else {
        return;
    };
    for (i, expr) in expressions.items().enumerate() {
        let at = field.child("matchExpressions").index(i);
        let operator = text(expr.get("operator")).unwrap_or_default();
        let values = expr.get("values").map_or(0, |v| v.items().len());
        match &*operator {
            "In" | "NotIn" if values == 0 => out.push(
                at.child("values")
                    .required("must be specified when `operator` is 'In' or 'NotIn'"),
            ),
            "Exists" | "DoesNotExist" if values > 0 => {
                out.push(at.child("values").forbidden(
                    "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ))
            }
            op if matches!(
                crate::labels::Operator::parse(op),
                crate::labels::Operator::Unknown(_)
            ) =>
            {
                out.push(
                    at.child("operator")
                        .invalid(&Value::Str(op), "not a valid selector operator"),
                )
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_render_as_the_api_server_renders_them() {
        let f = Field::root().child("spec").child("ingress").index(0);
        assert_eq!(f.pointer, "/spec/ingress/0");
        let e = f.child("from").index(1).required("must specify a peer");
        assert_eq!(
            e.to_string(),
            "spec.ingress[0].from[1]: Required value: must specify a peer"
        );
        assert_eq!(e.pointer, "/spec/ingress/0/from/1");
        assert_eq!(
            f.child("ports")
                .index(0)
                .child("protocol")
                .not_supported("ICMP", &["TCP", "UDP"])
                .to_string(),
            "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\""
        );
        assert_eq!(
            f.invalid(&Value::Int(0), "must be between 1 and 65535, inclusive")
                .detail,
            "Invalid value: 0: must be between 1 and 65535, inclusive"
        );
        assert_eq!(
            Value::List(vec!["Ingress", "Egress", "Ingress"]).to_string(),
            "[\"Ingress\",\"Egress\",\"Ingress\"]"
        );
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(Field::root().required("").to_string(), ": Required value");
    }

    #[test]
    fn port_names_follow_iana_service_name_rules() {
        assert!(port_name("http").is_empty());
        assert!(port_name("web-8080").is_empty());
        assert_eq!(
            port_name("80"),
            vec!["must contain at least one letter (a-z)"]
        );
        assert_eq!(
            port_name(""),
            vec![
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must contain at least one letter (a-z)",
            ]
        );
        assert_eq!(
            port_name("-Web--port-name-too-long"),
            vec![
                "must be no more than 15 characters",
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                "must not contain consecutive hyphens",
                "must not begin or end with a hyphen",
            ]
        );
        assert_eq!(
            port_number(0),
            Some("must be between 1 and 65535, inclusive")
        );
        assert_eq!(port_number(65535), None);
    }
}
