//! Paths relative to the project, whatever the working directory.
//!
//! Findings carry paths as the user wrote them (`deploy/a.yaml`, `../deploy/a.yaml`,
//! `/repo/deploy/a.yaml`): that is what a reader wants to see. What must not change with the
//! working directory is everything that matches paths written down once: baseline
//! fingerprints, `[per-path-ignores]`, waiver `path`s and `exclude` globs. They all use the
//! path relative to one *anchor* directory: the directory of the `palisade.toml` in use, or the
//! scan root when there is none. [`ProjectPaths`] turns a displayed path into that form with
//! plain path arithmetic; the caller that builds it (the binary, through `palisade_inputs`)
//! resolves symbolic links once, for the anchor, the working directory and the scanned roots.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

/// Where project-relative paths start, and how displayed paths reach it.
///
/// The default value knows no anchor: [`ProjectPaths::key`] is then the displayed path
/// without a leading `./`, as it was before paths were anchored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectPaths {
    /// The anchor directory: absolute, symbolic links resolved.
    anchor: Option<PathBuf>,
    /// The working directory: absolute, symbolic links resolved.
    cwd: PathBuf,
    /// Scanned roots reached through symbolic links: the path as written (absolute, lexically
    /// normalised) and where it really is.
    aliases: Vec<(PathBuf, PathBuf)>,
    /// The scanned roots (absolute, real): what the scan covered.
    roots: Vec<PathBuf>,
}

impl ProjectPaths {
    /// Paths anchored at `anchor`, displayed paths being relative to `cwd`. Both must be
    /// absolute with symbolic links resolved.
    pub fn new(anchor: PathBuf, cwd: PathBuf) -> ProjectPaths {
        ProjectPaths {
            anchor: Some(anchor),
            cwd,
            aliases: Vec::new(),
            roots: Vec::new(),
        }
    }

    /// Record a scanned root: `written` is the path as displayed, `real` where it is (absolute,
    /// symbolic links resolved).
    pub fn add_root(&mut self, written: &Path, real: PathBuf) {
        let lexical = normalize(&self.cwd.join(written));
        if lexical != real && !self.aliases.iter().any(|(from, _)| *from == lexical) {
            self.aliases.push((lexical, real.clone()));
            // Longest first, so that nested roots map through the closest alias.
            self.aliases
                .sort_by_key(|(from, _)| std::cmp::Reverse(from.components().count()));
        }
        if !self.roots.contains(&real) {
            self.roots.push(real);
        }
    }

    /// The anchor directory, when known.
    pub fn anchor(&self) -> Option<&Path> {
        self.anchor.as_deref()
    }

    /// Where a displayed path really is: absolute, `.` and `..` resolved, scanned roots
    /// reached through symbolic links replaced by their targets. `None` for standard input
    /// (`-`) and when no anchor is known.
    pub fn absolute(&self, display: &str) -> Option<PathBuf> {
        if display == "-" || self.anchor.is_none() {
            return None;
        }
        let lexical = normalize(&self.cwd.join(display));
        for (from, to) in &self.aliases {
            if let Ok(rest) = lexical.strip_prefix(from) {
                return Some(to.join(rest));
            }
        }
        Some(lexical)
    }

    /// The path relative to the anchor, `/`-separated (empty for the anchor itself); `None`
    /// for standard input, for paths outside the anchor and when no anchor is known.
    pub fn relative(&self, display: &str) -> Option<String> {
        let absolute = self.absolute(display)?;
        let rest = absolute.strip_prefix(self.anchor.as_deref()?).ok()?;
        Some(slashed(rest))
    }

    /// The path that globs and fingerprints use: relative to the anchor when inside it, else
    /// absolute; `-` for standard input. Without an anchor, the displayed path without a
    /// leading `./`.
    pub fn key<'a>(&self, display: &'a str) -> Cow<'a, str> {
        if display == "-" {
            return Cow::Borrowed(display);
        }
        match (self.relative(display), self.absolute(display)) {
            (Some(relative), _) => Cow::Owned(relative),
            (None, Some(absolute)) => Cow::Owned(slashed(&absolute)),
            (None, None) => Cow::Borrowed(display.trim_start_matches("./")),
        }
    }

    /// Whether the scan read everything under `path`: a path relative to the anchor (or
    /// absolute) that lies at or below a scanned root. Always true when no anchor is known.
    pub fn covers(&self, path: &str) -> bool {
        let Some(anchor) = &self.anchor else {
            return true;
        };
        let target = normalize(&anchor.join(path));
        self.roots.iter().any(|root| target.starts_with(root))
    }
}

/// `a/./b/../c` -> `a/c`, without touching the file system. `..` above the root stays at
/// the root.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() && !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A path with `/` between its components, whatever the platform.
fn slashed(path: &Path) -> String {
    let parts: Vec<Cow<'_, str>> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy()),
            Component::ParentDir => Some(Cow::Borrowed("..")),
            Component::Prefix(p) => Some(p.as_os_str().to_string_lossy()),
            Component::RootDir | Component::CurDir => None,
        })
        .collect();
    let joined = parts.join("/");
    if path.has_root() && !cfg!(windows) {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> ProjectPaths {
        ProjectPaths::new(PathBuf::from("/repo"), PathBuf::from("/repo/deploy"))
    }

    #[test]
    fn keys_do_not_depend_on_how_the_path_was_written() {
        let p = paths();
        for display in [
            "app/a.yaml",
            "./app/a.yaml",
            "../deploy/app/a.yaml",
            "/repo/deploy/app/a.yaml",
            "/repo/deploy/./x/../app/a.yaml",
        ] {
            assert_eq!(p.key(display), "deploy/app/a.yaml", "{display}");
        }
        assert_eq!(p.key("-"), "-");
        assert_eq!(p.key("/elsewhere/b.yaml"), "/elsewhere/b.yaml");
        assert_eq!(p.relative("/elsewhere/b.yaml"), None);
        assert_eq!(p.relative(".."), Some(String::new()));
        // No anchor: the path as written, without `./`.
        let none = ProjectPaths::default();
        assert_eq!(none.key("./app/a.yaml"), "app/a.yaml");
        assert_eq!(none.absolute("app/a.yaml"), None);
    }

    #[test]
    fn roots_reached_through_links_map_to_their_targets() {
        let mut p = ProjectPaths::new(PathBuf::from("/repo"), PathBuf::from("/home/me"));
        p.add_root(Path::new("link/deploy"), PathBuf::from("/repo/deploy"));
        assert_eq!(p.key("link/deploy/a.yaml"), "deploy/a.yaml");
        assert_eq!(p.key("/home/me/link/deploy/a.yaml"), "deploy/a.yaml");
    }

    #[test]
    fn coverage_is_what_lies_under_a_scanned_root() {
        let mut p = paths();
        p.add_root(Path::new("."), PathBuf::from("/repo/deploy"));
        assert!(p.covers("deploy"));
        assert!(p.covers("deploy/app/x.yaml"));
        assert!(!p.covers("legacy"));
        assert!(!p.covers(""), "the whole project was not scanned");
        p.add_root(Path::new(".."), PathBuf::from("/repo"));
        assert!(p.covers("") && p.covers("legacy"));
        assert!(ProjectPaths::default().covers("anything"));
    }

    #[test]
    fn normalizing_is_lexical() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("../a")), PathBuf::from("../a"));
    }
}
