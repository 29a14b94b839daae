//! Rendering Helm charts and Kustomize overlays with the real tools, and mapping what is found
//! in the rendered objects back to the files a user edits (templates and values keys for Helm,
//! resource and patch files for Kustomize).
//!
//! The tools are run, not re-implemented: Go templates, Sprig functions, chart dependencies and
//! Kustomize's transformers only behave exactly as users expect when the real programs do it.

mod batch;
mod helm;
mod kustomize;
mod overlays;
mod redact;
mod remote;
mod template_map;
mod tool;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use palisade_diagnostics::{Finding, FindingList, InputError};

use crate::links::LinkPolicy;

pub use batch::{Renderings, render_all};
pub use helm::{is_chart_archive, render_chart};
pub use kustomize::{KUSTOMIZATION_FILES, kustomization_file};
pub use overlays::merge_overlays;
pub use redact::Redactor;
pub use template_map::{TemplateMap, TemplatePosition};
pub use tool::Tool;

/// How to render.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// `helm` binary (else `$PALISADE_HELM`, else `PATH`).
    pub helm: Option<PathBuf>,
    /// `kubectl` or `kustomize` binary (else `$PALISADE_KUBECTL`, else `kubectl` on `PATH`).
    pub kubectl: Option<PathBuf>,
    /// Helm `--values` files.
    pub values: Vec<PathBuf>,
    /// Helm `--set` assignments.
    pub set: Vec<String>,
    /// Helm `--set-string` assignments.
    pub set_string: Vec<String>,
    /// Helm release namespace (`--namespace`); Helm's own default when unset.
    pub namespace: Option<String>,
    /// Longest a tool may run (`--render-timeout`).
    pub timeout: Duration,
    /// Largest rendered output (and template file) to accept.
    pub max_output: u64,
    /// Where symbolic links in charts and kustomizations may lead: the tools follow links
    /// themselves, so a chart or kustomization with a link that leads elsewhere is not
    /// rendered.
    pub links: LinkPolicy,
    /// Let Kustomize fetch remote bases and resources (`--allow-remote-bases`); else a
    /// kustomization that names one is refused before `kubectl` runs.
    pub allow_remote: bool,
}

/// The default `--render-timeout`: two minutes per chart or kustomization.
pub const DEFAULT_RENDER_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            helm: None,
            kubectl: None,
            values: Vec::new(),
            set: Vec::new(),
            set_string: Vec::new(),
            namespace: None,
            timeout: DEFAULT_RENDER_TIMEOUT,
            max_output: 64 << 20,
            links: LinkPolicy::default(),
            allow_remote: false,
        }
    }
}

/// One YAML stream to scan, and the path its findings are first reported against.
#[derive(Debug, Clone)]
pub struct RenderedUnit {
    /// The display path of findings in this stream before [`Rendered::remap`].
    pub display: String,
    /// Rendered YAML.
    pub text: String,
}

/// The result of rendering one chart or kustomization.
#[derive(Debug, Default)]
pub struct Rendered {
    /// What to scan.
    pub units: Vec<RenderedUnit>,
    /// Text of the files findings are mapped into (templates, resources), for snippets.
    pub sources: Vec<(String, Arc<str>)>,
    /// Remarks for the user (a library chart skipped, an object that could not be mapped).
    pub notes: Vec<String>,
    map: Option<Arc<SourceMap>>,
}

/// Maps findings on rendered objects back to their sources.
#[derive(Debug)]
enum SourceMap {
    Helm(helm::HelmMap),
    Kustomize(kustomize::KustomizeMap),
}

impl Rendered {
    /// The map for every unit, keyed by the unit's display path, to apply after scanning.
    pub fn maps(&self) -> impl Iterator<Item = (String, RenderMap)> + '_ {
        self.map.iter().flat_map(|map| {
            self.units
                .iter()
                .map(|u| (u.display.clone(), RenderMap(Arc::clone(map))))
        })
    }
}

/// A handle on one rendering's source map (cheap to clone).
#[derive(Debug, Clone)]
pub struct RenderMap(Arc<SourceMap>);

impl RenderMap {
    /// Point findings at the template or resource file they come from and record their
    /// [`palisade_diagnostics::Origin`].
    pub fn remap(&self, findings: &mut [&mut Finding]) {
        match &*self.0 {
            SourceMap::Helm(map) => map.remap(findings),
            SourceMap::Kustomize(map) => map.remap(findings),
        }
    }
}

/// Group the findings of rendered units by the map of their unit and remap them.
pub fn remap_findings(findings: &mut FindingList, maps: &HashMap<String, RenderMap>) {
    if maps.is_empty() {
        return;
    }
    findings.update_batches(
        |f| f.path().is_some_and(|p| maps.contains_key(p)),
        |batch| remap(batch, maps),
    );
}

fn remap(findings: &mut [Finding], maps: &HashMap<String, RenderMap>) {
    let mut groups: HashMap<*const SourceMap, (RenderMap, Vec<&mut Finding>)> = HashMap::new();
    for f in findings.iter_mut() {
        if let Some(map) = f.location.path().and_then(|p| maps.get(p.as_str())) {
            groups
                .entry(Arc::as_ptr(&map.0))
                .or_insert_with(|| (map.clone(), Vec::new()))
                .1
                .push(f);
        }
    }
    for (map, mut group) in groups.into_values() {
        map.remap(&mut group);
    }
}

fn render_error(path: &str, message: String) -> InputError {
    InputError {
        path: path.to_string(),
        line: None,
        column: None,
        message,
    }
}

/// `a/b/../c` -> `a/c`, without touching the file system (display paths only).
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." if !parts.is_empty() => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && *p != ".") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths_are_normalised() {
        assert_eq!(normalize("a/b/../c/./d.yaml"), "a/c/d.yaml");
        assert_eq!(normalize("./x/../y.yaml"), "./y.yaml");
        assert_eq!(normalize("../../base/d.yaml"), "../../base/d.yaml");
        assert_eq!(normalize("/abs/o/../base/d.yaml"), "/abs/base/d.yaml");
    }
}
