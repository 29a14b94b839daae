//! `helm template`, and the mapping of its `# Source:` sections back to template files.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use palisade_diagnostics::{Finding, InputError, Origin};
use palisade_model::objects_in;
use palisade_source::{Limits, parse_stream};

use super::template_map::TemplateMap;
use super::tool::{Network, Tool, path_arg, run};
use super::{Redactor, RenderOptions, Rendered, RenderedUnit, SourceMap, render_error};
use crate::Candidate;

/// A packaged chart (`.tgz`), which `helm template` renders like a chart directory.
pub fn is_chart_archive(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".tgz") || name.ends_with(".tar.gz")
}

/// Findings on objects of one chart, mapped to its templates.
#[derive(Debug)]
pub(super) struct HelmMap {
    chart: String,
    templates: HashMap<String, Template>,
}

#[derive(Debug)]
struct Template {
    map: Option<TemplateMap>,
    /// The position of each rendered object among those of its kind from this template.
    ordinals: HashMap<(String, String), usize>,
}

/// Where the text of a chart's templates comes from.
enum ChartFiles {
    Dir {
        dir: PathBuf,
        display: String,
    },
    Archive {
        files: HashMap<String, String>,
        display: String,
    },
}

impl ChartFiles {
    /// The display path and text of a `# Source:` path (`chart/templates/x.yaml`).
    fn lookup(
        &self,
        source: &str,
        max: u64,
        archives: &mut SubchartArchives,
    ) -> (String, Option<String>) {
        match self {
            ChartFiles::Archive { files, display } => {
                (format!("{display}!/{source}"), files.get(source).cloned())
            }
            ChartFiles::Dir { dir, display } => {
                let rest = source.split_once('/').map_or(source, |(_, r)| r);
                // The marker is text a template can print: never follow it out of the chart.
                if !inside(rest) {
                    return (format!("{display}/{}", rest.replace("..", "_")), None);
                }
                let disk = dir.join(rest);
                if disk.is_file() {
                    let text = crate::read::read_regular(&disk, max).ok();
                    return (format!("{display}/{rest}"), text);
                }
                // A dependency packaged in charts/: `chart/charts/sub/templates/x.yaml`.
                if let Some(inner) = rest.strip_prefix("charts/")
                    && let Some((archive, text)) = archives.find(dir, inner, max)
                {
                    return (format!("{display}/charts/{archive}!/{inner}"), Some(text));
                }
                (format!("{display}/{rest}"), None)
            }
        }
    }
}

/// A relative path that stays below its base: no `..`, no root, no drive.
fn inside(path: &str) -> bool {
    let path = Path::new(path);
    path.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    })
}

/// The packaged dependencies in a chart's `charts/`, opened on first use.
#[derive(Default)]
struct SubchartArchives {
    opened: Option<Vec<(String, HashMap<String, String>)>>,
}

impl SubchartArchives {
    fn find(&mut self, chart: &Path, inner: &str, max: u64) -> Option<(String, String)> {
        let archives = self.opened.get_or_insert_with(|| {
            let Ok(entries) = std::fs::read_dir(chart.join("charts")) else {
                return Vec::new();
            };
            let mut found: Vec<(String, HashMap<String, String>)> = entries
                .flatten()
                .filter(|e| is_chart_archive(&e.path()))
                .filter_map(|e| {
                    let files = read_archive(&e.path(), max).ok()?;
                    Some((e.file_name().to_string_lossy().into_owned(), files))
                })
                .collect();
            found.sort_by(|a, b| a.0.cmp(&b.0));
            found
        });
        archives
            .iter()
            .find_map(|(name, files)| files.get(inner).map(|t| (name.clone(), t.clone())))
    }
}

/// The template files of a chart archive (`chart/templates/**`), as text.
fn read_archive(path: &Path, max: u64) -> Result<HashMap<String, String>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = HashMap::new();
    let mut total = 0u64;
    let entries = archive
        .entries()
        .map_err(|e| format!("not a chart archive: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("not a chart archive: {e}"))?;
        let name = entry
            .path()
            .map_err(|e| format!("not a chart archive: {e}"))?
            .to_string_lossy()
            .replace('\\', "/");
        let size = entry.header().size().unwrap_or(u64::MAX);
        if !name.contains("/templates/") || !entry.header().entry_type().is_file() || size > max {
            continue;
        }
        total += size;
        if total > max.saturating_mul(4) {
            return Err("chart archive holds too many template bytes".into());
        }
        let mut text = String::new();
        if entry.read_to_string(&mut text).is_ok() {
            files.insert(name, text);
        }
    }
    Ok(files)
}

