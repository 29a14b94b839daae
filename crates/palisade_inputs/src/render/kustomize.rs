//! `kubectl kustomize`, and the mapping of built objects back to the resource and patch files
//! they came from.
//!
//! Kustomize output carries no source markers, so Palisade reads the kustomization tree itself
//! (resources, bases, components, patches), indexes the objects of every local file by kind and
//! name, and points a finding at the patch that wrote the field, else at the resource file
//! (the field's key, or its nearest ancestor when a transformer added it).
//!
//! The same reading of the tree comes first for safety: a kustomization that names a remote
//! base or resource (see [`super::remote`]), or that reaches a file or base through a symbolic
//! link leading out of the scanned directories, is refused before `kubectl` runs.
//!
//! A `kind: Component` is never built on its own: Kustomize only applies a component inside
//! an overlay that lists it under `components:`, where its patches have the objects they
//! patch. Its resources are whole objects and are scanned on their own unless a build read
//! them; its patches are partial objects and are never scanned on their own.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_diagnostics::{ArcStr, Finding, InputError, Location, Origin, Span};
use palisade_model::objects_in;
use palisade_source::{Document, Limits, NodeRef, parse_stream};

use super::remote::{RemoteRef, is_remote, references, shown};
use super::tool::{Network, path_arg, run};
use super::{Redactor, RenderOptions, Rendered, RenderedUnit, SourceMap, normalize, render_error};
use crate::links::{EscapingLink, LinkPolicy};

/// The file names Kustomize accepts for a kustomization, in its order of preference.
pub const KUSTOMIZATION_FILES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a directory, if it has one.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

/// Deepest chain of bases followed (a cycle or a runaway tree stops here).
const MAX_DEPTH: usize = 32;

#[derive(Debug)]
struct Entry {
    kind: String,
    name: String,
    file: usize,
    document: u32,
    patch: bool,
}

/// Findings on a built kustomization, mapped to its files.
#[derive(Debug)]
pub(super) struct KustomizeMap {
    root: String,
    kustomization: String,
    files: Vec<(String, Arc<str>)>,
    entries: Vec<Entry>,
}

#[derive(Default)]
struct Index {
    files: Vec<(String, Arc<str>)>,
    entries: Vec<Entry>,
    /// Every local file the kustomization reads (canonical paths).
    consumed: BTreeSet<PathBuf>,
    /// Those of them listed as resources: whole objects, which can be scanned on their own.
    resources: BTreeSet<PathBuf>,
    /// The kustomization read first is a `kind: Component`.
    component: bool,
    seen: HashSet<PathBuf>,
    /// Generator literals and files, masked in the tool's messages.
    redactor: Redactor,
    /// Where symbolic links may lead.
    links: LinkPolicy,
    /// References Kustomize would fetch over the network.
    remote: Vec<RemoteRef>,
    /// Links on the way to a file or base that lead outside; such files are not read.
    escapes: Vec<EscapingLink>,
}

