//! Which levels each namespace is held to, from its labels in the style of Pod Security
//! Admission: `palisade.dev/enforce: pss-restricted`, `palisade.dev/warn-version: v1.30`.
//! The cache is filled from a file of Namespace objects or by watching the API server.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use palisade_config::{Level, Modes};
use palisade_engine::{Profile, PssVersion};
use palisade_source::{Limits, NodeRef, parse_stream};

/// The prefix of Palisade's namespace labels.
pub const LABEL_PREFIX: &str = "palisade.dev/";

/// The levels in force in a namespace.
pub trait NamespaceModes: Send + Sync {
    /// The modes of `namespace` (the defaults for a namespace not known).
    fn modes(&self, namespace: &str) -> Modes;

    /// The labels of `namespace`, when known (policies' namespace selectors and
    /// `namespaceObject` read them).
    fn labels(&self, _namespace: &str) -> Option<BTreeMap<String, String>> {
        None
    }
}

/// Modes that are the same everywhere (no namespace labels known).
impl NamespaceModes for Modes {
    fn modes(&self, _: &str) -> Modes {
        *self
    }
}

/// The modes a namespace's labels ask for, on top of `defaults`. A label whose value is not a
/// level is read as the strictest one (`all` at the newest version), as Pod Security
/// Admission reads an invalid level as `restricted`: a typo must not open the gate. The
/// second value lists such labels.
pub fn modes_from_labels(
    labels: &BTreeMap<String, String>,
    defaults: Modes,
    default_version: PssVersion,
) -> (Modes, Vec<String>) {
    let mut problems = Vec::new();
    let mut one = |mode: &str, default: Option<Level>| -> Option<Level> {
        let level = labels.get(&format!("{LABEL_PREFIX}{mode}"));
        let version = labels.get(&format!("{LABEL_PREFIX}{mode}-version"));
        let strictest = Level {
            profile: Profile::All,
            version: PssVersion::default(),
        };
        match (level, version) {
            (None, None) => default,
            (None, Some(v)) => {
                let default = default?;
                match v.parse::<PssVersion>() {
                    Ok(version) => Some(Level { version, ..default }),
                    Err(e) => {
                        problems.push(format!("{LABEL_PREFIX}{mode}-version: {e}"));
                        Some(strictest)
                    }
                }
            }
            (Some(l), v) => match Level::parse(l, v.map(String::as_str), default_version) {
                Ok(level) => level,
                Err(e) => {
                    problems.push(format!("{LABEL_PREFIX}{mode}: {e}"));
                    Some(strictest)
                }
            },
        }
    };
    let modes = Modes {
        enforce: one("enforce", defaults.enforce),
        warn: one("warn", defaults.warn),
        audit: one("audit", defaults.audit),
    };
    (modes, problems)
}

/// Namespaces by name with their labels, as read from a file or listed.
pub type NamespaceLabels = Vec<(String, BTreeMap<String, String>)>;

/// A known namespace's modes, and its labels (for policies).
type Known = (Modes, Arc<BTreeMap<String, String>>);

/// The namespaces known and their modes; unknown namespaces get the defaults.
#[derive(Debug)]
pub struct Namespaces {
    defaults: Modes,
    default_version: PssVersion,
    known: RwLock<HashMap<String, Known>>,
    synced: AtomicBool,
}

impl Namespaces {
    /// An empty cache. It counts as synced until a watch says otherwise.
    pub fn new(defaults: Modes, default_version: PssVersion) -> Namespaces {
        Namespaces {
            defaults,
            default_version,
            known: RwLock::default(),
            synced: AtomicBool::new(true),
        }
    }

    /// Record a namespace's labels; returns the labels that are not valid levels.
    pub fn set(&self, name: &str, labels: &BTreeMap<String, String>) -> Vec<String> {
        let (modes, problems) = modes_from_labels(labels, self.defaults, self.default_version);
        if let Ok(mut known) = self.known.write() {
            known.insert(name.to_string(), (modes, Arc::new(labels.clone())));
        }
        problems
    }

    /// Forget a deleted namespace.
    pub fn remove(&self, name: &str) {
        if let Ok(mut known) = self.known.write() {
            known.remove(name);
        }
    }

    /// Replace every namespace at once (a re-read file, a re-listed watch); returns the
    /// problems, each prefixed with its namespace.
    pub fn replace_all(&self, all: &[(String, BTreeMap<String, String>)]) -> Vec<String> {
        let mut fresh = HashMap::with_capacity(all.len());
        let mut problems = Vec::new();
        for (name, labels) in all {
            let (modes, p) = modes_from_labels(labels, self.defaults, self.default_version);
            problems.extend(p.into_iter().map(|p| format!("namespace {name}: {p}")));
            fresh.insert(name.clone(), (modes, Arc::new(labels.clone())));
        }
        if let Ok(mut known) = self.known.write() {
            *known = fresh;
        }
        problems
    }

    /// How many namespaces are known.
    pub fn len(&self) -> usize {
        self.known.read().map(|k| k.len()).unwrap_or(0)
    }

