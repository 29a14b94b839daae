//! Mapping a field of a rendered object back to the line of the Helm template that wrote it.
//!
//! A Go template is not YAML, but the YAML skeleton of a Kubernetes template is literal text:
//! keys at fixed indentation, list items with `- `, and `{{ … }}` actions that fill values or
//! inject whole blocks (`toYaml .Values.x | nindent 8`). The map follows a JSON pointer down
//! that skeleton by indentation, the way a reader would, and when the pointer leaves the
//! literal text it names the `.Values` key whose content was injected there.

use std::sync::LazyLock;

use palisade_source::unescape_pointer_segment;
use regex::Regex;

/// Where a pointer lands in a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePosition {
    /// 1-based line.
    pub line: u32,
    /// 1-based column of the key (or of the line's text).
    pub column: u32,
    /// 1-based column just past the line's text.
    pub end_column: u32,
    /// Every segment of the pointer was found as literal template text.
    pub exact: bool,
    /// The values keys that set the field, most specific first (`controller.image.tag`).
    pub values: Vec<String>,
}

/// One template file, indexed for [`TemplateMap::locate`].
#[derive(Debug, Clone)]
pub struct TemplateMap {
    docs: Vec<TemplateDoc>,
}

#[derive(Debug, Clone)]
struct TemplateDoc {
    lines: Vec<Line>,
    kind: Option<String>,
}

#[derive(Debug, Clone)]
struct Line {
    /// 1-based line number in the file.
    number: u32,
    /// Column of the first non-space character (the dash, for list items).
    col: usize,
    /// Column of the key after any `- ` markers.
    key_col: usize,
    /// The line starts a list item.
    item: bool,
    /// The literal key, when the line has one.
    key: Option<String>,
    /// Only `{{ … }}` actions: structure-neutral.
    directive: bool,
    /// Length of the line in characters.
    width: usize,
    /// `.Values.x` references in actions that inject content (`toYaml`, `with`, plain value).
    injects: Vec<String>,
    /// Whether the line opens a `with` block (its `.` is the referenced value).
    with: bool,
    /// Whether the line is an `if`/`range`/`else`/`end` control action.
    control: bool,
    /// Whether the line writes `.` as YAML (`toYaml .`), inside a `with` block.
    dot_yaml: bool,
}

static VALUES_REF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.Values((?:\.[A-Za-z0-9_]+)+)").expect("constant regex is valid")
});

impl Line {
    fn parse(number: u32, text: &str) -> Option<Line> {
        let trimmed = text.trim_start_matches(' ');
        if trimmed.trim().is_empty() || trimmed.starts_with('#') {
            return None;
        }
        let col = text.len() - trimmed.len();
        let mut rest = trimmed;
        let mut key_col = col;
        let mut item = false;
        while let Some(after) = rest
            .strip_prefix("- ")
            .or_else(|| (rest == "-").then_some(""))
        {
            item = true;
            let inner = after.trim_start_matches(' ');
            key_col += rest.len() - inner.len();
            rest = inner;
        }
        let body = rest.trim_end();
        let directive = is_actions_only(body);
        let control = directive && is_control(body);
        let with = directive && action_word(body) == Some("with");
        let injects = if control && !with {
            Vec::new()
        } else {
            VALUES_REF
                .captures_iter(body)
                .map(|c| c[1].trim_start_matches('.').to_string())
                .collect()
        };
        Some(Line {
            number,
            col,
            key_col,
            item,
            key: if directive { None } else { literal_key(body) },
            directive,
            width: text.trim_end().chars().count(),
            injects,
            with,
            control,
            dot_yaml: directive && (body.contains("toYaml . ") || body.contains("toYaml .}")),
        })
    }

    fn position(&self, exact: bool, values: Vec<String>) -> TemplatePosition {
        TemplatePosition {
            line: self.number,
            column: u32::try_from(self.key_col + 1).unwrap_or(u32::MAX),
            end_column: u32::try_from(self.width + 1).unwrap_or(u32::MAX),
            exact,
            values,
        }
    }
}

/// The text is nothing but `{{ … }}` actions.
fn is_actions_only(body: &str) -> bool {
    let mut rest = body.trim();
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let Some(inner) = rest.strip_prefix("{{") else {
            return false;
        };
        let Some(end) = inner.find("}}") else {
            return false;
        };
        rest = inner[end + 2..].trim_start();
    }
    true
}

/// The first word of the first action (`if`, `with`, `range`, `toYaml`, …).
fn action_word(body: &str) -> Option<&str> {
    let inner = body.trim().strip_prefix("{{")?;
    let inner = inner.trim_start_matches('-').trim_start();
    inner.split(|c: char| c.is_whitespace() || c == '}').next()
}

