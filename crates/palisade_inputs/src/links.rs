//! Where symbolic links may lead.
//!
//! A repository under scan is untrusted input. A link in it to `/etc/passwd` or to the CI
//! machine's kubeconfig must not make Palisade read that file and print it in a snippet or an
//! error, nor make `helm` read it into a rendered chart. By default a link is followed only
//! when it resolves inside one of the directories named on the command line;
//! `--follow-symlinks` follows every link. A file named on the command line is read whatever
//! it is: naming it is the user's choice.
//!
//! The checks look at the file system before it is read. They guard against what a checked-out
//! repository contains, not against a process that swaps files while Palisade runs.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// Most directory entries looked at for links under one chart: far more than any real chart
/// holds, and a bound on the time a hostile one can cost.
pub const MAX_ENTRIES: usize = 100_000;

/// Which symbolic links may be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkPolicy {
    /// Every link (`--follow-symlinks`).
    Follow,
    /// Only links that resolve inside one of these directories (canonical paths).
    Within(Vec<PathBuf>),
}

impl Default for LinkPolicy {
    /// No directory is trusted until the scanned ones are known.
    fn default() -> Self {
        LinkPolicy::Within(Vec::new())
    }
}

/// A symbolic link that leads outside the directories it may lead to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscapingLink {
    /// The link, as it was reached.
    pub link: PathBuf,
    /// Where it resolves.
    pub target: PathBuf,
}

impl std::fmt::Display for EscapingLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: a symbolic link to {}, outside the scanned directories",
            self.link.display(),
            self.target.display()
        )
    }
}

impl LinkPolicy {
    /// Only links into these directories; those that do not exist are left out.
    pub fn within<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Self {
        let mut roots: Vec<PathBuf> = dirs
            .into_iter()
            .filter_map(|d| std::fs::canonicalize(d).ok())
            .filter(|d| d.is_dir())
            .collect();
        roots.sort();
        roots.dedup();
        LinkPolicy::Within(roots)
    }

    /// Whether links are followed wherever they lead.
    pub fn follows_all(&self) -> bool {
        matches!(self, LinkPolicy::Follow)
    }

    fn allows(&self, canonical: &Path, also: &[&Path]) -> bool {
        match self {
            LinkPolicy::Follow => true,
            LinkPolicy::Within(roots) => roots
                .iter()
                .map(PathBuf::as_path)
                .chain(also.iter().copied())
                .any(|root| canonical.starts_with(root)),
        }
    }

    /// For a path that is a symbolic link: the link and its target when the target is outside
    /// the allowed directories and `also` (canonical paths). A broken link escapes nowhere: the
    /// reader reports it.
    pub fn escape(&self, link: &Path, also: &[&Path]) -> Option<EscapingLink> {
        if self.follows_all() {
            return None;
        }
        let target = std::fs::canonicalize(link).ok()?;
        (!self.allows(&target, also)).then(|| EscapingLink {
            link: link.to_path_buf(),
            target,
        })
    }

    /// For `rel`, a path written in a file of directory `base` (a kustomization's entry): the
    /// link when a symbolic link on the way leads outside the allowed directories and `base`.
    /// A path that leaves `base` through `..` alone is plain text the user can read in the
    /// file, not a link; Kustomize restricts those itself.
    pub fn escape_below(&self, base: &Path, rel: &str) -> Option<EscapingLink> {
        if self.follows_all() {
            return None;
        }
        let base = std::fs::canonicalize(base).ok()?;
        let path = base.join(rel);
        let target = std::fs::canonicalize(&path).ok()?;
        if target == lexical(&path) || self.allows(&target, &[&base]) {
            return None;
        }
        Some(EscapingLink { link: path, target })
    }

    /// The symbolic links under `dir` that lead outside the allowed directories and `dir`
    /// itself, following the links that stay inside (as `helm` follows every link of a chart).
    /// Fails when `dir` holds more than [`MAX_ENTRIES`] entries.
    pub fn escaping_links(&self, dir: &Path) -> Result<Vec<EscapingLink>, String> {
        if self.follows_all() {
            return Ok(Vec::new());
        }
        let root = std::fs::canonicalize(dir).map_err(|e| format!("cannot read: {e}"))?;
        let mut found = Vec::new();
        let mut seen: HashSet<PathBuf> = HashSet::from([root.clone()]);
        let mut pending = vec![root.clone()];
        let mut entries = 0usize;
        // Links are named where they really are (below `dir` when they are), whichever way
        // the walk reached them.
        let shown = |real: &Path| match real.strip_prefix(&root) {
            Ok(rel) => dir.join(rel),
            Err(_) => real.to_path_buf(),
        };
        while let Some(real) = pending.pop() {
            let Ok(listing) = std::fs::read_dir(&real) else {
                continue;
            };
            for entry in listing.flatten() {
                entries += 1;
                if entries > MAX_ENTRIES {
                    return Err(format!(
                        "more than {MAX_ENTRIES} files; too many to check for symbolic links"
                    ));
                }
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                let path = real.join(entry.file_name());
                let next = if kind.is_symlink() {
                    if let Some(escape) = self.escape(&path, &[&root]) {
                        found.push(EscapingLink {
                            link: shown(&path),
                            ..escape
                        });
                        continue;
                    }
                    match std::fs::canonicalize(&path) {
                        Ok(target) if target.is_dir() => target,
                        _ => continue,
                    }
                } else if kind.is_dir() {
                    path
                } else {
                    continue;
                };
                if seen.insert(next.clone()) {
                    pending.push(next);
                }
            }
        }
        found.sort_by(|a, b| a.link.cmp(&b.link));
        Ok(found)
    }
}