    /// Whether no namespace is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the cache holds what its source says (a watch has listed once).
    pub fn synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    /// Mark the cache as (not) holding its source's state.
    pub fn set_synced(&self, synced: bool) {
        self.synced.store(synced, Ordering::Release);
    }
}

impl NamespaceModes for Namespaces {
    fn modes(&self, namespace: &str) -> Modes {
        self.known
            .read()
            .ok()
            .and_then(|k| k.get(namespace).map(|(m, _)| *m))
            .unwrap_or(self.defaults)
    }

    fn labels(&self, namespace: &str) -> Option<BTreeMap<String, String>> {
        let known = self.known.read().ok()?;
        known.get(namespace).map(|(_, l)| (**l).clone())
    }
}

/// A namespace labels file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NamespaceFileError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A document is not YAML or JSON.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
}

/// The namespaces of a file of Namespace objects (`kubectl get namespaces -o yaml`: a `List`,
/// or Namespace documents): each name with its labels. Other objects are ignored.
pub fn read_namespace_file(path: &Path) -> Result<NamespaceLabels, NamespaceFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| NamespaceFileError::Read {
        path: shown.clone(),
        source,
    })?;
    let mut out = Vec::new();
    for doc in parse_stream(&text, &Limits::default()) {
        let doc = doc.map_err(|e| NamespaceFileError::Syntax {
            path: shown.clone(),
            line: e.line,
            column: e.column,
            message: e.message.clone(),
        })?;
        let Some(root) = doc.root() else { continue };
        let items: Vec<NodeRef<'_, '_>> = match root.get("items") {
            Some(items) => items.items().collect(),
            None => vec![root],
        };
        for item in items {
            if item.get("kind").and_then(|k| k.as_str()) != Some("Namespace") {
                continue;
            }
            let Some(name) = item.path(&["metadata", "name"]).and_then(|n| n.as_str()) else {
                continue;
            };
            let labels = item
                .path(&["metadata", "labels"])
                .map(|l| {
                    l.entries()
                        .filter_map(|(k, v)| Some((k.to_string(), v.scalar_text()?.into_owned())))
                        .collect()
                })
                .unwrap_or_default();
            out.push((name.to_string(), labels));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn labels_set_each_mode_over_the_defaults() {
        let latest = PssVersion::default();
        let defaults = Modes {
            enforce: Some(Level {
                profile: Profile::PssBaseline,
                version: latest,
            }),
            warn: None,
            audit: None,
        };
        let (m, problems) = modes_from_labels(
            &labels(&[
                ("palisade.dev/warn", "pss-restricted"),
                ("palisade.dev/warn-version", "v1.25"),
                ("palisade.dev/enforce-version", "v1.30"),
                ("palisade.dev/audit", "privileged"),
            ]),
            defaults,
            latest,
        );
        assert!(problems.is_empty());
        assert_eq!(m.enforce.unwrap().profile, Profile::PssBaseline);
        assert_eq!(m.enforce.unwrap().version.to_string(), "v1.30");
        assert_eq!(m.warn.unwrap().profile, Profile::PssRestricted);
        assert_eq!(m.warn.unwrap().version.to_string(), "v1.25");
        assert_eq!(m.audit, None);
    }

    #[test]
    fn an_invalid_level_is_the_strictest() {
        let (m, problems) = modes_from_labels(
            &labels(&[("palisade.dev/enforce", "restricted-ish")]),
            Modes::default(),
            PssVersion::default(),
        );
        assert_eq!(m.enforce.unwrap().profile, Profile::All);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("palisade.dev/enforce"));
    }

    #[test]
    fn the_cache_answers_known_namespaces_and_defaults_otherwise() {
        let ns = Namespaces::new(Modes::default(), PssVersion::default());
        ns.set("shop", &labels(&[("palisade.dev/enforce", "pss-baseline")]));
        assert_eq!(
            ns.modes("shop").enforce.unwrap().profile,
            Profile::PssBaseline
        );
        assert_eq!(ns.modes("other"), Modes::default());
        ns.remove("shop");
        assert_eq!(ns.modes("shop"), Modes::default());
    }

    #[test]
    fn namespace_files_are_lists_or_documents() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ns.yaml");
        std::fs::write(
            &file,
            "apiVersion: v1\nkind: List\nitems:\n- kind: Namespace\n  metadata:\n    name: a\n    labels: {palisade.dev/enforce: pss-baseline}\n---\nkind: Namespace\nmetadata: {name: b}\n---\nkind: ConfigMap\nmetadata: {name: c}\n",
        )
        .unwrap();
        let read = read_namespace_file(&file).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].0, "a");
        assert_eq!(read[0].1["palisade.dev/enforce"], "pss-baseline");
        assert!(read[1].1.is_empty());
        std::fs::write(&file, "kind: [\n").unwrap();
        let err = read_namespace_file(&file).unwrap_err().to_string();
        assert!(err.contains("ns.yaml:"), "{err}");
    }
}