fn is_control(body: &str) -> bool {
    matches!(
        action_word(body),
        Some("if" | "else" | "end" | "range" | "with" | "define" | "template" | "/*")
    ) || body.trim().starts_with("{{/*")
        || body.trim().starts_with("{{- /*")
}

/// `key:` or `"key":` at the start of the text, when the key is literal.
fn literal_key(body: &str) -> Option<String> {
    let (key, after) = if let Some(quoted) = body.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], &quoted[end + 1..])
    } else if let Some(quoted) = body.strip_prefix('\'') {
        let end = quoted.find('\'')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        let end = body
            .find(": ")
            .or_else(|| body.ends_with(':').then(|| body.len() - 1))?;
        (&body[..end], &body[end..])
    };
    if key.is_empty() || key.contains("{{") || !after.starts_with(':') {
        return None;
    }
    Some(key.trim().to_string())
}

impl TemplateMap {
    /// Index a template file.
    pub fn new(text: &str) -> Self {
        let mut docs = vec![TemplateDoc {
            lines: Vec::new(),
            kind: None,
        }];
        for (i, raw) in text.lines().enumerate() {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if raw.starts_with("---") {
                docs.push(TemplateDoc {
                    lines: Vec::new(),
                    kind: None,
                });
                continue;
            }
            let Some(line) = Line::parse(number, raw) else {
                continue;
            };
            let Some(doc) = docs.last_mut() else {
                continue;
            };
            if line.col == 0 && line.key.as_deref() == Some("kind") {
                let value = raw.split_once(':').map(|(_, v)| v.trim()).unwrap_or("");
                if !value.is_empty() && !value.contains("{{") {
                    doc.kind = Some(value.trim_matches(['"', '\'']).to_string());
                }
            }
            doc.lines.push(line);
        }
        docs.retain(|d| d.lines.iter().any(|l| !l.directive));
        TemplateMap { docs }
    }

    /// Where the field at `pointer` of the `ordinal`-th rendered object of `kind` from this
    /// template was written. `None` when the template has no YAML text at all.
    pub fn locate(&self, kind: &str, ordinal: usize, pointer: &str) -> Option<TemplatePosition> {
        let doc = self.doc_for(kind, ordinal)?;
        Some(doc.locate(pointer))
    }

    fn doc_for(&self, kind: &str, ordinal: usize) -> Option<&TemplateDoc> {
        let same: Vec<&TemplateDoc> = self
            .docs
            .iter()
            .filter(|d| d.kind.as_deref() == Some(kind))
            .collect();
        if let Some(doc) = same.get(ordinal).or(same.last()) {
            return Some(doc);
        }
        // The kind is templated: the first document whose kind is not literal.
        self.docs
            .iter()
            .find(|d| d.kind.is_none())
            .or(self.docs.first())
    }
}

