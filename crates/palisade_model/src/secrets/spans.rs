//! The byte ranges of a document's text that hold secret values.
//!
//! Rules decide what to report; this decides what may be shown. A line of source text can hold
//! a finding and a secret at once (a flow-style container, minified JSON, a duplicated key), so
//! every place that shows source text hides these ranges, whatever the finding is about.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use palisade_source::{
    Document, Limits, NodeId, NodeRef, Pos, SecretSpans, Value, Warning, parse_stream,
};
use regex::Regex;

use super::detect::{credential, credential_ranges, known_format, sensitive_name};

/// Keys whose whole value is secret: the payload of Secrets (and of ConfigMaps, which often
/// hold what should be Secrets), and the copy of an earlier version of the object, Secret data
/// included, that `kubectl apply` keeps in an annotation.
const SECRET_SUBTREES: &[&str] = &[
    "data",
    "stringData",
    "binaryData",
    "kubectl.kubernetes.io/last-applied-configuration",
];

/// Where in the tree the walk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Under {
    /// Nothing secret above.
    Plain = 0,
    /// Below a secret subtree or a credential-like key: every scalar is secret.
    Secret = 1,
    /// The value of an `env` key (a list of variables).
    EnvList = 2,
    /// One item of an `env` list: its `value` is secret.
    EnvItem = 3,
}

impl Under {
    /// The context of the value under `key` of a mapping in this context.
    fn below_key(self, key: &str) -> Under {
        match self {
            Under::Secret => Under::Secret,
            Under::EnvItem if key == "value" => Under::Secret,
            _ if SECRET_SUBTREES.contains(&key) || sensitive_name(key) => Under::Secret,
            _ if key == "env" => Under::EnvList,
            _ => Under::Plain,
        }
    }

    /// The context of the items of a sequence in this context.
    fn below_item(self) -> Under {
        match self {
            Under::Secret => Under::Secret,
            Under::EnvList => Under::EnvItem,
            Under::Plain | Under::EnvItem => Under::Plain,
        }
    }
}

/// Whether a scalar, found under `key` in context `under`, is a secret value. Booleans and
/// nulls never are (`automountServiceAccountToken: false` stays readable). Outside a secret
/// context the key is not credential-like (it would have made one), so only the value's own
/// content can make it a credential.
fn secret_scalar(under: Under, key: &str, node: NodeRef<'_, '_>) -> bool {
    match node.value() {
        Value::Null | Value::Bool(_) => false,
        Value::Str(s) => {
            under == Under::Secret
                || known_format(s).is_some()
                || (s.contains('\n') && credential(key, s).is_some())
        }
        _ => under == Under::Secret,
    }
}

/// The ranges of `doc` that hold secret values: every scalar that a credential detector flags
/// or that sits under `env[].value`, `data`, `stringData`, `binaryData` or a credential-like
/// key, including the values of duplicated keys that the document no longer reaches. Each
/// collection is walked once per context, so aliases cost nothing extra.
pub fn document_secrets(doc: &Document<'_>) -> Vec<Range<usize>> {
    let Some(root) = doc.root() else {
        return Vec::new();
    };
    let dropped: HashMap<Pos, NodeId> = doc
        .warnings
        .iter()
        .map(|w| match w {
            Warning::DuplicateKey { kept, dropped, .. } => (*kept, *dropped),
        })
        .collect();
    // One bit per context for every node: collections are expanded once per context.
    let mut seen = vec![0u8; doc.node_count()];
    let mut out = Vec::new();
    let mut stack: Vec<(NodeRef<'_, '_>, Under, &str)> = vec![(root, Under::Plain, "")];
    while let Some((node, under, key)) = stack.pop() {
        let collection = node.is_map() || node.is_seq();
        if collection {
            let bit = 1u8 << (under as u8);
            let Some(flags) = seen.get_mut(node.id() as usize) else {
                continue;
            };
            if *flags & bit != 0 {
                continue;
            }
            *flags |= bit;
        }
        if node.is_map() {
            for entry in node.raw_entries() {
                let below = under.below_key(&entry.key);
                stack.push((doc.node(entry.value), below, &entry.key));
                if let Some(&first) = dropped.get(&entry.key_pos) {
                    stack.push((doc.node(first), below, &entry.key));
                }
            }
        } else if node.is_seq() {
            let below = under.below_item();
            stack.extend(node.items().map(|item| (item, below, key)));
        } else if secret_scalar(under, key, node) {
            let (start, end) = (node.start().byte as usize, node.end().byte as usize);
            out.push(start..end);
        }
    }
    out
}