/// `kind` and `metadata.name` of the first object of a rendered section, as the scan will
/// see them (so that findings find their ordinal).
fn head(text: &str) -> (String, String) {
    for doc in parse_stream(text, &Limits::default()).iter().flatten() {
        if let Some(object) = objects_in(doc).objects.first() {
            return (
                object.kind.to_string(),
                object.name().unwrap_or_default().to_string(),
            );
        }
    }
    (String::new(), String::new())
}

/// Split `helm template` output into its `# Source:` sections, in order.
fn sections(output: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut current: Option<(&str, usize)> = None;
    let mut offset = 0;
    for line in output.split_inclusive('\n') {
        if let Some(source) = line.strip_prefix("# Source: ") {
            if let Some((src, start)) = current {
                found.push((src, &output[start..offset]));
            }
            current = Some((source.trim_end(), offset));
        }
        offset += line.len();
    }
    if let Some((src, start)) = current {
        found.push((src, &output[start..]));
    }
    found
}

/// What could be a secret among the values handed to `helm`: `--set` values, and credential-
/// like keys of the values files and of the chart's own `values.yaml`.
fn redactor(chart: &Path, opts: &RenderOptions) -> Redactor {
    let mut r = Redactor::default();
    for set in opts.set.iter().chain(&opts.set_string) {
        r.add_assignments(set);
    }
    let own = chart.is_dir().then(|| chart.join("values.yaml"));
    for file in opts.values.iter().chain(own.iter()) {
        if let Ok(text) = crate::read::read_regular(file, opts.max_output) {
            r.add_yaml_secrets(&text);
        }
    }
    r
}

/// Helm follows every symbolic link in a chart directory (it logs "contents of linked file
/// included and used"): a chart with a link that leads out of the scanned directories is not
/// rendered, so that a template linked to `/etc/passwd` cannot bring that file into the scan.
fn check_links(chart: &Path, display: &str, opts: &RenderOptions) -> Result<(), InputError> {
    if !chart.is_dir() {
        return Ok(());
    }
    let refuse = |message: String| {
        render_error(
            display,
            format!("refusing to render the Helm chart: {message}"),
        )
    };
    let links = opts.links.escaping_links(chart).map_err(refuse)?;
    match links.as_slice() {
        [] => Ok(()),
        [first, rest @ ..] => {
            let more = match rest.len() {
                0 => String::new(),
                1 => " (and 1 more)".to_string(),
                n => format!(" (and {n} more)"),
            };
            Err(refuse(format!(
                "{first}{more}; helm would read it (follow-symlinks allows it)"
            )))
        }
    }
}

