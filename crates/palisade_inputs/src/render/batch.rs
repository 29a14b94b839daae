//! Rendering every chart and kustomization of a scan, in parallel, and folding what could not
//! be rendered into one report per cause: one input error per chart or kustomization that
//! failed, one for a missing tool (however many charts needed it), one note for the Kustomize
//! components that are only built through overlays.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use palisade_diagnostics::InputError;
use rayon::prelude::*;

use super::helm::{plain_files, render_chart};
use super::kustomize::{Kustomized, Unbuilt, kustomize};
use super::tool::Tool;
use super::{RenderOptions, Rendered, render_error};
use crate::Candidate;

/// What rendering the charts and kustomizations of a scan produced.
#[derive(Debug, Default)]
pub struct Renderings {
    /// One per chart or kustomization that rendered.
    pub rendered: Vec<Rendered>,
    /// Rendering failures: one per chart or kustomization that failed or was refused, and one
    /// per missing tool. Whether they fail the run is the caller's choice (`render-errors`).
    pub errors: Vec<InputError>,
    /// Remarks: library charts and Kustomize components not rendered on their own.
    pub notes: Vec<String>,
    /// Files not to scan on their own (canonical paths): those a build read, and the patches
    /// and other partial files of kustomizations that were not built.
    pub consumed: HashSet<PathBuf>,
    /// Plain YAML files of charts that did not render (`crds/`, templates without template
    /// actions): scanned on their own so that a chart that cannot render is not left unread.
    pub plain: Vec<Candidate>,
}