/// A `key: value` (or `key = value`) line, for text that does not load as YAML.
static ASSIGNMENT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(?:-[ \t]+)?["']?([A-Za-z0-9_.\-]+)["']?[ \t]*[:=][ \t]*(\S[^\r\n#]*?)[ \t]*(?:#.*)?$"#)
        .expect("assignment pattern compiles")
});

/// Values of credential-like keys on lines of text that does not load as YAML (a Helm template
/// before rendering): the tree cannot say where its values are, so each line is read alone.
/// Template actions (`{{ … }}`) are not values and stay visible.
fn assignment_secrets(text: &str) -> Vec<Range<usize>> {
    ASSIGNMENT_LINE
        .captures_iter(text)
        .filter_map(|caps| {
            let (key, value) = (caps.get(1)?, caps.get(2)?);
            let v = value.as_str();
            let secret = sensitive_name(key.as_str())
                && !v.contains("{{")
                && !matches!(v, "true" | "false" | "null" | "~" | "|" | ">" | "|-" | ">-");
            secret.then(|| value.range())
        })
        .collect()
}

/// The secret ranges of a whole text: those of every document that loads, credentials in
/// well-known formats anywhere (comments included), and, when some document does not load,
/// the values of credential-like keys line by line.
pub fn text_secrets(text: &str, limits: &Limits) -> SecretSpans {
    let mut ranges = credential_ranges(text);
    let mut unloaded = false;
    for doc in parse_stream(text, limits) {
        match doc {
            Ok(doc) => ranges.extend(document_secrets(&doc)),
            Err(_) => unloaded = true,
        }
    }
    if unloaded {
        ranges.extend(assignment_secrets(text));
    }
    SecretSpans::new(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hidden(text: &str) -> Vec<&str> {
        text_secrets(text, &Limits::default())
            .ranges()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn values_under_secret_places_are_found() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: a, image: x, env: [{name: MODE, value: fast}, {name: P, value: \"S3cr3t-1\"}], securityContext: {privileged: true}}]\n";
        assert_eq!(hidden(text), ["fast", "\"S3cr3t-1\""]);
        let json = r#"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s"},"stringData":{"password":"hunter2hunter2"},"data":{"k":"aGk="}}"#;
        assert_eq!(hidden(json), ["\"hunter2hunter2\"", "\"aGk=\""]);
    }

    #[test]
    fn credential_keys_and_detectors_anywhere() {
        let text = "spec:\n  auth:\n    password: pw\n    enabled: true\n  automountServiceAccountToken: false\n  secretName: my-secret\n  note: postgres://u:S3cr3t@db/x\n  url: https://example.com # token ghp_0123456789abcdefghijABCDEFGHIJ012345\n";
        assert_eq!(
            hidden(text),
            [
                "pw",
                "postgres://u:S3cr3t@db/x",
                "ghp_0123456789abcdefghijABCDEFGHIJ012345"
            ]
        );
    }

    #[test]
    fn dropped_duplicates_and_aliases_are_covered() {
        let text = "stringData:\n  password: first-value\n  password: second-value\nkeep: &a {token: abcdefgh}\nagain: *a\n";
        assert_eq!(hidden(text), ["first-value", "second-value", "abcdefgh"]);
    }

    #[test]
    fn lines_of_text_that_does_not_load() {
        let text = "env:\n  - name: X\n    password: {{ .Values.pw }}\n  apiToken: Xk9-mQ2vL8 # set by hand\n  enabled: true\n  broken: [\n";
        assert_eq!(hidden(text), ["Xk9-mQ2vL8"]);
    }
}