/// Render a chart directory or archive with `helm template`. Helm runs client-only: no
/// `--validate`, no `--is-upgrade`, no dependency update, no kubeconfig and no network (see
/// [`super::tool`]), so `lookup` returns nothing and nothing is fetched.
pub fn render_chart(
    chart: &Path,
    display: &str,
    opts: &RenderOptions,
) -> Result<Rendered, InputError> {
    check_links(chart, display, opts)?;
    let helm = Tool::Helm
        .locate(opts.helm.as_deref())
        .map_err(|e| render_error(display, format!("cannot render the Helm chart: {e}")))?;
    let mut args = vec!["template".to_string(), path_arg(chart)];
    for values in &opts.values {
        args.push("--values".into());
        args.push(values.to_string_lossy().into_owned());
    }
    for set in &opts.set {
        args.push("--set".into());
        args.push(set.clone());
    }
    for set in &opts.set_string {
        args.push("--set-string".into());
        args.push(set.clone());
    }
    if let Some(namespace) = &opts.namespace {
        args.push("--namespace".into());
        args.push(namespace.clone());
    }
    let output = match run(
        &helm,
        &args,
        None,
        Network::Denied,
        opts.timeout,
        opts.max_output,
    ) {
        Ok(output) => output,
        Err(e) if e.contains("library charts are not installable") => {
            return Ok(Rendered {
                notes: vec![format!(
                    "skipped the library chart {display} (it renders nothing on its own)"
                )],
                ..Rendered::default()
            });
        }
        Err(e) => {
            let redactor = redactor(chart, opts);
            let message = match missing_dependencies(&e) {
                Some(names) => format!(
                    "the chart's dependencies are not vendored: {} (listed in Chart.yaml, missing from charts/); run `helm dependency build {}` and scan again",
                    // Names written in Chart.yaml are shown as they are, even when a value
                    // happens to be the same text.
                    if declared(chart, names, opts.max_output) {
                        names.to_string()
                    } else {
                        redactor.redact(names)
                    },
                    path_arg(Path::new(display.trim_end_matches('/')))
                ),
                None => format!("`helm template` failed: {}", redactor.redact(&e)),
            };
            return Err(render_error(display, message));
        }
    };
    let files = if chart.is_dir() {
        ChartFiles::Dir {
            dir: chart.to_path_buf(),
            display: display.trim_end_matches('/').to_string(),
        }
    } else {
        let files = read_archive(chart, opts.max_output).map_err(|e| render_error(display, e))?;
        ChartFiles::Archive {
            files,
            display: display.to_string(),
        }
    };
    Ok(assemble(&output, display, &files, opts.max_output))
}

/// The dependencies `helm template` found missing from `charts/`, from its message ("found in
/// Chart.yaml, but missing in charts/ directory: a, b"): repositories keep `charts/` out of
/// version control, so this is the common failure of a valid chart, and its fix is known.
fn missing_dependencies(message: &str) -> Option<&str> {
    const MARKER: &str = "missing in charts/ directory:";
    let at = message.find(MARKER)?;
    let names = message[at + MARKER.len()..].trim();
    (!names.is_empty()).then_some(names)
}

/// Whether every name of the comma-separated `names` is a dependency (name or alias) in the
/// `Chart.yaml` of the chart directory.
fn declared(chart: &Path, names: &str, max: u64) -> bool {
    let Ok(text) = crate::read::read_regular(&chart.join("Chart.yaml"), max) else {
        return false;
    };
    let docs = parse_stream(&text, &Limits::default());
    let Some(Ok(doc)) = docs.first() else {
        return false;
    };
    let dependencies: Vec<&str> = doc
        .root()
        .and_then(|root| root.get("dependencies"))
        .filter(|d| d.is_seq())
        .map(|d| {
            d.items()
                .flat_map(|item| [item.get("name"), item.get("alias")])
                .flatten()
                .filter_map(|n| n.as_str())
                .collect()
        })
        .unwrap_or_default();
    names.split(',').all(|n| dependencies.contains(&n.trim()))
}

/// The files of a chart directory that are plain YAML, to scan on their own when the chart
/// does not render: everything under `crds/` (Helm installs those files as they are) and the
/// templates with no template action (`{{`), of the chart and of the subcharts vendored as
/// directories in its `charts/`. Links that lead outside the scanned directories are left
/// out, as in a walk; at most [`crate::links::MAX_ENTRIES`] entries are looked at.
pub(super) fn plain_files(
    chart: &Path,
    display: &str,
    links: &crate::links::LinkPolicy,
    max: u64,
) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut budget = crate::links::MAX_ENTRIES;
    let mut charts = vec![(
        chart.to_path_buf(),
        display.trim_end_matches('/').to_string(),
    )];
    while let Some((chart, display)) = charts.pop() {
        for sub in ["crds", "templates"] {
            let dir = (chart.join(sub), format!("{display}/{sub}"));
            let mut pending = vec![dir];
            while let Some((dir, shown)) = pending.pop() {
                for (path, shown, meta) in entries(&dir, &shown, links, &mut budget) {
                    if meta.is_dir() {
                        pending.push((path, shown));
                    } else if meta.is_file()
                        && crate::discover::has_manifest_extension(&path)
                        && (sub == "crds"
                            || crate::read::read_regular(&path, max)
                                .is_ok_and(|t| !t.contains("{{")))
                    {
                        found.push(Candidate {
                            path,
                            display: shown,
                            explicit: false,
                        });
                    }
                }
            }
        }
        let vendored = (chart.join("charts"), format!("{display}/charts"));
        for (path, shown, meta) in entries(&vendored.0, &vendored.1, links, &mut budget) {
            if meta.is_dir() && path.join("Chart.yaml").is_file() {
                charts.push((path, shown));
            }
        }
    }
    found.sort();
    found
}

