//! Walking the paths given on the command line.
//!
//! A walk reads regular files only: a named pipe called `x.yaml` would block the scan forever
//! and a device would never end, so they are skipped with a note. Symbolic links are followed
//! only when they resolve inside a directory named on the command line (see [`LinkPolicy`]);
//! the others are skipped with a note that names the link and its target, never its content.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;
use palisade_diagnostics::{InputError, ProjectPaths};

use crate::links::LinkPolicy;
use crate::project::{Excludes, real_path};
use crate::read::file_kind;

/// How to walk.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    /// Glob patterns of files and directories to leave out (gitignore syntax), relative to the
    /// anchor of `project` (else to each directory walked).
    pub excludes: Vec<String>,
    /// Leave out paths named on the command line that match `excludes` too (`--force-exclude`,
    /// for hooks that pass every changed file).
    pub force_exclude: bool,
    /// The project the paths belong to: where `excludes` are anchored.
    pub project: ProjectPaths,
    /// Files a walk never reads, as [`crate::real_path`]s: Palisade's own outputs (the report
    /// and baseline files), which may be written inside the scanned tree.
    pub skip: Vec<PathBuf>,
    /// Read `.gitignore`, `.ignore` and `.git/info/exclude` files.
    pub respect_ignore_files: bool,
    /// Report Helm charts and kustomizations for rendering (else chart templates are skipped
    /// and kustomization files are scanned as plain files).
    pub render: bool,
    /// Follow symbolic links wherever they lead (else only into the directories walked).
    pub follow_symlinks: bool,
}

/// A file to scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// Where to read it from.
    pub path: PathBuf,
    /// How to print it (the path as the user wrote it, joined with what the walk found).
    pub display: String,
    /// Named on the command line (scanned whatever its extension).
    pub explicit: bool,
}

/// What a walk found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to scan, sorted.
    pub files: Vec<Candidate>,
    /// Helm templates skipped during the walk (display paths), when not rendering.
    pub templates: Vec<String>,
    /// Helm chart directories and archives to render.
    pub charts: Vec<Candidate>,
    /// Directories with a kustomization to build.
    pub kustomizations: Vec<Candidate>,
    /// Paths that could not be walked.
    pub errors: Vec<InputError>,
    /// What was left out and why (special files, links leading outside).
    pub notes: Vec<String>,
    /// Where the symbolic links of this scan may lead (for the renderers, which read charts
    /// and kustomizations themselves).
    pub links: LinkPolicy,
}

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

