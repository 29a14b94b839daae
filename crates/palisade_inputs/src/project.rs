//! The anchor of a scan's project-relative paths, and the `exclude` globs matched against them.
//!
//! Baselines, per-path ignores, waivers and excludes are written once, in `palisade.toml` or a
//! baseline file, and must match the same files whether Palisade runs from the repository
//! root, a subdirectory or `/` with absolute paths. They are all matched against the path
//! relative to one anchor: the directory of the `palisade.toml` in use, or the scan root when
//! there is none (see [`ProjectPaths`]). This module resolves the symbolic links that
//! arithmetic needs, once per scan.

use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use palisade_diagnostics::ProjectPaths;
use palisade_diagnostics::project::normalize;

/// Where a path really is: absolute, with the symbolic links of its directory resolved (a
/// link named as a file stays that link: its name is what the user sees). A path that does
/// not exist is made absolute lexically.
pub fn real_path(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    if path.is_dir()
        && let Ok(real) = std::fs::canonicalize(path)
    {
        return real;
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(parent), path.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => normalize(&cwd.join(path)),
    }
}

/// The project paths of a scan of `roots` (`-` is standard input): anchored at `anchor` (the
/// directory of the `palisade.toml` in use) or, without one, at the scan root: the directory
/// scanned, the directory of the file scanned, or the deepest directory holding every root
/// (the working directory when only standard input is read).
pub fn project_paths(anchor: Option<&Path>, roots: &[PathBuf]) -> ProjectPaths {
    let cwd = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .unwrap_or_default();
    let real: Vec<(&PathBuf, PathBuf)> = roots
        .iter()
        .filter(|r| r.as_os_str() != "-")
        .map(|r| (r, real_path(r)))
        .collect();
    let anchor = match anchor {
        Some(dir) => real_path(dir),
        None => scan_root(&real, &cwd),
    };
    let mut project = ProjectPaths::new(anchor, cwd);
    for (written, real) in real {
        project.add_root(written, real);
    }
    project
}

/// The deepest directory holding every root.
fn scan_root(roots: &[(&PathBuf, PathBuf)], cwd: &Path) -> PathBuf {
    let dirs = roots.iter().map(|(_, real)| {
        if real.is_dir() {
            real.clone()
        } else {
            real.parent()
                .map_or_else(|| real.clone(), Path::to_path_buf)
        }
    });
    dirs.reduce(|common, dir| {
        common
            .ancestors()
            .find(|a| dir.starts_with(a))
            .map_or_else(PathBuf::new, Path::to_path_buf)
    })
    .unwrap_or_else(|| cwd.to_path_buf())
}

/// `exclude` globs (gitignore syntax) anchored at the project: `vendor` leaves out every file
/// or directory of that name, `deploy/legacy/**` only that directory's content under the
/// anchor. Paths outside the anchor are matched relative to the directory walked.
#[derive(Debug, Clone)]
pub struct Excludes {
    matcher: Gitignore,
    anchor: Option<PathBuf>,
}

impl Excludes {
    /// Compile the globs; each invalid one is returned with its error.
    pub fn new(globs: &[String], project: &ProjectPaths) -> (Excludes, Vec<(String, String)>) {
        let anchor = project.anchor().map(Path::to_path_buf);
        let mut builder = GitignoreBuilder::new(anchor.as_deref().unwrap_or(Path::new("/")));
        let mut errors = Vec::new();
        for glob in globs {
            if let Err(e) = builder.add_line(None, glob) {
                errors.push((glob.clone(), e.to_string()));
            }
        }
        let matcher = builder.build().unwrap_or_else(|e| {
            errors.push((globs.join(", "), e.to_string()));
            Gitignore::empty()
        });
        (Excludes { matcher, anchor }, errors)
    }

    /// No glob at all.
    pub fn is_empty(&self) -> bool {
        self.matcher.is_empty()
    }

    /// Whether the file or directory at `real` (a [`real_path`]), met while walking
    /// `walk_root` (also real), is left out. With `parents`, a match of any directory above it
    /// counts too (for paths named on the command line, which no walk reached).
    pub fn excluded(&self, real: &Path, walk_root: &Path, is_dir: bool, parents: bool) -> bool {
        if self.is_empty() {
            return false;
        }
        let relative = self
            .anchor
            .as_deref()
            .and_then(|a| real.strip_prefix(a).ok())
            .or_else(|| real.strip_prefix(walk_root).ok());
        let Some(relative) = relative.filter(|r| !r.as_os_str().is_empty()) else {
            return false;
        };
        let matched = if parents {
            self.matcher.matched_path_or_any_parents(relative, is_dir)
        } else {
            self.matcher.matched(relative, is_dir)
        };
        matched.is_ignore()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn the_scan_root_anchors_paths_without_a_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let top = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(top.join("a/b")).unwrap();
        fs::create_dir_all(top.join("a/c")).unwrap();
        fs::write(top.join("a/b/x.yaml"), "").unwrap();
        let p = project_paths(None, &[top.join("a/b")]);
        assert_eq!(p.anchor(), Some(top.join("a/b").as_path()));
        let p = project_paths(None, &[top.join("a/b/x.yaml")]);
        assert_eq!(p.anchor(), Some(top.join("a/b").as_path()));
        let p = project_paths(None, &[top.join("a/b/x.yaml"), top.join("a/c")]);
        assert_eq!(p.anchor(), Some(top.join("a").as_path()));
        assert_eq!(p.key(&top.join("a/b/x.yaml").to_string_lossy()), "b/x.yaml");
        let p = project_paths(Some(&top), &[top.join("a/b")]);
        assert_eq!(
            p.key(&top.join("a/b/x.yaml").to_string_lossy()),
            "a/b/x.yaml"
        );
        assert!(p.covers("a/b/y") && !p.covers("a/c"));
    }

    #[cfg(unix)]
    #[test]
    fn roots_named_through_a_link_are_anchored_where_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let top = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(top.join("repo/deploy")).unwrap();
        std::os::unix::fs::symlink(top.join("repo"), top.join("link")).unwrap();
        let p = project_paths(Some(&top.join("repo")), &[top.join("link/deploy")]);
        let display = top.join("link/deploy/a.yaml");
        assert_eq!(p.key(&display.to_string_lossy()), "deploy/a.yaml");
    }

    #[test]
    fn excludes_match_relative_to_the_anchor() {
        let project = ProjectPaths::new(PathBuf::from("/repo"), PathBuf::from("/repo/deploy"));
        let globs = ["vendor".to_string(), "deploy/legacy/**".to_string()];
        let (ex, errors) = Excludes::new(&globs, &project);
        assert!(errors.is_empty());
        let root = Path::new("/repo/deploy");
        let at = |p: &str, parents| ex.excluded(Path::new(p), root, false, parents);
        assert!(at("/repo/deploy/legacy/a.yaml", false));
        assert!(!at("/repo/legacy/a.yaml", false));
        assert!(at("/repo/x/vendor", false));
        assert!(
            !at("/repo/deploy/vendor/a.yaml", false),
            "the walk prunes vendor/"
        );
        assert!(at("/repo/deploy/vendor/a.yaml", true));
        // Outside the anchor: relative to the directory walked.
        let outside = Path::new("/tmp/other");
        assert!(ex.excluded(
            Path::new("/tmp/other/deploy/legacy/a.yaml"),
            outside,
            false,
            false
        ));
        let (_, errors) = Excludes::new(&["a/{b".to_string()], &project);
        assert_eq!(errors.len(), 1);
    }
}