/// `path` with `.` and `..` resolved as text, as if no component were a link.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_are_followed_only_into_the_scanned_directories() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("base")).unwrap();
        std::fs::write(dir.path().join("secret.yaml"), "x").unwrap();
        std::fs::write(root.join("base/d.yaml"), "x").unwrap();
        symlink("../secret.yaml", root.join("out.yaml")).unwrap();
        symlink("base/d.yaml", root.join("in.yaml")).unwrap();
        symlink("missing.yaml", root.join("broken.yaml")).unwrap();
        let policy = LinkPolicy::within([root.as_path()]);
        let escape = policy.escape(&root.join("out.yaml"), &[]).unwrap();
        assert_eq!(
            escape.target,
            std::fs::canonicalize(dir.path().join("secret.yaml")).unwrap()
        );
        assert!(policy.escape(&root.join("in.yaml"), &[]).is_none());
        assert!(policy.escape(&root.join("broken.yaml"), &[]).is_none());
        assert!(
            LinkPolicy::Follow
                .escape(&root.join("out.yaml"), &[])
                .is_none()
        );
        assert!(
            LinkPolicy::default()
                .escape(&root.join("in.yaml"), &[])
                .is_some(),
            "nothing is trusted by default"
        );
    }

    #[test]
    fn entries_below_a_base_are_checked_for_links_not_for_dot_dot() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        std::fs::create_dir_all(top.join("overlay")).unwrap();
        std::fs::create_dir_all(top.join("base")).unwrap();
        std::fs::write(top.join("base/d.yaml"), "x").unwrap();
        std::fs::write(top.join("secret.yaml"), "x").unwrap();
        symlink("../secret.yaml", top.join("base/leak.yaml")).unwrap();
        symlink("d.yaml", top.join("base/alias.yaml")).unwrap();
        let policy = LinkPolicy::within([top.join("overlay").as_path()]);
        let overlay = top.join("overlay");
        assert!(policy.escape_below(&overlay, "../base").is_none());
        assert!(policy.escape_below(&overlay, "../base/d.yaml").is_none());
        let base = top.join("base");
        assert!(policy.escape_below(&base, "alias.yaml").is_none());
        let leak = policy.escape_below(&base, "leak.yaml").unwrap();
        assert!(leak.link.ends_with("base/leak.yaml"), "{leak}");
        assert!(leak.to_string().contains("outside the scanned directories"));
    }

    #[test]
    fn chart_links_are_found_through_links_that_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        let chart = top.join("chart");
        std::fs::create_dir_all(chart.join("templates")).unwrap();
        std::fs::create_dir_all(top.join("shared")).unwrap();
        std::fs::write(top.join("kubeconfig"), "x").unwrap();
        symlink("../../kubeconfig", chart.join("templates/config.yaml")).unwrap();
        symlink("templates", chart.join("loop")).unwrap();
        let policy = LinkPolicy::within([chart.as_path()]);
        let found = policy.escaping_links(&chart).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].link, chart.join("templates/config.yaml"));
        // A link to a directory inside the scanned tree is followed, and what it holds is
        // checked too.
        symlink("../shared", chart.join("shared")).unwrap();
        symlink("../kubeconfig", top.join("shared/c.yaml")).unwrap();
        let policy = LinkPolicy::within([top]);
        let found = policy.escaping_links(&chart).unwrap();
        assert!(found.is_empty(), "inside the scanned tree: {found:?}");
        let policy = LinkPolicy::within([chart.as_path()]);
        let found = policy.escaping_links(&chart).unwrap();
        let links: Vec<_> = found.iter().map(|e| e.link.clone()).collect();
        assert_eq!(
            links,
            vec![chart.join("shared"), chart.join("templates/config.yaml")]
        );
        assert!(
            LinkPolicy::Follow
                .escaping_links(&chart)
                .unwrap()
                .is_empty()
        );
    }
}
