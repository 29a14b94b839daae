//! Reading policy files: YAML or JSON streams, every document as JSON with the line it starts
//! on, so that a policy that does not compile is reported at its file and line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_source::{Limits, parse_stream};
use serde_json::Value;

use crate::error::PolicyError;

/// Policy files larger than this are refused: policies are small, and a file this size is
/// not one.
pub const MAX_POLICY_FILE: u64 = 16 * 1024 * 1024;

/// One document of a file, as JSON.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file, as given.
    pub path: Arc<str>,
    /// 1-based line where the document's root starts.
    pub line: u32,
    /// The document, decoded as the API server decodes YAML.
    pub value: Value,
}

impl Loaded {
    /// `kind`, or `""`.
    pub fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or("")
    }

    /// `apiVersion`, or `""`.
    pub fn api_version(&self) -> &str {
        (self.value.get("apiVersion"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `metadata.name`, or `""`.
    pub fn name(&self) -> &str {
        (self.value.pointer("/metadata/name"))
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// An error about this document.
    pub fn error(&self, message: impl Into<String>) -> PolicyError {
        PolicyError::at(&self.path, Some(self.line), message)
    }
}

/// The strings of a JSON list (absent, or not a list: none; items that are not strings are
/// left out, as the API server would refuse them).
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Every document of a text; `List` objects are expanded into their items (which keep the
/// list's line).
pub fn parse_text(path: &str, text: &str) -> (Vec<Loaded>, Vec<PolicyError>) {
    let path: Arc<str> = Arc::from(path);
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for doc in parse_stream(text, &Limits::default()) {
        let doc = match doc {
            Ok(doc) => doc,
            Err(e) => {
                errors.push(PolicyError::at(&path, Some(e.line), e.message));
                continue;
            }
        };
        let Some(root) = doc.root() else { continue };
        if root.is_null() {
            continue;
        }
        let line = root.start().line;
        let value = match serde_json::to_value(root) {
            Ok(v) => v,
            Err(e) => {
                errors.push(PolicyError::at(&path, Some(line), e.to_string()));
                continue;
            }
        };
        push_expanded(&path, line, value, &mut docs);
    }
    (docs, errors)
}

fn push_expanded(path: &Arc<str>, line: u32, value: Value, out: &mut Vec<Loaded>) {
    let is_list = (value.get("kind").and_then(Value::as_str)).is_some_and(|k| k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    if is_list {
        if let Some(Value::Array(items)) = value.get("items") {
            for item in items {
                push_expanded(path, line, item.clone(), out);
            }
        }
        return;
    }
    out.push(Loaded {
        path: path.clone(),
        line,
        value,
    });
}

/// Read one file.
pub fn read_file(path: &Path) -> (Vec<Loaded>, Vec<PolicyError>) {
    let display = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return (
                Vec::new(),
                vec![PolicyError::at(&display, None, e.to_string())],
            );
        }
    };
    if meta.len() > MAX_POLICY_FILE {
        let message = format!(
            "the file has {} bytes, more than a policy file may have ({MAX_POLICY_FILE})",
            meta.len()
        );
        return (Vec::new(), vec![PolicyError::at(&display, None, message)]);
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse_text(&display, &text),
            Err(_) => {
                let message = "the file is not UTF-8 text";
                (Vec::new(), vec![PolicyError::at(&display, None, message)])
            }
        },
        Err(e) => (
            Vec::new(),
            vec![PolicyError::at(&display, None, e.to_string())],
        ),
    }
}

/// The policy files a path names: the file itself, or every `.yaml`, `.yml` and `.json` file
/// under a directory, sorted so that loading is deterministic. Test files (Gatekeeper suites,
/// Kyverno tests) and their sample objects are read by the test runner, not as policies.
pub fn policy_files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| PolicyError::at(&path.display().to_string(), None, e.to_string()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    walk(path, &mut files)?;
    files.sort();
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PolicyError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| PolicyError::at(&dir.display().to_string(), None, e.to_string()))?;
    for entry in entries {
        let entry =
            entry.map_err(|e| PolicyError::at(&dir.display().to_string(), None, e.to_string()))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // Hidden entries are skipped, but for the directory Kyverno keeps its tests in.
        if name.starts_with('.') && name != ".kyverno-test" {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        // A symbolic link to a file is read (a mounted ConfigMap's files are links into its
        // hidden `..data` directory); links to directories are not followed.
        let is_file = kind.is_file()
            || (kind.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_file()));
        if kind.is_dir() {
            walk(&path, out)?;
        } else if is_file
            && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"))
        {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_their_lines_and_lists_expand() {
        let text = "a: 1\n---\nkind: List\napiVersion: v1\nitems:\n- kind: A\n- kind: B\n---\n";
        let (docs, errors) = parse_text("p.yaml", text);
        assert!(errors.is_empty());
        let kinds: Vec<&str> = docs.iter().map(Loaded::kind).collect();
        assert_eq!(kinds, ["", "A", "B"]);
        assert_eq!(docs[0].line, 1);
        assert_eq!(docs[1].line, 3);
    }

    #[test]
    fn a_syntax_error_names_its_line_and_the_rest_still_loads() {
        let (docs, errors) = parse_text("p.yaml", "kind: A\n---\nkey: [unclosed\n---\nkind: B\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(3));
        assert_eq!(docs.len(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn a_mounted_config_map_is_read_through_its_links() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("..2026_12_05");
        std::fs::create_dir(&data).unwrap();
        std::fs::write(data.join("policy.yaml"), "kind: A\n").unwrap();
        std::os::unix::fs::symlink(&data, dir.path().join("..data")).unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("..data/policy.yaml"),
            dir.path().join("policy.yaml"),
        )
        .unwrap();
        let files = policy_files(dir.path()).unwrap();
        assert_eq!(files, [dir.path().join("policy.yaml")]);
    }

    #[test]
    fn yaml_is_read_as_the_api_server_reads_it() {
        let (docs, _) = parse_text("p.yaml", "privileged: yes\nmode: 0644\n");
        assert_eq!(docs[0].value["privileged"], true);
        assert_eq!(docs[0].value["mode"], 420);
    }
}