pub(crate) fn has_manifest_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Whether a file sits under the `templates/` directory of a Helm chart (a directory with a
/// `Chart.yaml`), where files are Go templates rather than YAML.
pub fn is_helm_template(path: &Path) -> bool {
    path.ancestors().skip(1).any(|dir| {
        dir.file_name().is_some_and(|n| n == "templates")
            && dir
                .parent()
                .is_some_and(|chart| chart.join("Chart.yaml").is_file())
    })
}

fn error(path: &str, message: impl Into<String>) -> InputError {
    InputError {
        path: path.to_string(),
        line: None,
        column: None,
        message: message.into(),
    }
}

/// Expand the paths given on the command line into the files to scan. `-` (stdin) is not
/// handled here.
pub fn discover(paths: &[PathBuf], options: &DiscoverOptions) -> Discovery {
    let mut found = Discovery {
        links: if options.follow_symlinks {
            LinkPolicy::Follow
        } else {
            LinkPolicy::within(paths.iter().filter(|p| p.is_dir()).map(PathBuf::as_path))
        },
        ..Discovery::default()
    };
    let (excludes, invalid) = Excludes::new(&options.excludes, &options.project);
    for (glob, e) in invalid {
        found
            .errors
            .push(error(&glob, format!("invalid exclude glob: {e}")));
    }
    for root in paths {
        let display_root = root.to_string_lossy().to_string();
        match std::fs::symlink_metadata(root) {
            Err(e) => {
                found
                    .errors
                    .push(error(&display_root, format!("cannot read: {e}")));
                continue;
            }
            Ok(meta) if meta.file_type().is_symlink() && std::fs::metadata(root).is_err() => {
                found
                    .errors
                    .push(error(&display_root, "broken symbolic link"));
                continue;
            }
            Ok(_) => {}
        }
        let real_root = real_path(root);
        // Outside the anchor, a named path is matched relative to its directory.
        let parent = real_root.parent().unwrap_or(&real_root);
        if options.force_exclude && excludes.excluded(&real_root, parent, root.is_dir(), true) {
            continue;
        }
        let candidate = Candidate {
            path: root.clone(),
            display: display_root,
            explicit: true,
        };
        if !root.is_dir() {
            // A named pipe called `x.tgz` is read as a stream, never handed to helm.
            if options.render && root.is_file() && crate::render::is_chart_archive(root) {
                found.charts.push(candidate);
            } else {
                found.files.push(candidate);
            }
            continue;
        }
        if options.render && is_chart_dir(root) {
            found.charts.push(candidate);
            continue;
        }
        walk_dir(root, &real_root, &excludes, options, &mut found);
    }
    for list in [
        &mut found.files,
        &mut found.charts,
        &mut found.kustomizations,
    ] {
        list.sort();
        list.dedup_by(|a, b| a.path == b.path);
    }
    found.templates.sort();
    found.notes.sort();
    found.notes.dedup();
    found
}

fn is_chart_dir(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// Whether a walk would read a file of this name (so that leaving it out deserves a note).
fn would_read(path: &Path, render: bool) -> bool {
    has_manifest_extension(path)
        || (render
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| crate::render::KUSTOMIZATION_FILES.contains(&n)))
}

fn walk_dir(
    root: &Path,
    real_root: &Path,
    excludes: &Excludes,
    options: &DiscoverOptions,
    found: &mut Discovery,
) {
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(false)
        .follow_links(true)
        .git_ignore(options.respect_ignore_files)
        .git_exclude(options.respect_ignore_files)
        .ignore(options.respect_ignore_files)
        .git_global(false)
        .require_git(false)
        .parents(options.respect_ignore_files);
    // Chart directories are rendered whole: their files are not walked. Links that lead
    // outside are neither listed nor descended into.
    let charts = Arc::new(Mutex::new(Vec::new()));
    let skipped = Arc::new(Mutex::new(Vec::new()));
    // Where an entry really is, from where the root really is: what excludes and skipped
    // outputs are compared with.
    let real_of = {
        let (root, real_root) = (root.to_path_buf(), real_root.to_path_buf());
        move |path: &Path| match path.strip_prefix(&root) {
            Ok(rest) => real_root.join(rest),
            Err(_) => path.to_path_buf(),
        }
    };
    {
        let (charts, skipped) = (Arc::clone(&charts), Arc::clone(&skipped));
        let links = found.links.clone();
        let render = options.render;
        let excludes = excludes.clone();
        let real_root = real_root.to_path_buf();
        let real_of = real_of.clone();
        builder.filter_entry(move |e| {
            if e.file_name() == ".git" {
                return false;
            }
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if !excludes.is_empty()
                && excludes.excluded(&real_of(e.path()), &real_root, is_dir, false)
            {
                return false;
            }
            if e.path_is_symlink()
                && let Some(escape) = links.escape(e.path(), &[])
            {
                if (is_dir || would_read(e.path(), render))
                    && let Ok(mut skipped) = skipped.lock()
                {
                    skipped.push(format!("skipped {escape} (follow-symlinks reads it)"));
                }
                return false;
            }
            let chart = render && is_dir && is_chart_dir(e.path());
            if chart && let Ok(mut charts) = charts.lock() {
                charts.push(e.path().to_path_buf());
            }
            !chart
        });
    }
    for entry in walk_parallel(&builder) {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                let path =
                    walk_error_path(&err).unwrap_or_else(|| root.to_string_lossy().to_string());
                let message = if err
                    .io_error()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound)
                {
                    "broken symbolic link".to_string()
                } else {
                    format!("cannot read: {err}")
                };
                found.errors.push(error(&path, message));
                continue;
            }
        };
        let path = entry.path();
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            // Opening a named pipe blocks until something writes to it; a device may never
            // end. Only regular files are read in a walk.
            if would_read(path, options.render) {
                found.notes.push(format!(
                    "skipped {}: {}, not a regular file",
                    path.display(),
                    file_kind(&kind)
                ));
            }
            continue;
        }
        if options.render
            && let Some(name) = path.file_name().and_then(|n| n.to_str())
            && crate::render::KUSTOMIZATION_FILES.contains(&name)
            && let Some(dir) = path.parent()
        {
            found.kustomizations.push(Candidate {
                path: dir.to_path_buf(),
                display: dir.to_string_lossy().to_string(),
                explicit: false,
            });
            continue;
        }
        if !has_manifest_extension(path) {
            continue;
        }
        if !options.skip.is_empty() && options.skip.contains(&real_of(path)) {
            continue;
        }
        let display = path.to_string_lossy().to_string();
        if is_helm_template(path) {
            found.templates.push(display);
            continue;
        }
        found.files.push(Candidate {
            path: path.to_path_buf(),
            display,
            explicit: false,
        });
    }
    take_charts(&charts, found);
    if let Ok(mut skipped) = skipped.lock() {
        found.notes.append(&mut skipped);
    }
}