/// The entries of `dir` (shown as `shown`) with their metadata, links followed where they
/// may lead, while `budget` lasts.
fn entries(
    dir: &Path,
    shown: &str,
    links: &crate::links::LinkPolicy,
    budget: &mut usize,
) -> Vec<(PathBuf, String, std::fs::Metadata)> {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in listing.flatten() {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let path = entry.path();
        let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
        if is_link && links.escape(&path, &[]).is_some() {
            continue;
        }
        if let Ok(meta) = std::fs::metadata(&path) {
            let shown = format!("{shown}/{}", entry.file_name().to_string_lossy());
            found.push((path, shown, meta));
        }
    }
    found
}

fn assemble(output: &str, display: &str, files: &ChartFiles, max: u64) -> Rendered {
    let mut archives = SubchartArchives::default();
    let mut units: Vec<RenderedUnit> = Vec::new();
    let mut templates: HashMap<String, Template> = HashMap::new();
    let mut sources = Vec::new();
    let mut unit_of: HashMap<String, usize> = HashMap::new();
    for (source, text) in sections(output) {
        let (path, template_text) = files.lookup(source, max, &mut archives);
        let template = templates.entry(path.clone()).or_insert_with(|| {
            if let Some(t) = &template_text {
                sources.push((path.clone(), Arc::from(t.as_str())));
            }
            Template {
                map: template_text.as_deref().map(TemplateMap::new),
                ordinals: HashMap::new(),
            }
        });
        let (kind, name) = head(text);
        let ordinal = template.ordinals.keys().filter(|(k, _)| *k == kind).count();
        template.ordinals.entry((kind, name)).or_insert(ordinal);
        match unit_of.get(&path) {
            Some(&i) => {
                units[i].text.push_str("\n---\n");
                units[i].text.push_str(text);
            }
            None => {
                unit_of.insert(path.clone(), units.len());
                units.push(RenderedUnit {
                    display: path,
                    text: text.to_string(),
                });
            }
        }
    }
    let map = HelmMap {
        chart: display.to_string(),
        templates,
    };
    Rendered {
        units,
        sources,
        notes: Vec::new(),
        map: Some(Arc::new(SourceMap::Helm(map))),
    }
}