fn strings(node: Option<NodeRef<'_, '_>>) -> Vec<String> {
    node.filter(|n| n.is_seq())
        .map(|n| {
            n.items()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Index {
    fn new(links: LinkPolicy) -> Self {
        Index {
            links,
            ..Index::default()
        }
    }

    /// Whether `rel` (written in the kustomization of `dir`, shown as `display`) may be read:
    /// a symbolic link on the way must not lead outside. The escape is recorded otherwise.
    fn may_read(&mut self, dir: &Path, display: &str, rel: &str) -> bool {
        match self.links.escape_below(dir, rel) {
            Some(escape) => {
                self.escapes.push(EscapingLink {
                    link: PathBuf::from(normalize(&format!("{display}/{rel}"))),
                    ..escape
                });
                false
            }
            None => true,
        }
    }

    fn kustomization(&mut self, dir: &Path, display: &str, max: u64, depth: usize) {
        let Some(file) = kustomization_file(dir) else {
            return;
        };
        let key = std::fs::canonicalize(&file).unwrap_or(file.clone());
        if depth > MAX_DEPTH || !self.seen.insert(key.clone()) {
            return;
        }
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if !self.may_read(dir, display, &file_name) {
            return;
        }
        self.consumed.insert(key);
        let Ok(text) = crate::read::read_regular(&file, max) else {
            return;
        };
        let docs = parse_stream(&text, &Limits::default());
        let Some(Ok(doc)) = docs.first() else {
            return;
        };
        let Some(root) = doc.root() else {
            return;
        };
        if depth == 0 {
            self.component = root.get("kind").and_then(|k| k.as_str()) == Some("Component");
        }
        let shown_file = normalize(&format!("{display}/{file_name}"));
        for (field, reference) in references(root) {
            if is_remote(&reference, dir) {
                self.remote.push(RemoteRef {
                    file: shown_file.clone(),
                    field,
                    reference: shown(&reference),
                });
            }
        }
        let join = |rel: &str| (dir.join(rel), normalize(&format!("{display}/{rel}")));
        for key in ["resources", "bases", "components"] {
            for rel in strings(root.get(key)) {
                if is_remote(&rel, dir) || !self.may_read(dir, display, &rel) {
                    continue;
                }
                let (path, shown) = join(&rel);
                if path.is_dir() {
                    self.kustomization(&path, &shown, max, depth + 1);
                } else {
                    self.objects(&path, &shown, false, max);
                }
            }
        }
        for rel in strings(root.get("patchesStrategicMerge")) {
            if is_remote(&rel, dir) || !self.may_read(dir, display, &rel) {
                continue;
            }
            let (path, shown) = join(&rel);
            self.objects(&path, &shown, true, max);
        }
        let paths_of = |key: &str| -> Vec<String> {
            root.get(key)
                .filter(|n| n.is_seq())
                .map(|n| {
                    n.items()
                        .filter_map(|i| i.get("path").and_then(|p| p.as_str()).map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        for rel in paths_of("patches") {
            if is_remote(&rel, dir) || !self.may_read(dir, display, &rel) {
                continue;
            }
            let (path, shown) = join(&rel);
            self.objects(&path, &shown, true, max);
        }
        // Files Kustomize reads that are not objects: never scan them on their own.
        let mut other: Vec<String> = paths_of("patchesJson6902");
        other.extend(paths_of("replacements"));
        for key in [
            "crds",
            "configurations",
            "transformers",
            "generators",
            "validators",
        ] {
            other.extend(strings(root.get(key)));
        }
        for generator in ["configMapGenerator", "secretGenerator"] {
            // A Secret generator's every input is secret; a ConfigMap generator's is
            // configuration, of which only credential-like keys are masked.
            let secret = generator == "secretGenerator";
            for g in root.get(generator).iter().flat_map(|n| n.items()) {
                // `key=value`; a malformed Secret literal is masked whole.
                for literal in strings(g.get("literals")) {
                    if secret {
                        self.redactor
                            .add(literal.split_once('=').map_or(literal.as_str(), |(_, v)| v));
                    } else {
                        self.redactor.add_sensitive_literal(&literal);
                    }
                }
                let mut inputs: Vec<String> = ["files", "envs"]
                    .iter()
                    .flat_map(|key| strings(g.get(key)))
                    .map(|f| f.rsplit_once('=').map_or(f.clone(), |(_, p)| p.to_string()))
                    .collect();
                inputs.extend(g.get("env").and_then(|e| e.as_str()).map(str::to_string));
                for rel in &inputs {
                    if !is_remote(rel, dir) && self.may_read(dir, display, rel) {
                        if secret {
                            self.redactor.add_file_lines(&dir.join(rel), max);
                        } else {
                            self.redactor.add_sensitive_assignments(&dir.join(rel), max);
                        }
                    }
                }
                other.extend(inputs);
            }
        }
        for rel in &other {
            if is_remote(rel, dir) || !self.may_read(dir, display, rel) {
                continue;
            }
            let path = dir.join(rel);
            if path.is_file() {
                self.consumed
                    .insert(std::fs::canonicalize(&path).unwrap_or(path));
            }
        }
    }

    fn objects(&mut self, path: &Path, display: &str, patch: bool, max: u64) {
        if !path.is_file() {
            return;
        }
        let key = std::fs::canonicalize(path).unwrap_or(path.to_path_buf());
        if !patch {
            self.resources.insert(key.clone());
        }
        self.consumed.insert(key);
        let Ok(text) = crate::read::read_regular(path, max) else {
            return;
        };
        let file = self.files.len();
        for (document, doc) in parse_stream(&text, &Limits::default()).iter().enumerate() {
            let Ok(doc) = doc else { continue };
            for object in objects_in(doc).objects {
                self.entries.push(Entry {
                    kind: object.kind.to_string(),
                    name: object.name().unwrap_or_default().to_string(),
                    file,
                    document: u32::try_from(document).unwrap_or(u32::MAX),
                    patch,
                });
            }
        }
        self.files.push((display.to_string(), Arc::from(text)));
    }
}

/// Why a kustomization is not built: the remote references it names, else the links that
/// lead outside.
fn refusal(index: &Index, opts: &RenderOptions) -> Option<String> {
    fn listed<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
        let mut text: Vec<String> = items.iter().take(3).map(show).collect();
        if items.len() > 3 {
            text.push(format!("and {} more", items.len() - 3));
        }
        text.join("; ")
    }
    if !opts.allow_remote && !index.remote.is_empty() {
        let refs = listed(&index.remote, |r| {
            format!("{} names `{}` in `{}`", r.file, r.reference, r.field)
        });
        return Some(format!(
            "refusing to build a kustomization with remote references: {refs}; kubectl would fetch them over the network (allow-remote-bases allows it)"
        ));
    }
    if !index.escapes.is_empty() {
        let links = listed(&index.escapes, ToString::to_string);
        return Some(format!(
            "refusing to build the kustomization: {links}; kustomize would read it (follow-symlinks allows it)"
        ));
    }
    None
}

/// Why a kustomization was not built.
#[derive(Debug)]
pub(super) enum Unbuilt {
    /// It is a `kind: Component`, which Kustomize builds only inside an overlay.
    Component,
    /// There is no `kubectl` to build it with (reported once for the whole run).
    NoTool,
    /// Refused, or the build failed.
    Failed(InputError),
}

/// What became of one kustomization directory.
#[derive(Debug)]
pub(super) struct Kustomized {
    /// The build, or why there is none.
    pub(super) outcome: Result<Rendered, Unbuilt>,
    /// Local files not to scan on their own (canonical paths): every file a build read;
    /// without a build, the files that are not whole objects (patches, transformer
    /// configurations, generator inputs), so that its resources are still scanned one by one.
    pub(super) consumed: BTreeSet<PathBuf>,
}

/// Build a kustomization directory with `kubectl kustomize` (or `kustomize build`), with
/// `kubectl` already located (`None`: not found).
pub(super) fn kustomize(
    dir: &Path,
    display: &str,
    opts: &RenderOptions,
    kubectl: Option<&Path>,
) -> Kustomized {
    let display = display.trim_end_matches('/');
    let Some(file) = kustomization_file(dir) else {
        return Kustomized {
            outcome: Err(Unbuilt::Failed(render_error(
                display,
                "no kustomization.yaml in this directory".into(),
            ))),
            consumed: BTreeSet::new(),
        };
    };
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kustomization = format!("{display}/{file_name}");
    let mut index = Index::new(opts.links.clone());
    index.kustomization(dir, display, opts.max_output, 0);
    let unbuilt = |index: &Index, why: Unbuilt| Kustomized {
        outcome: Err(why),
        consumed: index
            .consumed
            .difference(&index.resources)
            .cloned()
            .collect(),
    };
    if index.component {
        return unbuilt(&index, Unbuilt::Component);
    }
    if let Some(message) = refusal(&index, opts) {
        return unbuilt(
            &index,
            Unbuilt::Failed(render_error(&kustomization, message)),
        );
    }
    let Some(tool) = kubectl else {
        return unbuilt(&index, Unbuilt::NoTool);
    };
    match build(dir, &file, &kustomization, display, opts, tool, &mut index) {
        Ok(rendered) => Kustomized {
            outcome: Ok(rendered),
            consumed: std::mem::take(&mut index.consumed),
        },
        Err(e) => unbuilt(&index, Unbuilt::Failed(e)),
    }
}

fn build(
    dir: &Path,
    file: &Path,
    kustomization: &str,
    display: &str,
    opts: &RenderOptions,
    tool: &Path,
    index: &mut Index,
) -> Result<Rendered, InputError> {
    let standalone = tool.file_stem().is_some_and(|n| n == "kustomize");
    let command = if standalone { "build" } else { "kustomize" };
    let args = vec![command.to_string(), path_arg(dir)];
    let program = tool.file_name().map_or_else(
        || "kubectl".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let network = if opts.allow_remote {
        Network::Allowed
    } else {
        Network::Denied
    };
    let output = run(tool, &args, None, network, opts.timeout, opts.max_output).map_err(|e| {
        render_error(
            kustomization,
            format!(
                "`{program} {command}` failed: {}",
                index.redactor.redact(&e)
            ),
        )
    })?;
    let mut sources = index.files.clone();
    if let Ok(text) = crate::read::read_regular(file, opts.max_output) {
        sources.push((kustomization.to_string(), Arc::from(text)));
    }
    let map = KustomizeMap {
        root: display.to_string(),
        kustomization: kustomization.to_string(),
        files: std::mem::take(&mut index.files),
        entries: std::mem::take(&mut index.entries),
    };
    Ok(Rendered {
        units: vec![RenderedUnit {
            display: kustomization.to_string(),
            text: output,
        }],
        sources,
        notes: Vec::new(),
        map: Some(Arc::new(SourceMap::Kustomize(map))),
    })
}

impl KustomizeMap {
    /// The entries that may have produced an object: same kind, and a name that the built
    /// name contains (prefixes and suffixes are added by Kustomize); longest name first.
    fn candidates(&self, kind: &str, built: &str) -> Vec<&Entry> {
        let mut found: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.kind == kind && !e.name.is_empty() && built.contains(e.name.as_str()))
            .collect();
        found.sort_by_key(|e| std::cmp::Reverse(e.name.len()));
        let best = found.first().map(|e| e.name.len());
        found.retain(|e| Some(e.name.len()) == best);
        found
    }

    pub(super) fn remap(&self, findings: &mut [&mut Finding]) {
        let mut parsed: HashMap<usize, Vec<Option<Document<'_>>>> = HashMap::new();
        // One copy of each path for all the findings pointing into it.
        let mut paths: HashMap<usize, ArcStr> = HashMap::new();
        let kustomization = ArcStr::from(self.kustomization.as_str());
        for f in findings.iter_mut() {
            let Some(object) = f.subject.object() else {
                continue;
            };
            let built = object.name.clone().unwrap_or_default();
            let candidates = self.candidates(&object.kind, &built);
            let mut best: Option<Location> = None;
            // A patch that writes the field wins; then the resource itself.
            for entry in candidates
                .iter()
                .filter(|e| e.patch)
                .chain(candidates.iter().filter(|e| !e.patch))
            {
                let docs = parsed.entry(entry.file).or_insert_with(|| {
                    parse_stream(&self.files[entry.file].1, &Limits::default())
                        .into_iter()
                        .map(Result::ok)
                        .collect()
                });
                let Some(Some(doc)) = docs.get(entry.document as usize) else {
                    continue;
                };
                let Some(object) = objects_in(doc)
                    .objects
                    .into_iter()
                    .find(|o| o.kind == entry.kind && o.name() == Some(entry.name.as_str()))
                else {
                    continue;
                };
                let location = object.location(
                    paths
                        .entry(entry.file)
                        .or_insert_with(|| ArcStr::from(self.files[entry.file].0.as_str())),
                    entry.document,
                    f.location.pointer.clone(),
                );
                if entry.patch && location.missing {
                    continue;
                }
                best = Some(location);
                break;
            }
            // Exact when the field is where the built object has it: written in the file, or
            // absent from both.
            let exact = best
                .as_ref()
                .is_some_and(|l| l.missing == f.location.missing);
            f.location = best.unwrap_or_else(|| Location {
                span: Some(Span {
                    path: kustomization.clone(),
                    line: 1,
                    column: 1,
                    end_line: 1,
                    end_column: 1,
                    document: 0,
                }),
                pointer: f.location.pointer.clone(),
                missing: true,
            });
            f.origin = Some(Box::new(Origin {
                renderer: "kustomize",
                source: self.root.clone(),
                exact,
                values: Vec::new(),
                also_in: Vec::new(),
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn the_index_follows_bases_patches_and_generators() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            (
                "base/kustomization.yaml",
                "resources:\n- deploy.yaml\n- https://example.com/x.yaml\n",
            ),
            (
                "base/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
            ),
            (
                "prod/kustomization.yaml",
                "namePrefix: prod-\nresources:\n- ../base\npatches:\n- path: patch.yaml\nconfigMapGenerator:\n- name: c\n  files:\n  - app=config.yaml\n",
            ),
            (
                "prod/patch.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n",
            ),
            ("prod/config.yaml", "a: 1\n"),
            ("prod/unrelated.yaml", "a: 1\n"),
        ] {
            let p = root.join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        let mut index = Index::default();
        index.kustomization(&root.join("prod"), "k/prod", 1 << 20, 0);
        let files: Vec<&str> = index.files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(files, vec!["k/base/deploy.yaml", "k/prod/patch.yaml"]);
        let consumed: Vec<String> = index
            .consumed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(consumed.len(), 5, "{consumed:?}");
        assert!(!consumed.contains(&"unrelated.yaml".to_string()));
        let map = KustomizeMap {
            root: "k/prod".into(),
            kustomization: "k/prod/kustomization.yaml".into(),
            files: index.files,
            entries: index.entries,
        };
        let c = map.candidates("Deployment", "prod-web");
        assert_eq!(c.len(), 2);
        assert!(map.candidates("Service", "prod-web").is_empty());
    }

    #[test]
    fn cycles_stop() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("a/kustomization.yaml"), "resources:\n- ../a\n").unwrap();
        let mut index = Index::default();
        index.kustomization(&root.join("a"), "a", 1 << 20, 0);
        assert_eq!(index.consumed.len(), 1);
    }

    #[test]
    fn remote_references_are_refused_unless_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let text = "resources:\n- https://e.com/1.yaml\n- https://e.com/2.yaml\n- https://e.com/3.yaml\n- https://e.com/4.yaml\n- https://e.com/5.yaml\n";
        fs::write(dir.path().join("kustomization.yaml"), text).unwrap();
        let mut index = Index::default();
        index.kustomization(dir.path(), "k", 1 << 20, 0);
        assert_eq!(index.remote.len(), 5);
        let message = refusal(&index, &RenderOptions::default()).unwrap();
        assert_eq!(
            message,
            "refusing to build a kustomization with remote references: k/kustomization.yaml names `https://e.com/1.yaml` in `resources`; k/kustomization.yaml names `https://e.com/2.yaml` in `resources`; k/kustomization.yaml names `https://e.com/3.yaml` in `resources`; and 2 more; kubectl would fetch them over the network (allow-remote-bases allows it)"
        );
        let allowed = RenderOptions {
            allow_remote: true,
            ..RenderOptions::default()
        };
        assert!(refusal(&index, &allowed).is_none());
    }
}