enum Job<'a> {
    Chart(&'a Candidate),
    Kustomization(&'a Candidate),
}

enum Done<'a> {
    Chart {
        chart: &'a Candidate,
        /// `Err(None)`: not tried, there is no `helm`.
        result: Result<Rendered, Option<InputError>>,
        plain: Vec<Candidate>,
    },
    Kustomization(&'a Candidate, Kustomized),
}

/// The binary for `tool`, once for the whole run: a configured path that does not exist counts
/// as missing too, so that a wrong `$PALISADE_HELM` is one error, not one per chart.
fn locate(tool: Tool, configured: Option<&Path>) -> Result<PathBuf, String> {
    let path = tool.locate(configured)?;
    let named_as_path = path.components().count() > 1;
    if named_as_path && !path.is_file() {
        return Err(format!(
            "`{}` does not exist or is not a file; set {} to the {} binary, or scan without rendering",
            path.display(),
            tool.env(),
            tool.name()
        ));
    }
    Ok(path)
}

/// `a, b, c and 2 more`.
fn listed(items: &[&str]) -> String {
    const SHOWN: usize = 3;
    let mut text = items
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Render every chart and build every kustomization, in parallel; `done` is called as each
/// one finishes (for a progress line).
pub fn render_all(
    charts: &[Candidate],
    kustomizations: &[Candidate],
    opts: &RenderOptions,
    done: &(dyn Fn() + Sync),
) -> Renderings {
    let helm = (!charts.is_empty()).then(|| locate(Tool::Helm, opts.helm.as_deref()));
    let kubectl =
        (!kustomizations.is_empty()).then(|| locate(Tool::Kubectl, opts.kubectl.as_deref()));
    let resolved = RenderOptions {
        helm: helm.clone().and_then(Result::ok),
        kubectl: kubectl.clone().and_then(Result::ok),
        ..opts.clone()
    };
    let jobs: Vec<Job<'_>> = charts
        .iter()
        .map(Job::Chart)
        .chain(kustomizations.iter().map(Job::Kustomization))
        .collect();
    let finished: Vec<Done<'_>> = jobs
        .par_iter()
        .map(|job| {
            let finished = run_job(job, &resolved);
            done();
            finished
        })
        .collect();

    let mut out = Renderings::default();
    let done = finished;
    let mut no_helm: Vec<&str> = Vec::new();
    let mut no_kubectl: Vec<&str> = Vec::new();
    let mut components: Vec<&str> = Vec::new();
    for done in done {
        match done {
            Done::Chart {
                chart,
                result,
                plain,
            } => {
                match result {
                    Ok(rendered) => {
                        out.notes.extend(rendered.notes.iter().cloned());
                        out.rendered.push(rendered);
                    }
                    Err(None) => no_helm.push(&chart.display),
                    Err(Some(mut e)) => {
                        if !plain.is_empty() {
                            e.message.push_str(&format!(
                                "; its plain YAML ({} in crds/ or templates/ without `{{{{`) was scanned on its own",
                                plural(plain.len(), "file", "files")
                            ));
                        }
                        out.errors.push(e);
                    }
                }
                out.plain.extend(plain);
            }
            Done::Kustomization(k, built) => {
                out.consumed.extend(built.consumed);
                match built.outcome {
                    Ok(rendered) => out.rendered.push(rendered),
                    Err(Unbuilt::Component) => components.push(&k.display),
                    Err(Unbuilt::NoTool) => no_kubectl.push(&k.display),
                    Err(Unbuilt::Failed(e)) => out.errors.push(e),
                }
            }
        }
    }
    for (tool, missing, what, fallback) in [
        (
            &helm,
            &no_helm,
            ("Helm chart", "Helm charts"),
            "their plain YAML (crds/, templates without `{{`) was scanned on its own",
        ),
        (
            &kubectl,
            &no_kubectl,
            ("kustomization", "kustomizations"),
            "their resource files were scanned one by one",
        ),
    ] {
        if let (Some(Err(why)), Some(first)) = (tool, missing.first()) {
            out.errors.push(render_error(
                first,
                format!(
                    "{} not rendered ({}): {why}; {fallback}",
                    plural(missing.len(), what.0, what.1),
                    listed(missing)
                ),
            ));
        }
    }
    if !components.is_empty() {
        out.notes.push(format!(
            "did not build {} on {} own ({}): Kustomize builds a `kind: Component` only inside the overlays that list it under `components:`; resources of one that no scanned overlay includes were scanned on their own",
            plural(components.len(), "Kustomize component", "Kustomize components"),
            if components.len() == 1 { "its" } else { "their" },
            listed(&components)
        ));
    }
    out.plain.sort();
    out
}

/// Render one chart or build one kustomization.
fn run_job<'a>(job: &Job<'a>, resolved: &RenderOptions) -> Done<'a> {
    match *job {
        Job::Chart(chart) => {
            let result = match &resolved.helm {
                Some(_) => render_chart(&chart.path, &chart.display, resolved).map_err(Some),
                None => Err(None),
            };
            let plain = match &result {
                Err(_) if chart.path.is_dir() => plain_files(
                    &chart.path,
                    &chart.display,
                    &resolved.links,
                    resolved.max_output,
                ),
                _ => Vec::new(),
            };
            Done::Chart {
                chart,
                result,
                plain,
            }
        }
        Job::Kustomization(k) => Done::Kustomization(
            k,
            kustomize(&k.path, &k.display, resolved, resolved.kubectl.as_deref()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_shortened() {
        assert_eq!(listed(&["a"]), "a");
        assert_eq!(listed(&["a", "b", "c"]), "a, b, c");
        assert_eq!(listed(&["a", "b", "c", "d", "e"]), "a, b, c and 2 more");
    }

    #[test]
    fn a_configured_tool_that_does_not_exist_is_missing() {
        let e = locate(Tool::Helm, Some(Path::new("/nonexistent/helm"))).unwrap_err();
        assert!(e.contains("`/nonexistent/helm` does not exist"), "{e}");
        assert!(e.contains("set PALISADE_HELM to the helm binary"), "{e}");
        // A bare name is looked up on PATH when run, as a shell would.
        assert_eq!(
            locate(Tool::Helm, Some(Path::new("helm3"))).unwrap(),
            PathBuf::from("helm3")
        );
    }
}