/// Every entry of a walk, read on every core (the walk is mostly system calls: directory
/// reads and looks for ignore files), in path order so that what follows does not depend on
/// which thread read what.
fn walk_parallel(builder: &WalkBuilder) -> Vec<Result<ignore::DirEntry, ignore::Error>> {
    let entries = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let entries = &entries;
        Box::new(move |entry| {
            if let Ok(mut entries) = entries.lock() {
                entries.push(entry);
            }
            ignore::WalkState::Continue
        })
    });
    let mut entries = entries.into_inner().unwrap_or_default();
    entries.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => a.path().cmp(b.path()),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(a), Err(b)) => a.to_string().cmp(&b.to_string()),
    });
    entries
}

fn take_charts(charts: &Mutex<Vec<PathBuf>>, found: &mut Discovery) {
    if let Ok(mut charts) = charts.lock() {
        found.charts.extend(charts.drain(..).map(|path| Candidate {
            display: path.to_string_lossy().to_string(),
            path,
            explicit: false,
        }));
    }
}

fn walk_error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.to_string_lossy().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.to_string_lossy().to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn names(d: &Discovery, root: &Path) -> Vec<String> {
        relative(&d.files, root)
    }

    fn relative(candidates: &[Candidate], root: &Path) -> Vec<String> {
        candidates
            .iter()
            .map(|c| {
                c.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect()
    }

    /// A temporary directory holding these files.
    fn tree(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for f in files {
            let p = dir.path().join(f);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "a: 1\n").unwrap();
        }
        dir
    }

    #[test]
    fn walks_manifests_respecting_gitignore_and_excludes() {
        let dir = tree(&[
            "a.yaml",
            "b.YML",
            "c.json",
            "d.txt",
            "sub/e.yaml",
            "ignored/f.yaml",
            "skip/g.yaml",
            ".hidden/h.yaml",
        ]);
        let root = dir.path();
        fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        let opts = DiscoverOptions {
            excludes: vec!["skip/**".into()],
            respect_ignore_files: true,
            render: false,
            follow_symlinks: false,
            ..DiscoverOptions::default()
        };
        let d = discover(&[root.to_path_buf()], &opts);
        assert_eq!(
            names(&d, root),
            vec![".hidden/h.yaml", "a.yaml", "b.YML", "c.json", "sub/e.yaml"]
        );
        let all = discover(&[root.to_path_buf()], &DiscoverOptions::default());
        assert!(names(&all, root).contains(&"ignored/f.yaml".to_string()));
    }

    #[test]
    fn excludes_are_anchored_at_the_project_and_skip_own_outputs() {
        let dir = tree(&[
            "deploy/app/a.yaml",
            "deploy/legacy/b.yaml",
            "legacy/c.yaml",
            "deploy/report.json",
        ]);
        let top = fs::canonicalize(dir.path()).unwrap();
        let opts = DiscoverOptions {
            excludes: vec!["deploy/legacy/**".into()],
            project: crate::project_paths(Some(&top), &[top.join("deploy")]),
            skip: vec![top.join("deploy/report.json")],
            ..DiscoverOptions::default()
        };
        // Walking deploy/ (not the anchor), the glob still names deploy/legacy.
        let deploy = top.join("deploy");
        let d = discover(std::slice::from_ref(&deploy), &opts);
        assert_eq!(names(&d, &deploy), vec!["app/a.yaml"]);
        // Named on the command line, an excluded file is read unless --force-exclude.
        let named = [top.join("deploy/legacy/b.yaml"), top.join("legacy/c.yaml")];
        let d = discover(&named, &opts);
        assert_eq!(
            names(&d, &top),
            vec!["deploy/legacy/b.yaml", "legacy/c.yaml"]
        );
        let forced = DiscoverOptions {
            force_exclude: true,
            ..opts.clone()
        };
        let d = discover(&named, &forced);
        assert_eq!(names(&d, &top), vec!["legacy/c.yaml"]);
        // An invalid glob is an error that names it.
        let bad = DiscoverOptions {
            excludes: vec!["a/{b".into()],
            ..opts
        };
        let d = discover(std::slice::from_ref(&deploy), &bad);
        assert_eq!(d.errors.len(), 1);
        assert_eq!(d.errors[0].path, "a/{b");
    }

    #[test]
    fn helm_templates_are_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("chart/templates/sub")).unwrap();
        fs::write(root.join("chart/Chart.yaml"), "apiVersion: v2\nname: c\n").unwrap();
        fs::write(root.join("chart/templates/deploy.yaml"), "{{ .Values }}").unwrap();
        fs::write(root.join("chart/templates/sub/x.yaml"), "{{ .Values }}").unwrap();
        fs::create_dir_all(root.join("plain/templates")).unwrap();
        fs::write(root.join("plain/templates/x.yaml"), "a: 1").unwrap();
        let d = discover(&[root.to_path_buf()], &DiscoverOptions::default());
        assert_eq!(d.templates.len(), 2);
        assert_eq!(
            names(&d, root),
            vec!["chart/Chart.yaml", "plain/templates/x.yaml"]
        );
    }

    #[test]
    fn charts_and_kustomizations_are_reported_for_rendering() {
        let dir = tree(&[
            "apps/web/Chart.yaml",
            "apps/web/values.yaml",
            "apps/web/templates/d.yaml",
            "apps/web/charts/sub/Chart.yaml",
            "k/base/kustomization.yaml",
            "k/base/d.yaml",
            "k/prod/Kustomization",
            "plain.yaml",
            "pkg/web-1.0.0.tgz",
        ]);
        let root = dir.path();
        let opts = DiscoverOptions {
            render: true,
            ..DiscoverOptions::default()
        };
        let d = discover(&[root.to_path_buf()], &opts);
        let rel = |c: &Vec<Candidate>| relative(c, root);
        assert_eq!(
            rel(&d.charts),
            vec!["apps/web"],
            "subcharts render with their parent"
        );
        assert_eq!(rel(&d.kustomizations), vec!["k/base", "k/prod"]);
        assert_eq!(names(&d, root), vec!["k/base/d.yaml", "plain.yaml"]);
        assert!(d.templates.is_empty());
        // Named on the command line: a chart directory or a packaged chart.
        let d = discover(
            &[root.join("apps/web"), root.join("pkg/web-1.0.0.tgz")],
            &opts,
        );
        assert_eq!(rel(&d.charts), vec!["apps/web", "pkg/web-1.0.0.tgz"]);
        assert!(d.files.is_empty());
    }

    #[test]
    fn missing_paths_and_broken_links_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let d = discover(&[root.join("nope.yaml")], &DiscoverOptions::default());
        assert_eq!(d.errors.len(), 1);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("gone.yaml"), root.join("link.yaml")).unwrap();
            let d = discover(&[root.join("link.yaml")], &DiscoverOptions::default());
            assert_eq!(d.errors[0].message, "broken symbolic link");
            let d = discover(&[root.to_path_buf()], &DiscoverOptions::default());
            assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
            assert!(d.errors[0].path.ends_with("link.yaml"), "{:?}", d.errors);
        }
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_skipped_in_walks_with_a_note() {
        let dir = tree(&["a.yaml"]);
        let root = dir.path();
        let status = std::process::Command::new("mkfifo")
            .arg(root.join("pipe.yaml"))
            .arg(root.join("pipe.txt"))
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
        let d = discover(&[root.to_path_buf()], &DiscoverOptions::default());
        assert_eq!(names(&d, root), vec!["a.yaml"]);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(
            d.notes.len(),
            1,
            "only files a walk would read: {:?}",
            d.notes
        );
        assert!(
            d.notes[0].ends_with("pipe.yaml: a named pipe (FIFO), not a regular file"),
            "{:?}",
            d.notes
        );
        // Named on the command line, it is the user's choice (read as a stream).
        let d = discover(&[root.join("pipe.yaml")], &DiscoverOptions::default());
        assert_eq!(d.files.len(), 1);
        assert!(d.files[0].explicit);
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_scanned_tree_are_skipped_with_a_note() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        let root = top.join("repo");
        fs::create_dir_all(root.join("base")).unwrap();
        fs::create_dir_all(top.join("elsewhere")).unwrap();
        fs::write(top.join("secret.yaml"), "a: 1\n").unwrap();
        fs::write(top.join("elsewhere/x.yaml"), "a: 1\n").unwrap();
        fs::write(root.join("base/d.yaml"), "a: 1\n").unwrap();
        symlink(top.join("secret.yaml"), root.join("leak.yaml")).unwrap();
        symlink("../elsewhere", root.join("dir")).unwrap();
        symlink("base/d.yaml", root.join("alias.yaml")).unwrap();
        symlink("base", root.join("same")).unwrap();
        symlink(top.join("secret.yaml"), root.join("notes.txt")).unwrap();
        let d = discover(std::slice::from_ref(&root), &DiscoverOptions::default());
        assert_eq!(
            names(&d, &root),
            vec!["alias.yaml", "base/d.yaml", "same/d.yaml"],
            "links inside the tree are read"
        );
        assert_eq!(d.notes.len(), 2, "{:?}", d.notes);
        let secret = fs::canonicalize(top.join("secret.yaml")).unwrap();
        assert_eq!(
            d.notes[1],
            format!(
                "skipped {}: a symbolic link to {}, outside the scanned directories (follow-symlinks reads it)",
                root.join("leak.yaml").display(),
                secret.display()
            )
        );
        assert!(
            d.notes[0].contains("/dir: a symbolic link to"),
            "{:?}",
            d.notes
        );
        // A link named on the command line is the user's choice; --follow-symlinks reads all.
        let d = discover(&[root.join("leak.yaml")], &DiscoverOptions::default());
        assert_eq!(d.files.len(), 1);
        let follow = DiscoverOptions {
            follow_symlinks: true,
            ..DiscoverOptions::default()
        };
        let d = discover(std::slice::from_ref(&root), &follow);
        assert_eq!(
            names(&d, &root),
            vec![
                "alias.yaml",
                "base/d.yaml",
                "dir/x.yaml",
                "leak.yaml",
                "same/d.yaml"
            ]
        );
        assert!(d.notes.is_empty(), "{:?}", d.notes);
        // The renderers get the same boundary.
        let d = discover(std::slice::from_ref(&root), &DiscoverOptions::default());
        assert_eq!(d.links, LinkPolicy::within([root.as_path()]));
        assert!(d.links.escape(&root.join("leak.yaml"), &[]).is_some());
    }
}