impl HelmMap {
    pub(super) fn remap(&self, findings: &mut [&mut Finding]) {
        for f in findings.iter_mut() {
            let Some(template) = f
                .location
                .path()
                .and_then(|p| self.templates.get(p.as_str()))
            else {
                continue;
            };
            let Some(object) = f.subject.object() else {
                continue;
            };
            let name = object.name.as_deref().unwrap_or_default();
            let key = (object.kind.to_string(), name.to_string());
            let ordinal = template.ordinals.get(&key).copied().unwrap_or(0);
            let position = template
                .map
                .as_ref()
                .and_then(|m| m.locate(&object.kind, ordinal, &f.location.pointer));
            let mut origin = Origin {
                renderer: "helm",
                source: self.chart.clone(),
                exact: false,
                values: Vec::new(),
                also_in: Vec::new(),
            };
            if let Some(p) = position
                && let Some(l) = &mut f.location.span
            {
                (l.line, l.column, l.end_line, l.end_column, l.document) =
                    (p.line, p.column, p.line, p.end_column, 0);
                origin.exact = p.exact;
                origin.values = p.values;
            }
            f.origin = Some(Box::new(origin));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links::LinkPolicy;

    const OUTPUT: &str = "---\n# Source: web/templates/sa.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n    labels: {name: x}\n    name: \"a\"\n---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n";

    #[test]
    fn sections_and_heads() {
        let s = sections(OUTPUT);
        assert_eq!(s.len(), 3);
        assert_eq!(s[1].0, "web/templates/deploy.yaml");
        assert!(
            s[1].1
                .starts_with("# Source: web/templates/deploy.yaml\napiVersion")
        );
        assert_eq!(head(s[1].1), ("Deployment".into(), "a".into()));
        assert_eq!(head(s[2].1), ("Deployment".into(), "b".into()));
        assert!(sections("no markers").is_empty());
    }

    #[test]
    fn units_group_by_template_and_count_ordinals() {
        let files = ChartFiles::Archive {
            files: HashMap::from([(
                "web/templates/deploy.yaml".to_string(),
                "kind: Deployment\nmetadata:\n  name: a\n---\nkind: Deployment\nmetadata:\n  name: b\n".to_string(),
            )]),
            display: "web-1.0.0.tgz".into(),
        };
        let r = assemble(OUTPUT, "web-1.0.0.tgz", &files, 1 << 20);
        let displays: Vec<&str> = r.units.iter().map(|u| u.display.as_str()).collect();
        assert_eq!(
            displays,
            vec![
                "web-1.0.0.tgz!/web/templates/sa.yaml",
                "web-1.0.0.tgz!/web/templates/deploy.yaml"
            ]
        );
        assert_eq!(r.sources.len(), 1, "only templates with text are sources");
        let Some(SourceMap::Helm(map)) = r.map.as_deref() else {
            panic!("helm map");
        };
        let t = &map.templates["web-1.0.0.tgz!/web/templates/deploy.yaml"];
        assert_eq!(t.ordinals[&("Deployment".to_string(), "b".to_string())], 1);
        let p = t
            .map
            .as_ref()
            .unwrap()
            .locate("Deployment", 1, "/metadata/name")
            .unwrap();
        assert_eq!(p.line, 7);
    }

    #[test]
    fn source_markers_cannot_leave_the_chart() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("leak.yaml"), "secret: x\n").unwrap();
        let chart = outside.path().join("web");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        let files = ChartFiles::Dir {
            dir: chart,
            display: "web".into(),
        };
        let (shown, text) = files.lookup(
            "web/../leak.yaml",
            1 << 20,
            &mut SubchartArchives::default(),
        );
        assert!(text.is_none(), "{shown}");
        assert!(!shown.contains(".."), "{shown}");
        assert!(inside("templates/x.yaml") && !inside("/etc/passwd") && !inside("a/../../b"));
    }

    #[test]
    fn plain_files_of_a_chart_are_its_crds_and_templates_without_actions() {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("web");
        for (path, text) in [
            (
                "Chart.yaml",
                "apiVersion: v2\nname: web\ndependencies:\n  - name: common\n  - name: db\n    alias: pg\n",
            ),
            ("values.yaml", "a: 1\n"),
            ("crds/crd.yaml", "kind: CustomResourceDefinition\n"),
            ("templates/plain.yaml", "kind: ConfigMap\n"),
            ("templates/sub/plain.json", "{}\n"),
            ("templates/deploy.yaml", "kind: {{ .Values.kind }}\n"),
            ("templates/NOTES.txt", "hello\n"),
            ("charts/crds/Chart.yaml", "apiVersion: v2\nname: crds\n"),
            (
                "charts/crds/crds/x.yaml",
                "kind: CustomResourceDefinition\n",
            ),
            ("charts/not-a-chart/crds/y.yaml", "kind: X\n"),
        ] {
            let p = chart.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let found = plain_files(&chart, "apps/web/", &LinkPolicy::Follow, 1 << 20);
        let shown: Vec<&str> = found.iter().map(|c| c.display.as_str()).collect();
        assert_eq!(
            shown,
            vec![
                "apps/web/charts/crds/crds/x.yaml",
                "apps/web/crds/crd.yaml",
                "apps/web/templates/plain.yaml",
                "apps/web/templates/sub/plain.json",
            ]
        );
        assert!(found.iter().all(|c| !c.explicit && c.path.is_file()));
        assert!(declared(&chart, "common, pg", 1 << 20));
        assert!(!declared(&chart, "common, secret", 1 << 20));
        assert_eq!(
            missing_dependencies("x: found in Chart.yaml, but missing in charts/ directory: a, b"),
            Some("a, b")
        );
        assert_eq!(missing_dependencies("template: x failed"), None);
    }

    #[test]
    fn archives_are_recognised_by_name() {
        assert!(is_chart_archive(Path::new("x/web-1.2.3.tgz")));
        assert!(is_chart_archive(Path::new("web.tar.gz")));
        assert!(!is_chart_archive(Path::new("web.yaml")));
    }
}