impl TemplateDoc {
    fn locate(&self, pointer: &str) -> TemplatePosition {
        let lines = &self.lines;
        let first = lines.iter().position(|l| !l.directive).unwrap_or(0);
        let mut at = first;
        let mut scope = 0..lines.len();
        let mut parent: Option<usize> = None;
        let mut segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| unescape_pointer_segment(s).into_owned())
            .collect();
        if pointer.is_empty() {
            segments.clear();
        }
        let mut resolved = 0;
        let mut on_key = false;
        for segment in &segments {
            let index = segment.parse::<usize>().ok();
            let next = match index {
                Some(index) => self.find_item(scope.clone(), parent, index),
                None => self.find_key(scope.clone(), parent, segment),
            };
            let Some((line, inner, indent)) = next else {
                break;
            };
            at = line;
            scope = inner;
            parent = Some(indent);
            resolved += 1;
            on_key = index.is_none();
        }
        let exact = resolved == segments.len();
        // The actions of a list item's line belong to its first key, not to the item.
        let mut values = match (on_key, exact) {
            (false, _) => Vec::new(),
            (true, true) => lines[at].injects.clone(),
            (true, false) => self.injected(at, scope, &segments[resolved..]),
        };
        let mut seen = std::collections::HashSet::new();
        values.retain(|v| seen.insert(v.clone()));
        lines[at].position(exact, values)
    }

    /// The scope of a key at line `i`: the lines after it that are deeper, or list items at
    /// the same column (a compact sequence).
    fn key_scope(&self, i: usize, end: usize) -> std::ops::Range<usize> {
        let key_col = self.lines[i].key_col;
        let stop = (i + 1..end)
            .find(|&j| {
                let l = &self.lines[j];
                !l.directive && (l.col < key_col || (l.col == key_col && !l.item))
            })
            .unwrap_or(end);
        i + 1..stop
    }

    fn find_key(
        &self,
        scope: std::ops::Range<usize>,
        parent: Option<usize>,
        key: &str,
    ) -> Option<(usize, std::ops::Range<usize>, usize)> {
        let end = scope.end;
        let deeper = |l: &Line| parent.is_none_or(|p| l.key_col > p);
        let level = self.lines[scope.clone()]
            .iter()
            .filter(|l| !l.directive && deeper(l))
            .map(|l| l.key_col)
            .min()?;
        let i = scope.clone().find(|&i| {
            let l = &self.lines[i];
            !l.directive && l.key_col == level && l.key.as_deref() == Some(key)
        })?;
        Some((i, self.key_scope(i, end), self.lines[i].key_col))
    }

    fn find_item(
        &self,
        scope: std::ops::Range<usize>,
        parent: Option<usize>,
        index: usize,
    ) -> Option<(usize, std::ops::Range<usize>, usize)> {
        let items: Vec<usize> = scope
            .clone()
            .filter(|&i| {
                let l = &self.lines[i];
                l.item && parent.is_none_or(|p| l.col >= p)
            })
            .collect();
        let level = items.iter().map(|&i| self.lines[i].col).min()?;
        let items: Vec<usize> = items
            .into_iter()
            .filter(|&i| self.lines[i].col == level)
            .collect();
        // A `range` loop writes one literal item for many rendered ones.
        let i = *items.get(index).or(items.last())?;
        let stop = (i + 1..scope.end)
            .find(|&j| {
                let l = &self.lines[j];
                !l.directive && l.col <= level
            })
            .unwrap_or(scope.end);
        // Keys of the item start on its own line, after the dash.
        Some((i, i..stop, level))
    }

    /// The values key injected where the literal text stops: an action on the last matched
    /// line, or a `toYaml`/`with` block inside its scope, followed by the unmatched segments.
    fn injected(&self, at: usize, scope: std::ops::Range<usize>, rest: &[String]) -> Vec<String> {
        let own = &self.lines[at];
        // Only the block's own actions: an action deeper than a literal key above it writes
        // that nested key's value, not this one's.
        let mut shallowest_key = usize::MAX;
        let lines: Vec<&Line> = self.lines[scope]
            .iter()
            .filter(|l| {
                if !l.directive {
                    shallowest_key = shallowest_key.min(l.key_col);
                    return false;
                }
                l.col <= shallowest_key
            })
            .collect();
        // `{{- toYaml .Values.x | nindent 8 }}` inside the block.
        let explicit = || {
            lines
                .iter()
                .find(|l| l.directive && !l.control && !l.injects.is_empty())
                .and_then(|l| l.injects.first().cloned())
        };
        // `{{- with .Values.x }}` directly followed by `{{- toYaml . … }}` inside the block.
        let with_inside = || {
            lines
                .windows(2)
                .find(|w| w[0].with && w[1].dot_yaml)
                .and_then(|w| w[0].injects.first().cloned())
        };
        // `{{- with .Values.x }}` just above the key: the block's `.` is that value.
        let enclosing = || {
            self.lines[..at]
                .iter()
                .rev()
                .take_while(|l| l.directive)
                .find(|l| l.with)
                .and_then(|l| l.injects.first().cloned())
        };
        let base = match own.injects.len() {
            1 => own.injects.first().cloned(),
            0 => explicit().or_else(with_inside).or_else(enclosing),
            _ => None,
        };
        let Some(mut key) = base else {
            return Vec::new();
        };
        for segment in rest {
            if segment.parse::<usize>().is_ok() {
                key.push_str(&format!("[{segment}]"));
            } else if segment.contains('.') || segment.contains('/') {
                key.push_str(&format!("[\"{segment}\"]"));
            } else {
                key.push('.');
                key.push_str(segment);
            }
        }
        vec![key]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOYMENT: &str = r#"{{- if .Values.enabled -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "x.fullname" . }}
  labels:
    {{- include "x.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      {{- with .Values.podSecurityContext }}
      securityContext:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: 80
        - name: sidecar
          image: busybox
          securityContext: {{ toYaml .Values.sidecar.securityContext | nindent 12 }}
      volumes:
      - name: data
        hostPath:
          path: /var/lib/data
{{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  type: {{ .Values.service.type }}
"#;

    fn at(pointer: &str) -> TemplatePosition {
        TemplateMap::new(DEPLOYMENT)
            .locate("Deployment", 0, pointer)
            .unwrap()
    }

    #[test]
    fn literal_keys_map_exactly() {
        let p = at("/spec/template/spec/containers/0/imagePullPolicy");
        assert_eq!((p.line, p.column, p.exact), (19, 11, true));
        assert_eq!(p.values, vec!["image.pullPolicy"]);
        let p = at("/spec/template/spec/containers/0/image");
        assert_eq!(p.line, 18);
        assert_eq!(p.values, vec!["image.repository", "image.tag"]);
        let p = at("/spec/template/spec/containers/1/image");
        assert_eq!((p.line, p.exact, p.values.len()), (26, true, 0));
        let p = at("/spec/template/spec/volumes/0/hostPath/path");
        assert_eq!((p.line, p.exact), (31, true));
        let p = at("/spec/template/spec/containers/0/ports/0/containerPort");
        assert_eq!((p.line, p.exact), (24, true));
    }

    #[test]
    fn injected_blocks_name_the_values_key() {
        let p = at("/spec/template/spec/containers/0/securityContext/privileged");
        assert_eq!((p.line, p.exact), (20, false));
        assert_eq!(p.values, vec!["securityContext.privileged"]);
        let p = at("/spec/template/spec/securityContext/runAsNonRoot");
        assert_eq!((p.line, p.exact), (13, false));
        assert_eq!(p.values, vec!["podSecurityContext.runAsNonRoot"]);
        let p = at("/spec/template/spec/containers/1/securityContext/capabilities/add/0");
        assert_eq!((p.line, p.exact), (27, false));
        assert_eq!(
            p.values,
            vec!["sidecar.securityContext.capabilities.add[0]"]
        );
    }

    #[test]
    fn documents_are_chosen_by_kind_and_range_items_collapse() {
        let map = TemplateMap::new(DEPLOYMENT);
        let p = map.locate("Service", 0, "/spec/type").unwrap();
        assert_eq!(
            (p.line, p.values.clone()),
            (39, vec!["service.type".to_string()])
        );
        let p = map
            .locate("Deployment", 0, "/spec/template/spec/containers/7/name")
            .unwrap();
        assert_eq!(p.line, 25, "past the literal items: the last one");
        let p = map
            .locate(
                "Deployment",
                0,
                "/spec/template/spec/containers/0/livenessProbe",
            )
            .unwrap();
        assert_eq!((p.line, p.values.len()), (17, 0), "{p:?}");
        let p = map.locate("Deployment", 0, "").unwrap();
        assert_eq!((p.line, p.exact), (2, true));
        let p = map
            .locate("Deployment", 0, "/metadata/annotations/a~1b")
            .unwrap();
        assert_eq!((p.line, p.exact), (4, false));
    }

    #[test]
    fn with_blocks_of_other_keys_do_not_leak() {
        let text = "kind: Pod\nspec:\n  containers:\n    - name: a\n      {{- with .Values.resources }}\n      resources:\n        {{- toYaml . | nindent 8 }}\n      {{- end }}\n      {{- with .Values.termination }}\n      terminationMessagePath: {{ .path }}\n      {{- end }}\n      securityContext:\n        {{- with .Values.securityContext }}\n        {{- toYaml . | nindent 8 }}\n        {{- end }}\n";
        let map = TemplateMap::new(text);
        let p = map
            .locate("Pod", 0, "/spec/containers/0/resources/limits")
            .unwrap();
        assert_eq!(
            (p.line, p.values.clone()),
            (6, vec!["resources.limits".to_string()])
        );
        let p = map
            .locate("Pod", 0, "/spec/containers/0/securityContext/privileged")
            .unwrap();
        assert_eq!(
            (p.line, p.values.clone()),
            (12, vec!["securityContext.privileged".to_string()])
        );
    }

    #[test]
    fn actions_under_nested_keys_are_not_the_block_s_values() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    resources: {{ toYaml .Values.resources | nindent 6 }}\n    ports:\n      {{- toYaml .Values.ports | nindent 6 }}\n";
        let map = TemplateMap::new(text);
        let p = map.locate("Pod", 0, "/spec/hostNetwork").unwrap();
        assert_eq!((p.line, p.values.len()), (2, 0), "{p:?}");
    }

    #[test]
    fn compact_sequences_and_quoted_keys() {
        let text = "kind: Pod\nspec:\n  containers:\n  - name: a\n    \"securityContext\":\n      privileged: true\n  - name: b\n";
        let map = TemplateMap::new(text);
        let p = map
            .locate("Pod", 0, "/spec/containers/0/securityContext/privileged")
            .unwrap();
        assert_eq!((p.line, p.column, p.exact), (6, 7, true));
        let p = map.locate("Pod", 0, "/spec/containers/1/name").unwrap();
        assert_eq!((p.line, p.column), (7, 5));
    }

    #[test]
    fn templates_without_yaml_text() {
        assert!(
            TemplateMap::new("{{- include \"x\" . }}\n")
                .locate("Pod", 0, "")
                .is_none()
        );
    }
}
